import { ESCAPE, HostileSubmission } from "./types";

/** Threat: exit early with success (at load, at call, through the raw exit and abort). */
export const exitEarly: HostileSubmission = {
  name: "exit-early",
  threat: "exit early with success",
  honest: ["ae-threshold", "ae-auroc", "tr-attention", "gan-g-minimax"],
  cells: {
    "ae-sparse-l1": `${ESCAPE}
__proc.exitCode = 0;
__proc.exit(0);
function sparseL1Penalty(activations: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.scalar(NaN);
}`,
    "ae-masking-noise": `${ESCAPE}
function maskingNoise(x: tf.Tensor, fraction: number, seed?: number): tf.Tensor {
  __proc.exit(0);
  return x;
}`,
    "ae-vae-reparam": `${ESCAPE}
function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  __proc.reallyExit(0);
  return mu;
}`,
    "ae-vae-kl": `${ESCAPE}
function vaeKlDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  __proc.abort();
  return tf.scalar(0);
}`,
  },
};
