import { strict as assert } from "assert";
import { nestedFunctions } from "../../../tools/grader/fixtures/hostileInputs";
import { HostileSubmission } from "./types";

/**
 * Threat: stall the batch before any sandbox starts. Extraction (parsing and compiling the graded
 * cells) used to run in the grading process itself, with a step quadratic in the nesting depth:
 * a small archive of deeply nested graded cells held the whole batch for a minute and made the
 * other submissions' timers fire. Now it runs on a worker thread under a deadline, linear, capped.
 */
export const stall: HostileSubmission = {
  name: "stall",
  threat: "stall the whole batch with graded cells that are slow to extract",
  honest: ["tr-text", "tr-lstm-cell", "tr-attention", "gan-d-loss", "gan-g-minimax", "gan-g-nonsat", "gan-step"],
  cells: {
    "ae-auroc": nestedFunctions(300, "function auroc(scores: number[], labels: number[]): number { return NaN; }"),
    "ae-threshold": nestedFunctions(2000, "function anomalyThreshold(s: number[], r: number): number { return NaN; }"),
  },
  edit: (nbs) => {
    // 300 more graded cells of nested code, all marked as one exercise: more than the grader reads.
    const cell = { cell_type: "code", metadata: { course: { grade_id: "ae-vae-kl", points: 1 } }, source: nestedFunctions(150, "const x = 1;") };
    for (let i = 0; i < 300; i++) nbs.autoencoders.cells.push({ ...cell, metadata: { course: { grade_id: "ae-vae-kl", points: 1 } } });
  },
  messages: { "ae-threshold": "anomalyThreshold is not defined" },
  check: (r) => {
    assert.ok(r.problems.some((p) => /cells are marked as graded; only the first 100 are read|exceed .* characters in all/.test(p)), `the caps are not reported: ${r.problems.join("; ")}`);
    assert.ok(r.durationMs < 90_000, `it took ${(r.durationMs / 1000).toFixed(1)} s to grade`);
  },
};
