import { ESCAPE, HostileSubmission } from "./types";

/**
 * Threat: make the student's own failure look like the grader's. Code that escapes the cell's
 * context hooks the sandbox process's JSON.parse and ends the process as soon as the grader asks
 * it to set up the next notebook. A sandbox that dies after student code ran in it is the
 * student's doing: it is restarted, the other notebooks are graded as usual, and nothing is
 * reported (or retried) as a failure of the grader.
 */
export const blameTheGrader: HostileSubmission = {
  name: "blame-the-grader",
  threat: "make its own crash look like the grader's (and be graded again)",
  honest: ["tr-text", "tr-lstm-cell", "tr-attention", "tr-positional", "tr-mlm-masking", "gan-d-loss", "gan-g-minimax", "gan-g-nonsat", "gan-step"],
  cells: {
    "ae-sparse-l1": `${ESCAPE}
const __parse = __g.JSON.parse;
__g.JSON.parse = function (text: string, ...rest: any[]) {
  const value = __parse.call(this, text, ...rest);
  if (value && value.op === "context" && value.module !== "autoencoders") __proc.reallyExit(0);
  return value;
};
function sparseL1Penalty(activations: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.scalar(NaN);
}`,
  },
};
