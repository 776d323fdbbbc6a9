/**
 * A variational autoencoder: a stochastic encoder q(h|x) and a stochastic decoder p(x|h).
 *
 *   encoder  x [batch, D] ─► dense … ─► μ(x), log σ²(x)   [batch, latent] each
 *            q(h|x) = N(h; μ(x), diag σ²(x))
 *   sample   h = μ + σ ⊙ ε,  ε ~ N(0, I)                  (reparameterisation: the randomness
 *                                                        is an input, so gradients reach μ, σ)
 *   decoder  h ─► dense … ─► logits z [batch, D]
 *            p(x|h) = Π_j Bernoulli(x_j; σ(z_j))
 *   prior    p(h) = N(0, I)
 *
 * Training maximises the evidence lower bound, for each x,
 *
 *   ELBO(x) = E_q[log p(x|h)] − KL(q(h|x) ‖ p(h)) ≤ log p(x)
 *
 * with the expectation estimated by one sample and the KL term in closed form:
 *
 *   KL = −½ Σ_k (1 + log σ_k² − μ_k² − σ_k²)
 */
import * as tf from "@tensorflow/tfjs";
import { binaryCrossEntropyFromLogitsPerExample } from "../losses/reconstruction";
import { layerVariables } from "./autoencoder";
import { checkNotEmpty } from "../losses/checks";

export interface VaeConfig {
  inputSize?: number;
  /** Widths of the encoder's hidden layers; the decoder mirrors them (default [256]). */
  hiddenSizes?: number[];
  /** Size of the latent code h (default 2, so that it can be drawn). */
  latentSize?: number;
  activation?: "relu" | "tanh" | "elu";
  name?: string;
}

export interface VaeOutput {
  mean: tf.Tensor2D; // [batch, latent]
  logVar: tf.Tensor2D; // [batch, latent]
  h: tf.Tensor2D; // [batch, latent], a sample of q(h|x)
  logits: tf.Tensor2D; // [batch, D]
}

export interface Vae {
  config: Required<VaeConfig>;
  encoder: tf.Sequential; // x → [μ, log σ²] concatenated: [batch, 2·latent]
  decoder: tf.Sequential; // h → logits [batch, D]
  /** μ(x) and log σ²(x). */
  encode(x: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** E[x|h] = σ(logits): [batch, latent] → [batch, D] */
  decode(h: tf.Tensor2D): tf.Tensor2D;
  /** A full stochastic pass: encode, sample h by reparameterisation, decode. */
  forward(x: tf.Tensor2D): VaeOutput;
  /** New images from the prior: h ~ N(0, I), x = E[x|h]. [n, D] */
  sample(n: number): tf.Tensor2D;
  trainableWeights(): tf.Variable[];
  countParams(): number;
  dispose(): void;
}

export function variationalAutoencoder(config: VaeConfig = {}): Vae {
  const cfg: Required<VaeConfig> = { inputSize: 784, hiddenSizes: [256], latentSize: 2, activation: "relu", name: "vae", ...config };
  const { inputSize, hiddenSizes, latentSize, activation, name } = cfg;
  if (!(Number.isInteger(latentSize) && latentSize > 0)) throw new Error(`variationalAutoencoder: latentSize must be a positive integer, got ${latentSize}`);

  const encoder = tf.sequential({ name: `${name}_encoder` });
  hiddenSizes.forEach((units, i) => encoder.add(tf.layers.dense({ units, activation, name: `${name}_enc${i}`, ...(i === 0 ? { inputShape: [inputSize] } : {}) })));
  // One linear layer gives μ and log σ² side by side; log σ² is unconstrained, so σ² = e^{log σ²} > 0.
  encoder.add(tf.layers.dense({ units: 2 * latentSize, name: `${name}_meanLogVar`, ...(hiddenSizes.length === 0 ? { inputShape: [inputSize] } : {}) }));

  const decoder = tf.sequential({ name: `${name}_decoder` });
  [...hiddenSizes].reverse().forEach((units, i) => decoder.add(tf.layers.dense({ units, activation, name: `${name}_dec${i}`, ...(i === 0 ? { inputShape: [latentSize] } : {}) })));
  decoder.add(tf.layers.dense({ units: inputSize, name: `${name}_logits`, ...(hiddenSizes.length === 0 ? { inputShape: [latentSize] } : {}) }));

  const encode = (x: tf.Tensor2D) => {
    if (x.rank !== 2 || x.shape[1] !== inputSize) throw new Error(`${name}.encode: expected [batch, ${inputSize}], got [${x.shape}]`);
    const both = encoder.apply(x) as tf.Tensor2D; // [batch, 2·latent]
    const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logVar };
  };
  const decodeLogits = (h: tf.Tensor2D) => {
    if (h.rank !== 2 || h.shape[1] !== latentSize) throw new Error(`${name}.decode: expected [batch, ${latentSize}], got [${h.shape}]`);
    return decoder.apply(h) as tf.Tensor2D;
  };
  return {
    config: cfg,
    encoder,
    decoder,
    encode,
    decode: (h) => tf.tidy(() => tf.sigmoid(decodeLogits(h))),
    forward(x) {
      const { mean, logVar } = encode(x);
      const h = reparameterise(mean, logVar, tf.randomNormal(mean.shape));
      return { mean, logVar, h, logits: decodeLogits(h) };
    },
    sample: (n) => tf.tidy(() => tf.sigmoid(decodeLogits(tf.randomNormal([n, latentSize])))),
    trainableWeights: () => layerVariables([...encoder.trainableWeights, ...decoder.trainableWeights]),
    countParams: () => encoder.countParams() + decoder.countParams(),
    dispose() {
      encoder.dispose();
      decoder.dispose();
    },
  };
}

/** h = μ + σ ⊙ ε with σ = exp(½ log σ²). All [batch, latent]. */
export function reparameterise(mean: tf.Tensor, logVar: tf.Tensor, epsilon: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), epsilon)) as tf.Tensor2D);
}

/** KL(N(μ, diag σ²) ‖ N(0, I)) per example, in nats: [batch, latent] → [batch] */
export function klDivergenceToStandardNormal(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(1, logVar)), -1).mul(0.5) as tf.Tensor1D);
}

export interface ElboTerms {
  /** −ELBO averaged over the batch: the loss to minimise (nats per image). */
  loss: tf.Scalar;
  /** E_q[log p(x|h)], one-sample estimate, averaged over the batch. */
  reconstruction: tf.Scalar;
  /** KL(q(h|x) ‖ p(h)) averaged over the batch. */
  kl: tf.Scalar;
}

/** The ELBO's two terms for a batch x [batch, D] and a forward pass of it. */
export function elboTerms(x: tf.Tensor2D, out: VaeOutput): ElboTerms {
  checkNotEmpty("elboTerms", x);
  return tf.tidy(() => {
    const logLikelihood = binaryCrossEntropyFromLogitsPerExample(out.logits, x).neg(); // log p(x|h): [batch]
    const kl = klDivergenceToStandardNormal(out.mean, out.logVar); // [batch]
    const reconstruction = logLikelihood.mean() as tf.Scalar;
    const klMean = kl.mean() as tf.Scalar;
    return { loss: tf.sub(klMean, reconstruction) as tf.Scalar, reconstruction, kl: klMean };
  });
}
