import type { WrongSolution } from "./types";

const exercise = "transformers";
const goodVocab = `
function buildCharVocab(text: string): string[] {
  return Array.from(new Set(Array.from(text))).sort();
}
function encodeChars(text: string, vocab: string[]): number[] {
  return Array.from(text).map((ch) => { const i = vocab.indexOf(ch); if (i < 0) throw new Error("unknown " + ch); return i; });
}`;

export const wrongTransformers: WrongSolution[] = [
  {
    exercise,
    gradeId: "tr-text",
    mistake: "forgets to lowercase",
    code: `function preprocessText(text: string): string {
  return text.replace(/[0-9]/g, "").replace(/\\s+/g, " ").trim();
}${goodVocab}`,
  },
  {
    exercise,
    gradeId: "tr-text",
    mistake: "encodes an unknown character as -1 instead of throwing",
    code: `function preprocessText(text: string): string {
  return text.toLowerCase().replace(/[0-9]/g, "").replace(/\\s+/g, " ").trim();
}
function buildCharVocab(text: string): string[] {
  return Array.from(new Set(Array.from(text))).sort();
}
function encodeChars(text: string, vocab: string[]): number[] {
  return Array.from(text).map((ch) => vocab.indexOf(ch));
}`,
  },
  {
    exercise,
    gradeId: "tr-lstm-cell",
    mistake: "swaps the input and forget gates",
    code: `function lstmCellStep(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => {
    const z = tf.add(tf.add(tf.matMul(x, kernel), tf.matMul(h, recurrentKernel)), bias);
    const [zf, zi, zg, zo] = tf.split(z, 4, 1);
    const cNext = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
    return { h: tf.mul(tf.sigmoid(zo), tf.tanh(cNext)) as tf.Tensor2D, c: cNext as tf.Tensor2D };
  });
}`,
  },
  {
    exercise,
    gradeId: "tr-lstm-cell",
    mistake: "uses tfjs's hard sigmoid for the gates",
    code: `function lstmCellStep(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => {
    const hard = (t: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(t, 0.2), 0.5), 0, 1);
    const z = tf.add(tf.add(tf.matMul(x, kernel), tf.matMul(h, recurrentKernel)), bias);
    const [zi, zf, zg, zo] = tf.split(z, 4, 1);
    const cNext = tf.add(tf.mul(hard(zf), c), tf.mul(hard(zi), tf.tanh(zg)));
    return { h: tf.mul(hard(zo), tf.tanh(cNext)) as tf.Tensor2D, c: cNext as tf.Tensor2D };
  });
}`,
  },
  {
    exercise,
    gradeId: "tr-attention",
    mistake: "forgets to divide by √d",
    code: `function scaledDotProductAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask?: tf.Tensor3D): { output: tf.Tensor3D; weights: tf.Tensor3D } {
  return tf.tidy(() => {
    let scores = tf.matMul(q, k, false, true) as tf.Tensor3D;
    if (mask) scores = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9)) as tf.Tensor3D;
    const weights = tf.softmax(scores, -1) as tf.Tensor3D;
    return { output: tf.matMul(weights, v) as tf.Tensor3D, weights };
  });
}`,
  },
  {
    exercise,
    gradeId: "tr-attention",
    mistake: "applies the mask after the softmax (rows no longer sum to 1)",
    code: `function scaledDotProductAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask?: tf.Tensor3D): { output: tf.Tensor3D; weights: tf.Tensor3D } {
  return tf.tidy(() => {
    let weights = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[2])), -1) as tf.Tensor3D;
    if (mask) weights = tf.mul(weights, mask) as tf.Tensor3D;
    return { output: tf.matMul(weights, v) as tf.Tensor3D, weights };
  });
}`,
  },
  {
    exercise,
    gradeId: "tr-positional",
    mistake: "exponent i/dModel with i the column, not 2i/dModel with i the pair",
    code: `function sinusoidalPositionalEncoding(length: number, dModel: number): tf.Tensor2D {
  const t: number[][] = [];
  for (let pos = 0; pos < length; pos++) {
    const row: number[] = [];
    for (let j = 0; j < dModel; j++) { const a = pos / Math.pow(10000, (2 * j) / dModel); row.push(j % 2 === 0 ? Math.sin(a) : Math.cos(a)); }
    t.push(row);
  }
  return tf.tensor2d(t);
}`,
  },
  {
    exercise,
    gradeId: "tr-mlm-masking",
    mistake: "replaces every selected token by [MASK] (no 10% random / 10% kept)",
    code: `interface MaskingOptions { maskId: number; vocabSize: number; specialIds: number[]; selectProb?: number }
function maskTokens(tokens: number[], options: MaskingOptions, rng: () => number): { inputs: number[]; labels: number[] } {
  const p = options.selectProb ?? 0.15;
  const inputs = tokens.slice(), labels = tokens.map(() => -100);
  tokens.forEach((t, i) => { if (options.specialIds.includes(t)) return; if (rng() < p) { labels[i] = t; inputs[i] = options.maskId; } });
  return { inputs, labels };
}`,
  },
  {
    exercise,
    gradeId: "tr-mlm-masking",
    mistake: "draws a number for special tokens too",
    code: `interface MaskingOptions { maskId: number; vocabSize: number; specialIds: number[]; selectProb?: number }
function maskTokens(tokens: number[], options: MaskingOptions, rng: () => number): { inputs: number[]; labels: number[] } {
  const p = options.selectProb ?? 0.15;
  const inputs = tokens.slice(), labels = tokens.map(() => -100);
  tokens.forEach((t, i) => {
    const u = rng();
    if (options.specialIds.includes(t) || u >= p) return;
    labels[i] = t;
    const r = rng();
    if (r < 0.8) inputs[i] = options.maskId; else if (r < 0.9) inputs[i] = Math.floor(rng() * options.vocabSize);
  });
  return { inputs, labels };
}`,
  },
];
