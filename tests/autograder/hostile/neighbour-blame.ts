import { strict as assert } from "assert";
import { HostileSubmission } from "./types";

/**
 * Threat (careless, not malicious): code whose failure could be charged to the function that runs
 * next. A call that loops past its time limit (the sandbox exits after it), a call that leaves an
 * endless loop behind in a timer, a cell that arms one at load time: each costs its own cell only.
 */
export const neighbourBlame: HostileSubmission = {
  name: "neighbour-blame",
  threat: "a timeout or a leftover timer must not cost the next, correct function its points",
  honest: ["ae-sparse-l1", "ae-vae-reparam", "ae-vae-kl", "tr-attention", "tr-positional", "tr-mlm-masking", "gan-d-loss", "gan-g-nonsat", "gan-step"],
  cells: {
    // Loops in the call: timed out, the sandbox exits; the attention call that follows must be sent to a fresh one.
    "tr-lstm-cell": `function lstmCellStep(x: any, h: any, c: any, kernel: any, recurrentKernel: any, bias: any): any {
  for (;;) {}
}`,
    // Returns at once, but leaves an endless loop in a timer that runs during the next call.
    "ae-masking-noise": `function maskingNoise(x: tf.Tensor, fraction: number, seed?: number): tf.Tensor {
  setTimeout(() => { for (;;) {} }, 0);
  return x;
}`,
    // Arms the same at load time: whichever request runs next would be hung.
    "gan-g-minimax": `setTimeout(() => { let spin = 0; for (;;) spin++; }, 0);
function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.scalar(NaN);
}`,
  },
  messages: { "tr-lstm-cell": "did not finish" },
  check: (r) => {
    assert.ok(r.tests.filter((t) => t.gradeId === "tr-attention").every((t) => t.passed), "the attention cell paid for the LSTM's timeout");
    const masking = r.tests.filter((t) => t.gradeId === "ae-masking-noise").map((t) => t.message ?? "");
    assert.ok(masking.some((m) => m.includes("a callback that maskingNoise scheduled ran longer")), `the leftover loop is not charged to maskingNoise: ${masking.join(" | ")}`);
    const minimax = r.tests.filter((t) => t.gradeId === "gan-g-minimax").map((t) => t.message ?? "");
    assert.ok(minimax.some((m) => m.includes("a callback it scheduled ran longer")), `the loop armed at load is not charged to its cell: ${minimax.join(" | ")}`);
  },
};
