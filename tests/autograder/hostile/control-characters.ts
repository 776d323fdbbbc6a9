import { HostileSubmission } from "./types";

/**
 * Threat: take over the instructor's terminal, spreadsheet or summary with control characters:
 * ANSI escapes (clear the screen, recolour, set the window title), carriage returns and a
 * right-to-left override, in error messages and in grade ids. The archive's own name carries some
 * too (the proof names it). Everywhere they are shown, they are escaped ("\x1b"), never obeyed.
 */
export const controlCharacters: HostileSubmission = {
  name: "control-characters",
  threat: "ANSI escapes and control characters in messages, grade ids and names",
  honest: ["ae-sparse-l1", "tr-text", "gan-d-loss"],
  cells: {
    "gan-g-minimax": `function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  throw new Error("\\u001b[2J\\u001b[31mALL TESTS PASSED\\u001b]0;owned\\u0007\\r36/36\\u202egnissap");
}`,
  },
  edit: (nbs) => {
    nbs.gans.cells.push({ cell_type: "code", metadata: { course: { grade_id: "\u001b[2J\u001b[32mbonus\u202e", points: 5 } }, source: "function bonus() { return 1; }" });
  },
};
