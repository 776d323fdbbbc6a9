/**
 * An encoder-decoder transformer for sequence to sequence (Vaswani et al., 2017), small.
 *
 *   source ids [b, ts] ─embed + PE─► encoder blocks ─► memory [b, ts, d]
 *   target ids [b, tt] ─embed + PE─► decoder blocks (causal self-attention, cross-attention to memory)
 *                                    ─► logits [b, tt, targetVocab]
 *
 * Trained with teacher forcing: the decoder reads [BOS] y₁ … y_{n-1} and must predict
 * y₁ … y_n [EOS] at the same positions, all at once (the causal mask keeps each position from
 * seeing the answer). Decoded greedily: start from [BOS], append the likeliest token, repeat
 * until [EOS]. Padding ([PAD] = 0) is masked in attention and in the loss.
 */
import * as tf from "@tensorflow/tfjs";
import { paddingMask } from "../layers/attention";
import { AddPositionalEncoding } from "../layers/positionalEncoding";
import { NormPlacement, TransformerDecoderBlock, TransformerEncoderBlock } from "../layers/transformerBlock";

export interface Seq2SeqConfig {
  sourceVocabSize: number;
  targetVocabSize: number;
  maxSourceLen: number;
  maxTargetLen: number;
  dModel?: number;
  numHeads?: number;
  ffDim?: number;
  encoderLayers?: number;
  decoderLayers?: number;
  dropout?: number;
  norm?: NormPlacement;
  padId?: number;
  bosId?: number;
  eosId?: number;
}

export class Seq2SeqTransformer {
  readonly config: Required<Seq2SeqConfig>;
  readonly sourceEmbedding: tf.layers.Layer;
  readonly targetEmbedding: tf.layers.Layer;
  readonly sourcePosition: AddPositionalEncoding;
  readonly targetPosition: AddPositionalEncoding;
  readonly encoder: TransformerEncoderBlock[];
  readonly decoder: TransformerDecoderBlock[];
  readonly readout: tf.layers.Layer;
  /** Pre-norm stacks end with a layer norm of their own (post-norm blocks already end normalised). */
  readonly encoderNorm: tf.layers.Layer | null;
  readonly decoderNorm: tf.layers.Layer | null;

  constructor(config: Seq2SeqConfig) {
    const c: Required<Seq2SeqConfig> = {
      dModel: 64,
      numHeads: 4,
      ffDim: 128,
      encoderLayers: 2,
      decoderLayers: 2,
      dropout: 0.1,
      norm: "pre",
      padId: 0,
      bosId: 1,
      eosId: 2,
      ...config,
    };
    this.config = c;
    const block = { numHeads: c.numHeads, dModel: c.dModel, ffDim: c.ffDim, dropout: c.dropout, norm: c.norm };
    this.sourceEmbedding = tf.layers.embedding({ inputDim: c.sourceVocabSize, outputDim: c.dModel, name: "source_embedding" });
    this.targetEmbedding = tf.layers.embedding({ inputDim: c.targetVocabSize, outputDim: c.dModel, name: "target_embedding" });
    // Embeddings are scaled by √d before the encoding is added, as in the original transformer.
    this.sourcePosition = new AddPositionalEncoding({ maxLen: c.maxSourceLen, dModel: c.dModel, scaleInput: true });
    this.targetPosition = new AddPositionalEncoding({ maxLen: c.maxTargetLen, dModel: c.dModel, scaleInput: true });
    this.encoder = Array.from({ length: c.encoderLayers }, (_, i) => new TransformerEncoderBlock({ ...block, name: `encoder_${i}` }));
    this.decoder = Array.from({ length: c.decoderLayers }, (_, i) => new TransformerDecoderBlock({ ...block, name: `decoder_${i}` }));
    this.readout = tf.layers.dense({ units: c.targetVocabSize, name: "readout" });
    this.encoderNorm = c.norm === "pre" ? tf.layers.layerNormalization({ epsilon: 1e-5, name: "encoder_norm" }) : null;
    this.decoderNorm = c.norm === "pre" ? tf.layers.layerNormalization({ epsilon: 1e-5, name: "decoder_norm" }) : null;
  }

  /** source: [b, ts] int32 → memory [b, ts, d] and the source padding mask [b, 1, 1, ts]. */
  encode(source: tf.Tensor2D, training = false): { memory: tf.Tensor3D; sourceMask: tf.Tensor4D } {
    return tf.tidy(() => {
      const sourceMask = paddingMask(source, this.config.padId);
      let h = this.sourcePosition.apply(this.sourceEmbedding.apply(source)) as tf.Tensor3D;
      for (const block of this.encoder) h = block.apply(h, { mask: sourceMask, training }) as tf.Tensor3D;
      if (this.encoderNorm) h = this.encoderNorm.apply(h) as tf.Tensor3D;
      return { memory: h, sourceMask };
    });
  }

  /** Decoder pass over a target prefix: [b, tt] int32 → logits [b, tt, targetVocab]. */
  decode(targetIn: tf.Tensor2D, memory: tf.Tensor3D, sourceMask: tf.Tensor4D, training = false): tf.Tensor3D {
    return tf.tidy(() => {
      const targetMask = paddingMask(targetIn, this.config.padId);
      let h = this.targetPosition.apply(this.targetEmbedding.apply(targetIn)) as tf.Tensor3D;
      for (const block of this.decoder) h = block.apply([h, memory], { mask: targetMask, memoryMask: sourceMask, training }) as tf.Tensor3D;
      if (this.decoderNorm) h = this.decoderNorm.apply(h) as tf.Tensor3D;
      const [b, t, d] = h.shape;
      return (this.readout.apply(h.reshape([b * t, d])) as tf.Tensor2D).reshape([b, t, this.config.targetVocabSize]) as tf.Tensor3D;
    });
  }

  /** Teacher-forced cross-entropy, averaged over the non-padding target tokens. */
  loss(source: tf.Tensor2D, targetIn: tf.Tensor2D, targetOut: tf.Tensor2D, training = true): tf.Scalar {
    return tf.tidy(() => {
      const { memory, sourceMask } = this.encode(source, training);
      const logits = this.decode(targetIn, memory, sourceMask, training);
      const [b, t, v] = logits.shape;
      const labels = tf.oneHot(tf.cast(targetOut.reshape([b * t]), "int32"), v);
      const weights = tf.cast(tf.notEqual(targetOut.reshape([b * t]), this.config.padId), "float32");
      return tf.losses.softmaxCrossEntropy(labels, logits.reshape([b * t, v]), weights) as tf.Scalar;
    });
  }

  /** Greedy decoding of a batch: source [b, ts] → target ids (without [BOS]/[EOS]), one array per example. */
  greedyDecode(source: tf.Tensor2D, maxLen = this.config.maxTargetLen - 1): number[][] {
    const b = source.shape[0];
    const { memory, sourceMask } = this.encode(source, false);
    const sequences = Array.from({ length: b }, () => [this.config.bosId]);
    const done = new Array(b).fill(false);
    for (let step = 0; step < maxLen && done.some((d) => !d); step++) {
      // Re-run the decoder over the whole prefix: simple, and cheap at these lengths.
      const next = tf.tidy(() => {
        const prefix = tf.tensor2d(sequences.flat(), [b, step + 1], "int32");
        const logits = this.decode(prefix, memory, sourceMask, false); // [b, step+1, v]
        return logits.slice([0, step, 0], [b, 1, this.config.targetVocabSize]).argMax(-1).reshape([b]);
      });
      const ids = next.dataSync();
      next.dispose();
      for (let i = 0; i < b; i++) {
        const id = done[i] ? this.config.padId : ids[i];
        sequences[i].push(id);
        if (id === this.config.eosId) done[i] = true;
      }
    }
    tf.dispose([memory, sourceMask]);
    return sequences.map((s) => {
      const out = s.slice(1);
      const end = out.indexOf(this.config.eosId);
      return (end >= 0 ? out.slice(0, end) : out).filter((id) => id !== this.config.padId);
    });
  }

  /** Keep each decoder block's cross-attention weights ([b, heads, tt, ts]) in `block.crossAttention.lastAttention`. */
  recordCrossAttention(on: boolean): void {
    for (const block of this.decoder) block.crossAttention.recordAttention = on;
  }

  /** Creates the weights (layers build on their first call) with a dummy batch. */
  build(): this {
    tf.tidy(() => {
      const src = tf.zeros([1, 2], "int32") as tf.Tensor2D;
      const tgt = tf.fill([1, 2], this.config.bosId, "int32") as tf.Tensor2D;
      const { memory, sourceMask } = this.encode(src);
      this.decode(tgt, memory, sourceMask);
    });
    return this;
  }

  get layers(): tf.layers.Layer[] {
    const norms = [this.encoderNorm, this.decoderNorm].filter((l): l is tf.layers.Layer => l != null);
    return [this.sourceEmbedding, this.targetEmbedding, ...this.encoder, ...this.decoder, ...norms, this.readout];
  }

  get trainableVariables(): tf.Variable[] {
    if (!this.readout.built) this.build();
    return this.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  get paramCount(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  dispose(): void {
    for (const l of [...this.layers, this.sourcePosition, this.targetPosition]) l.dispose();
  }
}

/** Pads id sequences to one length: [n, length] int32. */
export function padIdBatch(sequences: number[][], length: number, padId = 0): tf.Tensor2D {
  const out = new Int32Array(sequences.length * length).fill(padId);
  sequences.forEach((s, i) => {
    if (s.length > length) throw new Error(`padIdBatch: a sequence of ${s.length} does not fit in ${length}`);
    out.set(s, i * length);
  });
  return tf.tensor2d(out, [sequences.length, length], "int32");
}
