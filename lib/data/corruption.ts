/**
 * Corruptions for the denoising autoencoder. Masking noise sets a random fraction of the input
 * pixels to 0; the autoencoder sees the corrupted x̃ and is scored against the clean x, so it
 * must learn what digits look like to fill the holes in.
 */
import * as tf from "@tensorflow/tfjs";
import { random } from "../seed";

function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`masking noise: the fraction of pixels to drop must be in [0, 1], got ${fraction}`);
}

/** x̃ = x ⊙ m with m_j ~ Bernoulli(1 − fraction), a fresh mask per call (seeded via seed()). x: any shape → same shape */
export function maskingNoise(x: tf.Tensor, fraction: number): tf.Tensor {
  checkFraction(fraction);
  return tf.tidy(() => {
    if (fraction === 0) return x.clone();
    const keep = tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, "float32"), fraction);
    return tf.mul(x, tf.cast(keep, x.dtype));
  });
}

/** The same on the host: a corrupted copy of a flat array of pixels. */
export function maskingNoiseArray(x: ArrayLike<number>, fraction: number, rng: () => number = random): Float32Array {
  checkFraction(fraction);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = rng() < fraction ? 0 : x[i];
  return out;
}
