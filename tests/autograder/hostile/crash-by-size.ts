import { strict as assert } from "assert";
import { HostileSubmission } from "./types";

/**
 * Threat: crash or bloat the grader with sizes the student controls. Errors with messages and
 * function names of megabytes (two submissions of these once crashed a batch at "Invalid string
 * length"), a thrown string of megabytes, and a grade id of a megabyte in the metadata.
 */
export const crashBySize: HostileSubmission = {
  name: "crash-by-size",
  threat: "crash the grader with huge error messages, stack frames and metadata",
  honest: ["ae-sparse-l1", "ae-masking-noise", "tr-text", "tr-attention", "gan-d-loss", "gan-g-nonsat"],
  cells: {
    "tr-positional": `function sinusoidalPositionalEncoding(length: number, dModel: number): any {
  const inner = () => { throw new Error("m".repeat(8 << 20)); };
  Object.defineProperty(inner, "name", { value: "n".repeat(2 << 20) });
  return inner();
}`,
    "ae-threshold": `function anomalyThreshold(normalScores: number[], falsePositiveRate: number): number {
  throw "s".repeat(6 << 20);
}`,
    "gan-g-minimax": `function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  const e: any = new Error("short");
  e.name = "N".repeat(4 << 20);
  e.stack = ("    at generatorLossMinimax (gans.ipynb [gan-g-minimax]:1:1) " + "x".repeat(1 << 20) + "\\n").repeat(8);
  throw e;
}`,
  },
  edit: (nbs) => {
    nbs.transformers.cells.push({ cell_type: "code", metadata: { course: { grade_id: "g".repeat(1 << 20), points: 1 } }, source: "function huge() {}" });
  },
  messages: { "tr-positional": "threw Error", "ae-threshold": "threw thrown value" },
  check: (r) => {
    for (const t of r.tests) assert.ok((t.message ?? "").length <= 4100, `a message of ${t.message?.length} characters reached the result`);
    for (const p of r.problems) assert.ok(p.length <= 1100, `a note of ${p.length} characters reached the result`);
    assert.ok(JSON.stringify(r).length < 1_000_000, `the result is ${JSON.stringify(r).length} characters`);
  },
};
