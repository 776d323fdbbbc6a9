/**
 * A dense autoencoder: an encoder f maps an input x ∈ R^D to a code h = f(x), and a decoder g,
 * its mirror image, maps the code back to a reconstruction x̂ = g(h) ∈ R^D. The input is its own
 * target: no labels anywhere.
 *
 *   x [batch, D] ─► dense(hidden[0]) ─► … ─► dense(hidden[last]) = code h [batch, codeSize]
 *   h            ─► dense(hidden[last-1]) ─► … ─► dense(D) = logits z ─► σ(z) = x̂ [batch, D]
 *
 * Undercomplete when the code is narrower than the input (it must compress), overcomplete when
 * it is at least as wide (it may just copy). `dropout` drops hidden units while training (never
 * the input, never the output), the regularised autoencoder of the lecture.
 *
 * The decoder's last layer returns logits; the sigmoid is applied by `reconstruct` and, fused
 * with the cross-entropy, by the loss (lib/losses/reconstruction.ts), which is the same maths
 * computed without log 0.
 */
import * as tf from "@tensorflow/tfjs";

export interface DenseAutoencoderConfig {
  /** D, the size of an input (784 for MNIST). */
  inputSize?: number;
  /** Widths of the encoder's layers; the last is the code. The decoder mirrors them. */
  hiddenSizes: number[];
  /** Activation of every hidden layer, code included (default relu: exact zeros, so sparsity is visible). */
  activation?: "relu" | "sigmoid" | "tanh" | "elu" | "linear";
  /** Dropout rate on each hidden layer's units while training (default 0: none). */
  dropout?: number;
  name?: string;
}

export interface DenseAutoencoder {
  config: Required<DenseAutoencoderConfig>;
  encoder: tf.Sequential;
  decoder: tf.Sequential;
  /** The code h = f(x). x: [batch, D] → [batch, codeSize] */
  encode(x: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /** The decoder's logits z, x̂ = σ(z). h: [batch, codeSize] → [batch, D] */
  decodeLogits(h: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /** Both at once, for losses that need the code (sparsity). */
  forward(x: tf.Tensor2D, training?: boolean): { code: tf.Tensor2D; logits: tf.Tensor2D };
  /** x̂ = σ(g(f(x))) in inference mode. [batch, D] → [batch, D] */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D;
  trainableWeights(): tf.Variable[];
  countParams(): number;
  /** "784-128-32-128-784" */
  describe(): string;
  dispose(): void;
}

export function denseAutoencoder(config: DenseAutoencoderConfig): DenseAutoencoder {
  const cfg: Required<DenseAutoencoderConfig> = { inputSize: 784, activation: "relu", dropout: 0, name: "autoencoder", ...config };
  const { inputSize, hiddenSizes, activation, dropout, name } = cfg;
  if (hiddenSizes.length === 0 || hiddenSizes.some((n) => !(Number.isInteger(n) && n > 0))) {
    throw new Error(`denseAutoencoder: hiddenSizes must be positive integers, got [${hiddenSizes}]`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`denseAutoencoder: dropout must be in [0, 1), got ${dropout}`);

  const hiddenLayers = (widths: number[], inputDim: number, prefix: string): tf.layers.Layer[] => {
    const layers: tf.layers.Layer[] = [];
    widths.forEach((units, i) => {
      layers.push(tf.layers.dense({ units, activation, name: `${name}_${prefix}${i}`, ...(i === 0 ? { inputShape: [inputDim] } : {}) }));
      if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout, name: `${name}_${prefix}${i}_dropout` }));
    });
    return layers;
  };

  // encoder: D → hidden[0] → … → code
  const encoder = tf.sequential({ name: `${name}_encoder`, layers: hiddenLayers(hiddenSizes, inputSize, "enc") });
  // With dropout, the code layer is followed by a dropout layer too: it drops code units while training.
  // decoder: code → hidden[last-1] → … → hidden[0] → D logits
  const codeSize = hiddenSizes[hiddenSizes.length - 1];
  const mirrored = hiddenSizes.slice(0, -1).reverse();
  const decoderLayers = hiddenLayers(mirrored, codeSize, "dec");
  decoderLayers.push(tf.layers.dense({ units: inputSize, name: `${name}_logits`, ...(mirrored.length === 0 ? { inputShape: [codeSize] } : {}) }));
  const decoder = tf.sequential({ name: `${name}_decoder`, layers: decoderLayers });

  const check = (x: tf.Tensor, width: number, what: string) => {
    if (x.rank !== 2 || x.shape[1] !== width) throw new Error(`${name}.${what}: expected [batch, ${width}], got [${x.shape}]`);
  };
  const encode = (x: tf.Tensor2D, training = false) => {
    check(x, inputSize, "encode");
    return encoder.apply(x, { training }) as tf.Tensor2D;
  };
  const decodeLogits = (h: tf.Tensor2D, training = false) => {
    check(h, codeSize, "decode");
    return decoder.apply(h, { training }) as tf.Tensor2D;
  };
  return {
    config: cfg,
    encoder,
    decoder,
    encode,
    decodeLogits,
    forward(x, training = false) {
      const code = encode(x, training);
      return { code, logits: decodeLogits(code, training) };
    },
    reconstruct: (x) => tf.tidy(() => tf.sigmoid(decodeLogits(encode(x, false), false))),
    trainableWeights: () => layerVariables([...encoder.trainableWeights, ...decoder.trainableWeights]),
    countParams: () => encoder.countParams() + decoder.countParams(),
    describe: () => [inputSize, ...hiddenSizes, ...mirrored, inputSize].join("-") + (dropout > 0 ? ` (dropout ${dropout})` : ""),
    dispose() {
      encoder.dispose();
      decoder.dispose();
    },
  };
}

/** The tf.Variables behind layers' weights, for optimizer.minimize's varList. (LayerVariable.read() returns the variable itself.) */
export function layerVariables(weights: { read(): tf.Tensor }[]): tf.Variable[] {
  return weights.map((w) => w.read() as tf.Variable);
}
