/**
 * The two players of a generative adversarial network (Goodfellow et al., 2014), as dense nets:
 *
 *   generator      G: z ∈ R^noiseDim  →  a fake input (a 784-pixel digit, or a number for the toy GAN)
 *   discriminator  D: x               →  one logit a, with D(x) = σ(a) = P(x is real)
 *
 * D returns the logit, not the probability: the losses (../losses/gan.ts) take log σ(a) directly,
 * which stays finite where log(σ(a)) would round to log 0.
 *
 * No batch normalisation here on purpose: its moving averages are weights that change whenever the
 * layer runs in training mode, so the frozen side of an alternating step would not stay frozen.
 */
import * as tf from "@tensorflow/tfjs";

/** Where the generator's noise comes from. */
export type GanNoiseKind = "gaussian" | "uniform";

/** z: [count, noiseDim], either N(0, 1) or U(−1, 1) in every coordinate (seeded by `seed()`). */
export function sampleGanNoise(count: number, noiseDim: number, kind: GanNoiseKind = "gaussian"): tf.Tensor2D {
  if (!(Number.isInteger(count) && count > 0)) throw new Error(`sampleGanNoise: count must be a positive integer, got ${count}`);
  if (!(Number.isInteger(noiseDim) && noiseDim > 0)) throw new Error(`sampleGanNoise: noiseDim must be a positive integer, got ${noiseDim}`);
  if (kind === "gaussian") return tf.randomNormal([count, noiseDim]);
  if (kind === "uniform") return tf.randomUniform([count, noiseDim], -1, 1);
  throw new Error(`sampleGanNoise: noise kind "${kind}" is not "gaussian" or "uniform"`);
}

export interface DenseGeneratorConfig {
  /** Length of z (default 100). */
  noiseDim?: number;
  /** Widths of the hidden layers (default [256]: G 100-256-784). */
  hidden?: number[];
  /** Length of a generated sample (default 784 = 28×28). */
  outputDim?: number;
  /** "sigmoid" for pixels in [0, 1] (default; learns faster than tanh here), "tanh" for [−1, 1], "linear" for the toy GAN. */
  outputActivation?: "sigmoid" | "tanh" | "linear";
  /** Slope of LeakyReLU for negative inputs (default 0.2). */
  leak?: number;
  name?: string;
}

/** G: [batch, noiseDim] → [batch, outputDim]. */
export function buildDenseGenerator(config: DenseGeneratorConfig = {}): tf.Sequential {
  const { noiseDim = 100, hidden = [256], outputDim = 784, outputActivation = "sigmoid", leak = 0.2, name = "generator" } = config;
  const model = tf.sequential({ name });
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({ units, ...(i === 0 ? { inputShape: [noiseDim] } : {}), name: `${name}_dense${i + 1}` }));
    model.add(tf.layers.leakyReLU({ alpha: leak, name: `${name}_leaky${i + 1}` }));
  });
  model.add(
    tf.layers.dense({ units: outputDim, activation: outputActivation, ...(hidden.length === 0 ? { inputShape: [noiseDim] } : {}), name: `${name}_out` }),
  );
  return model;
}

export interface DenseDiscriminatorConfig {
  /** Length of an input (default 784). */
  inputDim?: number;
  /** Widths of the hidden layers (default [256]: D 784-256-1). */
  hidden?: number[];
  leak?: number;
  name?: string;
}

/** D: [batch, inputDim] → logits [batch, 1]; D(x) = sigmoid(logit). */
export function buildDenseDiscriminator(config: DenseDiscriminatorConfig = {}): tf.Sequential {
  const { inputDim = 784, hidden = [256], leak = 0.2, name = "discriminator" } = config;
  const model = tf.sequential({ name });
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({ units, ...(i === 0 ? { inputShape: [inputDim] } : {}), name: `${name}_dense${i + 1}` }));
    model.add(tf.layers.leakyReLU({ alpha: leak, name: `${name}_leaky${i + 1}` }));
  });
  model.add(tf.layers.dense({ units: 1, ...(hidden.length === 0 ? { inputShape: [inputDim] } : {}), name: `${name}_logit` }));
  return model;
}

/** n samples from G, computed in inference mode: [n, outputDim]. The caller disposes. */
export function generateGanSamples(generator: tf.LayersModel, count: number, noise: GanNoiseKind = "gaussian"): tf.Tensor2D {
  const noiseDim = generator.inputs[0].shape[1];
  if (noiseDim == null) throw new Error("generateGanSamples: the generator's input has no fixed noise length");
  return tf.tidy(() => generator.predict(sampleGanNoise(count, noiseDim, noise)) as tf.Tensor2D);
}
