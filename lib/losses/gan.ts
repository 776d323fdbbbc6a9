/**
 * The GAN game as pure functions of the discriminator's logits.
 *
 * D(x) = σ(a) where a is D's logit. We never form σ(a) and then take its log: for a confident D
 * σ(a) rounds to exactly 0 or 1 in float32 and the log is −∞. Instead
 *
 *   log D       = log σ(a)       = −softplus(−a)      (softplus(t) = log(1 + eᵗ))
 *   log(1 − D)  = log(1 − σ(a))  = −softplus(a)
 *
 * which are the same numbers, computed without the rounding. (tf.logSigmoid would say the same, but
 * its hand-written gradient keeps a reference to a tensor that tf.tidy has already freed when it is
 * used inside a tidy under a gradient tape; softplus has an ordinary registered gradient.)
 *
 * Shapes: realLogits [batch, 1] = D(x) on real data, fakeLogits [batch, 1] = D(G(z)).
 */
import * as tf from "@tensorflow/tfjs";
import { checkNotEmpty } from "./checks";

/** log D, elementwise: log σ(a) = −softplus(−a). */
export function logD(logits: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(logits)));
}

/** log(1 − D), elementwise: log(1 − σ(a)) = −softplus(a). */
export function logOneMinusD(logits: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(logits));
}

/**
 * The value of the game, V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))].
 * D wants it large (max 0: every real called real, every fake called fake); G wants it small.
 */
export function minimaxValue(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  checkNotEmpty("minimaxValue", realLogits, fakeLogits);
  return tf.tidy(() => tf.add(tf.mean(logD(realLogits)), tf.mean(logOneMinusD(fakeLogits))) as tf.Scalar);
}

/**
 * The discriminator's binary cross-entropy, real labelled 1 and fake labelled 0:
 *   L_D = −E_x[log D(x)] − E_z[log(1 − D(G(z)))] = −V(D, G).
 * Minimising it is D's half of the minimax game. It is 2 ln 2 ≈ 1.386 when D says ½ to everything.
 */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(minimaxValue(realLogits, fakeLogits)) as tf.Scalar);
}

/**
 * G's half of the minimax game as written: minimise E_z[log(1 − D(G(z)))].
 * Saturates: when D confidently rejects the fakes (D(G(z)) → 0, early in training) its gradient
 * with respect to D's logit is −σ(a) = −D(G(z)) → 0, so G learns nothing just when it most needs to.
 */
export function saturatingGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  checkNotEmpty("saturatingGeneratorLoss", fakeLogits);
  return tf.tidy(() => tf.mean(logOneMinusD(fakeLogits)) as tf.Scalar);
}

/**
 * The non-saturating generator loss (Goodfellow et al. 2014, §3): minimise −E_z[log D(G(z))].
 * Same fixed point, but its gradient with respect to D's logit is −(1 − D(G(z))) → −1 as D(G(z)) → 0:
 * strongest exactly when the fakes are worst.
 */
export function nonSaturatingGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  checkNotEmpty("nonSaturatingGeneratorLoss", fakeLogits);
  return tf.tidy(() => tf.neg(tf.mean(logD(fakeLogits))) as tf.Scalar);
}

export type GeneratorLossKind = "non-saturating" | "saturating";

/** The generator loss by name. */
export function generatorLoss(kind: GeneratorLossKind, fakeLogits: tf.Tensor): tf.Scalar {
  if (kind === "non-saturating") return nonSaturatingGeneratorLoss(fakeLogits);
  if (kind === "saturating") return saturatingGeneratorLoss(fakeLogits);
  throw new Error(`generatorLoss: "${kind}" is not "non-saturating" or "saturating"`);
}
