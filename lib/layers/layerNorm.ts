/**
 * Layer normalisation over the last axis (Ba et al., 2016), with its gradient written out.
 *
 *   y = x̂ · γ + β,   x̂ = (x − μ) / √(σ² + ε),   μ, σ² the mean and variance over the last axis of x
 *
 * Each row (one token's features) is normalised on its own, so the layer behaves the same in
 * training and at test time and for any batch size. The gradient in closed form (d = x's last
 * dimension, sums over all rows):
 *
 *   ∂L/∂β = Σ_rows dy      ∂L/∂γ = Σ_rows dy · x̂
 *   g = dy · γ             ∂L/∂x = (g − mean_d(g) − x̂ · mean_d(g · x̂)) / √(σ² + ε)
 *
 * Twelve kernels, where differentiating the forward pass op by op takes about forty; the same
 * numbers to float32 rounding (tests/lib/layerNorm.spec.ts).
 */
import * as tf from "@tensorflow/tfjs";

/** x: [..., d], gamma and beta: [d] → [..., d] */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== d || beta.rank !== 1 || beta.shape[0] !== d) {
    throw new Error(`layerNorm: gamma ${JSON.stringify(gamma.shape)} and beta ${JSON.stringify(beta.shape)} must be [${d}], the last dimension of x ${JSON.stringify(x.shape)}`);
  }
  return layerNormWithGradient(epsilon)(x, gamma, beta);
}

const withGradient = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

/** One customGrad per epsilon (it is a constant of the function, not an input). */
function layerNormWithGradient(epsilon: number) {
  let f = withGradient.get(epsilon);
  if (f == null) {
    f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const last = x.rank - 1;
      const centred = tf.sub(x, tf.mean(x, last, true)); // x − μ: [..., d]
      const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), last, true), epsilon)); // 1/√(σ² + ε): [..., 1]
      const normalised = tf.mul(centred, invStd); // x̂: [..., d]
      save([normalised, invStd, gamma]);
      return {
        value: tf.add(tf.mul(normalised, gamma), beta),
        gradFunc: (dy, saved) => gradients(dy as tf.Tensor, saved[0], saved[1], saved[2]),
      };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    withGradient.set(epsilon, f);
  }
  return f;
}

/** [∂L/∂x, ∂L/∂γ, ∂L/∂β] from dy and the forward pass's x̂, 1/√(σ² + ε) and γ. */
function gradients(dy: tf.Tensor, normalised: tf.Tensor, invStd: tf.Tensor, gamma: tf.Tensor): tf.Tensor[] {
  const last = dy.rank - 1;
  const rows = Array.from({ length: last }, (_, i) => i);
  const g = tf.mul(dy, gamma);
  const meanG = tf.mean(g, last, true);
  const meanGx = tf.mean(tf.mul(g, normalised), last, true);
  const dx = tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(normalised, meanGx)), invStd);
  return [dx, tf.sum(tf.mul(dy, normalised), rows), tf.sum(dy, rows)];
}
