/**
 * A small GPT: a decoder-only transformer (Radford et al., 2018), the contrast to BERT.
 *
 *   ids [b, T] ─token embedding + position embedding─► causal blocks (pre-norm) ─► LayerNorm ─► logits [b, T, V]
 *
 * Every position predicts the next token from the tokens up to itself (the causal mask), so one
 * forward pass over T tokens gives T training examples. Generation feeds the sampled token back
 * in, one at a time, keeping the last `contextLen` tokens. Positions are learned vectors, as in GPT.
 */
import * as tf from "@tensorflow/tfjs";
import { TransformerEncoderBlock } from "../layers/transformerBlock";
import { random } from "../seed";
import { sampleFromLogits } from "./charLstm";

export interface GptConfig {
  vocabSize: number;
  contextLen: number;
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  ffDim?: number;
  dropout?: number;
}

export class Gpt {
  readonly config: Required<GptConfig>;
  readonly tokenEmbedding: tf.layers.Layer;
  readonly positionEmbedding: tf.layers.Layer;
  readonly blocks: TransformerEncoderBlock[];
  readonly finalNorm: tf.layers.Layer;
  readonly readout: tf.layers.Layer;

  constructor(config: GptConfig) {
    const c: Required<GptConfig> = { dModel: 64, numHeads: 4, numLayers: 2, ffDim: 256, dropout: 0.1, ...config };
    this.config = c;
    this.tokenEmbedding = tf.layers.embedding({ inputDim: c.vocabSize, outputDim: c.dModel, name: "token_embedding", embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) });
    this.positionEmbedding = tf.layers.embedding({ inputDim: c.contextLen, outputDim: c.dModel, name: "position_embedding", embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) });
    this.blocks = Array.from(
      { length: c.numLayers },
      (_, i) => new TransformerEncoderBlock({ numHeads: c.numHeads, dModel: c.dModel, ffDim: c.ffDim, dropout: c.dropout, norm: "pre", causal: true, activation: "gelu", name: `gpt_block_${i}` }),
    );
    this.finalNorm = tf.layers.layerNormalization({ epsilon: 1e-5, name: "final_norm" });
    this.readout = tf.layers.dense({ units: c.vocabSize, name: "readout" });
  }

  /** ids: [b, T] int32 (T ≤ contextLen) → logits [b, T, V]. */
  logits(ids: tf.Tensor2D, training = false): tf.Tensor3D {
    const [b, t] = ids.shape;
    if (t > this.config.contextLen) throw new Error(`Gpt: ${t} tokens exceed the context of ${this.config.contextLen}`);
    return tf.tidy(() => {
      const positions = tf.range(0, t, 1, "int32").reshape([1, t]);
      let h = tf.add(this.tokenEmbedding.apply(ids) as tf.Tensor3D, this.positionEmbedding.apply(positions) as tf.Tensor3D) as tf.Tensor3D; // [b, t, d]
      if (training && this.config.dropout > 0) h = tf.dropout(h, this.config.dropout) as tf.Tensor3D;
      for (const block of this.blocks) h = block.apply(h, { training }) as tf.Tensor3D;
      const d = this.config.dModel;
      const flat = this.finalNorm.apply(h.reshape([b * t, d])) as tf.Tensor2D;
      return (this.readout.apply(flat) as tf.Tensor2D).reshape([b, t, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Next-token cross-entropy (nats): inputs [b, T], targets [b, T] (the inputs shifted by one). */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D, training = true): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(inputs, training);
      const [b, t, v] = logits.shape;
      const labels = tf.oneHot(tf.cast(targets.reshape([b * t]), "int32"), v);
      return tf.losses.softmaxCrossEntropy(labels, logits.reshape([b * t, v])) as tf.Scalar;
    });
  }

  /** Held-out bits per character over windows of contextLen (every position scored), like CharLstm.bitsPerChar. */
  bitsPerToken(ids: Int32Array, options: { batchSize?: number; maxWindows?: number } = {}): number {
    const T = this.config.contextLen;
    let n = Math.floor((ids.length - 1) / T);
    if (options.maxWindows != null) n = Math.min(n, options.maxWindows);
    const bs = options.batchSize ?? 64;
    let total = 0;
    for (let s = 0; s < n; s += bs) {
      const k = Math.min(bs, n - s);
      const x = new Int32Array(k * T);
      const y = new Int32Array(k * T);
      for (let j = 0; j < k; j++) {
        x.set(ids.subarray((s + j) * T, (s + j + 1) * T), j * T);
        y.set(ids.subarray((s + j) * T + 1, (s + j + 1) * T + 1), j * T);
      }
      const l = tf.tidy(() => this.loss(tf.tensor2d(x, [k, T], "int32"), tf.tensor2d(y, [k, T], "int32"), false));
      total += l.dataSync()[0] * k;
      l.dispose();
    }
    return total / n / Math.LN2;
  }

  /** Samples `length` tokens after `prompt`, at `temperature` (0 = greedy). */
  generate(prompt: ArrayLike<number>, length: number, temperature = 1, rng: () => number = random): number[] {
    const ids = Array.from(prompt);
    if (ids.length === 0) throw new Error("Gpt.generate: the prompt needs at least one token");
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      const context = ids.slice(-this.config.contextLen);
      const last = tf.tidy(() => {
        const logits = this.logits(tf.tensor2d(context, [1, context.length], "int32"));
        return logits.slice([0, context.length - 1, 0], [1, 1, this.config.vocabSize]).reshape([this.config.vocabSize]);
      });
      const values = last.dataSync();
      last.dispose();
      const next = sampleFromLogits(values, temperature, rng);
      ids.push(next);
      out.push(next);
    }
    return out;
  }

  /** Creates the weights with a dummy batch. */
  build(): this {
    tf.tidy(() => this.logits(tf.zeros([1, 2], "int32") as tf.Tensor2D));
    return this;
  }

  get layers(): tf.layers.Layer[] {
    return [this.tokenEmbedding, this.positionEmbedding, ...this.blocks, this.finalNorm, this.readout];
  }

  get trainableVariables(): tf.Variable[] {
    if (!this.readout.built) this.build();
    return this.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  get paramCount(): number {
    if (!this.readout.built) this.build();
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  /** The causal self-attention layer of each block, e.g. to record and plot its weights. */
  get attentionLayers() {
    return this.blocks.map((b) => b.attention);
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
