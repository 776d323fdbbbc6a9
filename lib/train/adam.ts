/**
 * Adam (Kingma & Ba, 2015), the course's optimiser: a running mean of each weight's gradient
 * (momentum) and of its square (a per-weight step size), both corrected for starting at zero.
 * With g the gradient at step t:
 *
 *   m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
 *   θ ← θ − lr · m̂ / (√v̂ + ε)
 *
 * m̂ / √v̂ is about ±1 whatever the gradient's scale, so the learning rate is roughly the
 * largest step a weight takes. This is TensorFlow.js's tf.train.adam, with ε added to √v̂ as above.
 */
import * as tf from "@tensorflow/tfjs";

/** Adam with TensorFlow.js's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7). */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, beta1, beta2, epsilon);
}
