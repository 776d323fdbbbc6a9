import { HostileSubmission } from "./types";

/** Threat: make the grader hang or crash (loops, memory, output, recursion, promises, huge values). */
export const resources: HostileSubmission = {
  name: "resources",
  threat: "an infinite loop, a crash, exhausting memory or output; the grader must grade everything else",
  honest: ["ae-sparse-l1", "ae-vae-kl", "gan-d-loss", "gan-g-minimax"],
  cells: {
    "tr-text": `function preprocessText(text: string): string { return text; }
function buildCharVocab(text: string): string[] { return []; }
function encodeChars(text: string, vocab: string[]): number[] { return []; }
while (true) {} // at load: the cell never finishes`,
    "tr-lstm-cell": `function lstmCellStep(x: any, h: any, c: any, kernel: any, recurrentKernel: any, bias: any): any {
  for (;;) {}
}`,
    "tr-attention": `function scaledDotProductAttention(q: any, k: any, v: any, mask?: any): any {
  const hog: Float64Array[] = [];
  for (;;) hog.push(new Float64Array(1 << 24)); // 128 MB a step, until the memory cap
}`,
    "tr-positional": `function sinusoidalPositionalEncoding(length: number, dModel: number): any {
  const line = "x".repeat(1 << 20);
  for (let i = 0; i < 200; i++) console.log(line); // 200 MB of output
  return new Array(5_000_000).fill(0.5); // and a huge result
}`,
    "tr-mlm-masking": `function maskTokens(tokens: number[], options: any, rng: () => number): any {
  if (tokens.length > 100) return new Promise(() => {}); // never resolves
  const deep = (n: number): number => deep(n + 1) + 1;
  return deep(0); // stack overflow
}`,
    "gan-g-nonsat": `function generatorLossNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  setTimeout(() => { throw new Error("a late crash, between calls"); }, 0);
  return tf.scalar(NaN);
}`,
  },
};
