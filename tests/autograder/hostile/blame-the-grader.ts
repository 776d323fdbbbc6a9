import { ESCAPE, HostileSubmission } from "./types";

/**
 * Threat: make the student's own failure look like the grader's. Code that escapes the cell's
 * context arms a timer of the process itself (out of the grader's sight) that ends the sandbox a
 * moment later, typically while the next notebook is being set up. A sandbox that dies after
 * student code ran in it is the student's doing: it is restarted, the other notebooks are graded
 * as usual, and nothing is reported (or retried) as a grader failure.
 */
export const blameTheGrader: HostileSubmission = {
  name: "blame-the-grader",
  threat: "make its own crash look like the grader's (and be graded again)",
  honest: ["tr-text", "tr-lstm-cell", "tr-attention", "tr-positional", "tr-mlm-masking", "gan-d-loss", "gan-g-minimax", "gan-g-nonsat", "gan-step"],
  cells: {
    "ae-sparse-l1": `${ESCAPE}
__g.setTimeout(() => __proc.reallyExit(0), 150);
function sparseL1Penalty(activations: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.scalar(NaN);
}`,
  },
};
