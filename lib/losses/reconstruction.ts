/**
 * Reconstruction losses: how far an autoencoder's output x̂ is from its target x.
 *
 * Pixels in [0, 1] read as probabilities of "ink", so a sigmoid output layer and the binary
 * cross-entropy are the natural pair:
 *
 *   BCE(x, x̂) = −Σ_j [ x_j log x̂_j + (1 − x_j) log(1 − x̂_j) ]
 *
 * From probabilities, log 0 = −∞ is one saturated pixel away (σ rounds to 1 in float32 from
 * z ≈ 17 on), so each log is clamped at −100, as PyTorch's BCELoss does: a pixel can cost at most
 * 100 nats, and the loss keeps growing with the error up to there. Computed from the logits z
 * (x̂ = σ(z)) it never takes log 0 and needs no clamp:
 *
 *   −[x log σ(z) + (1 − x) log(1 − σ(z))] = max(z, 0) − z·x + log(1 + e^{−|z|})
 *
 * Every function here is a pure function of tensors; "per example" versions return one number
 * per row (sum or mean over pixels), the others a scalar averaged over the batch, and refuse an
 * empty batch (./checks.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { checkNotEmpty, checkSameShape } from "./checks";

/** The floor of each log in binaryCrossEntropy, as in PyTorch's BCELoss. */
export const BCE_LOG_FLOOR = -100;

/** Binary cross-entropy from probabilities, summed over features, averaged over the batch. probs, target: [batch, D] → scalar */
export function binaryCrossEntropy(probs: tf.Tensor, target: tf.Tensor): tf.Scalar {
  checkSameShape("binaryCrossEntropy", probs, target);
  checkNotEmpty("binaryCrossEntropy", probs);
  return tf.tidy(() => clampedCrossEntropy(probs, target).sum(-1).mean() as tf.Scalar);
}

/**
 * Elementwise −[x·max(log p, −100) + (1 − x)·max(log(1 − p), −100)], with PyTorch's gradient:
 * ∂/∂p = (p − x) / max(p (1 − p), 1e-12), finite at p = 0 and p = 1 where the clamped logs'
 * own derivative would be 0 · ∞; ∂/∂x = max(log(1 − p), −100) − max(log p, −100).
 */
const clampedCrossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [p, x, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const logP = tf.maximum(tf.log(p), BCE_LOG_FLOOR);
  const logNotP = tf.maximum(tf.log(tf.sub(1, p)), BCE_LOG_FLOOR);
  save([p, x, logP, logNotP]);
  return {
    value: tf.neg(tf.add(tf.mul(x, logP), tf.mul(tf.sub(1, x), logNotP))),
    gradFunc: (dy, [pS, xS, logPS, logNotPS]) => [
      tf.mul(dy, tf.div(tf.sub(pS, xS), tf.maximum(tf.mul(pS, tf.sub(1, pS)), 1e-12))),
      tf.mul(dy, tf.sub(logNotPS, logPS)),
    ],
  };
}) as (p: tf.Tensor, x: tf.Tensor) => tf.Tensor;

/**
 * Elementwise binary cross-entropy of targets x against logits z (same shapes):
 *   max(z, 0) − z·x + log(1 + e^{−|z|})
 * with its gradient written out, as PyTorch's BCEWithLogits does: ∂/∂z = σ(z) − x, ∂/∂x = −z.
 * Differentiating the formula op by op gives the same numbers through about twenty kernels
 * (relu's and abs's steps, exp, log1p, …), a fifth of a small model's training step.
 */
export function sigmoidCrossEntropyWithLogits(target: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  checkSameShape("sigmoidCrossEntropyWithLogits", logits, target);
  return crossEntropyWithGradient(logits, target);
}

const crossEntropyWithGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [z, x, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([z, x]);
  return {
    value: tf.add(tf.sub(tf.relu(z), tf.mul(z, x)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))),
    gradFunc: (dy, [zSaved, xSaved]) => [tf.mul(dy, tf.sub(tf.sigmoid(zSaved), xSaved)), tf.mul(dy, tf.neg(zSaved))],
  };
}) as (logits: tf.Tensor, target: tf.Tensor) => tf.Tensor;

/** The same loss from logits z (x̂ = σ(z)), numerically stable. Per example: [batch, D] → [batch] */
export function binaryCrossEntropyFromLogitsPerExample(logits: tf.Tensor, target: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    checkSameShape("binaryCrossEntropyFromLogits", logits, target);
    return sigmoidCrossEntropyWithLogits(target, logits).reshape([logits.shape[0], -1]).sum(-1) as tf.Tensor1D;
  });
}

/** Binary cross-entropy from logits, summed over features, averaged over the batch: [batch, D] → scalar */
export function binaryCrossEntropyFromLogits(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  checkNotEmpty("binaryCrossEntropyFromLogits", logits);
  return tf.tidy(() => binaryCrossEntropyFromLogitsPerExample(logits, target).mean() as tf.Scalar);
}

/** Mean squared error per example, averaged over pixels: [batch, ...] → [batch] */
export function meanSquaredErrorPerExample(prediction: tf.Tensor, target: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    checkSameShape("meanSquaredError", prediction, target);
    return tf.squaredDifference(prediction, target).reshape([prediction.shape[0], -1]).mean(-1) as tf.Tensor1D;
  });
}

/**
 * Mean squared error per element over the whole batch: [batch, ...] → scalar, with its
 * gradient written out: ∂/∂prediction = 2 (prediction − target) / N, ∂/∂target its negative.
 * Differentiating squaredDifference and mean op by op makes about ten kernels, five of them
 * over the whole tensor (a transformer block's step: 6 % of its time).
 */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  checkSameShape("meanSquaredError", prediction, target);
  checkNotEmpty("meanSquaredError", prediction);
  return squaredErrorMean(prediction, target);
}

const squaredErrorMean = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [prediction, target, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const difference = tf.sub(prediction, target);
  save([difference]);
  return {
    value: tf.mean(tf.square(difference)) as tf.Scalar,
    gradFunc: (dy, [d]) => {
      const dPrediction = tf.mul(d, tf.mul(dy, 2 / d.size));
      return [dPrediction, tf.neg(dPrediction)];
    },
  };
}) as (prediction: tf.Tensor, target: tf.Tensor) => tf.Scalar;
