/**
 * The sparse autoencoder's penalty: an L1 norm on the hidden ACTIVATIONS (not on the weights),
 *
 *   Ω(h) = λ Σ_i |a_i^(h)|
 *
 * summed over the units of the code layer, averaged over the examples of the batch. It pushes
 * each input to be explained by few active units. The objective is L(x, x̂) + Ω(h).
 */
import * as tf from "@tensorflow/tfjs";
import { checkNotEmpty } from "./checks";

/** λ · mean over the batch of Σ_i |a_i|. activations: [batch, units] → scalar */
export function l1ActivityPenalty(activations: tf.Tensor, lambda: number): tf.Scalar {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`l1ActivityPenalty: λ must be a finite number ≥ 0, got ${lambda}`);
  if (activations.rank < 2) throw new Error(`l1ActivityPenalty: activations must be [batch, units], got shape [${activations.shape}]`);
  checkNotEmpty("l1ActivityPenalty", activations);
  return tf.tidy(() => tf.abs(activations).reshape([activations.shape[0], -1]).sum(-1).mean().mul(lambda) as tf.Scalar);
}

export interface ActivationStats {
  /** Mean of |a| over examples and units. */
  meanAbs: number;
  /** Share of (example, unit) activations with |a| below `threshold`. */
  nearZeroShare: number;
  /** Share of units that are near zero on every example (dead units). */
  deadUnitShare: number;
}

/** Summary of a batch of code activations [batch, units] (read on the host, outside any tidy). */
export function activationStats(activations: Float32Array | number[], units: number, threshold = 0.01): ActivationStats {
  const n = activations.length / units;
  if (!Number.isInteger(n)) throw new Error(`activationStats: ${activations.length} values is not a whole number of rows of ${units} units`);
  let sumAbs = 0;
  let nearZero = 0;
  const alive = new Uint8Array(units);
  for (let i = 0; i < activations.length; i++) {
    const a = Math.abs(activations[i]);
    sumAbs += a;
    if (a < threshold) nearZero++;
    else alive[i % units] = 1;
  }
  const dead = units - alive.reduce((s, v) => s + v, 0);
  return { meanAbs: sumAbs / activations.length, nearZeroShare: nearZero / activations.length, deadUnitShare: dead / units };
}
