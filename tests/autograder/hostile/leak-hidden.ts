import { strict as assert } from "assert";
import { ESCAPE, HostileSubmission } from "./types";

/**
 * Threat: learn the hidden tests' inputs through messages the student can read. A correct
 * function that records what it is called with (here λ of the sparse penalty, in the sandbox
 * process's own global, shared by every notebook) and a later public test that fails with the
 * record as its message. Hidden tests run after every public one, in a sandbox of their own, so
 * the record a public message can carry holds only public inputs (λ = 0.1), never the hidden 0.5.
 */
export const leakHidden: HostileSubmission = {
  name: "leak-hidden",
  threat: "carry a hidden test's inputs (or which hidden checks ran) into a public test's message",
  honest: ["ae-masking-noise", "tr-text", "gan-d-loss"],
  instrumented: {
    "ae-sparse-l1": `${ESCAPE}
function sparseL1Penalty(activations: tf.Tensor2D, lambda: number): tf.Scalar {
  (__g.__seen ??= []).push(lambda);
  return tf.tidy(() => tf.mul(lambda, tf.mean(tf.sum(tf.abs(activations), 1))) as tf.Scalar);
}`,
  },
  cells: {
    "tr-positional": `${ESCAPE}
function sinusoidalPositionalEncoding(length: number, dModel: number): any {
  throw new Error("inputs seen so far: " + JSON.stringify(__g.__seen ?? []));
}`,
    "gan-g-nonsat": `${ESCAPE}
function generatorLossNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  throw new Error("inputs seen so far: " + JSON.stringify(__g.__seen ?? []));
}`,
  },
  check: (r) => {
    for (const t of r.tests.filter((x) => x.visibility === "public" && x.message?.includes("inputs seen so far"))) {
      assert.match(t.message!, /inputs seen so far: \[0\.1\]/, `a public message carries more than the public inputs: ${t.message}`);
    }
    assert.ok(r.tests.some((x) => x.visibility === "public" && x.message?.includes("inputs seen so far")), "the recording never reached a public message");
  },
};
