/**
 * The lecture's translator (lib/models/seq2seq.ts, English number words → digits) on weights a page
 * carries, shared by Node and the browser bundle, and the attention weights it computes on the way.
 *
 * The code that runs is the lecture's: Seq2SeqTransformer's own encode, decode and greedyDecode;
 * the blocks' own call (pre- or post-norm residuals, feed-forward); MultiHeadAttention's own call
 * (projections, heads, lib/layers/attention.ts); AddPositionalEncoding's own call. The objects are
 * made with Object.create from the lecture's classes and given plain tensors where tf.layers keeps
 * variables. Only the leaves that tf.layers itself provides (the page has tfjs-core, not tf.layers)
 * are stand-ins: Embedding (gather, as tf.layers does), Dense (a fused matMul, as tf.layers does:
 * ./denseStack.ts) and LayerNormalization (lib/layers/layerNorm.ts, which the lectures' initBackend
 * puts in place of tf.layers' own).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Seq2SeqTransformer, Seq2SeqConfig, padIdBatch } from "../../models/seq2seq";
import { TransformerDecoderBlock, TransformerEncoderBlock, FeedForward } from "../../layers/transformerBlock";
import { MultiHeadAttention } from "../../layers/multiHeadAttention";
import { AddPositionalEncoding, positionalEncoding } from "../../layers/positionalEncoding";
import { Seq2SeqVocab } from "../../data/translation";
import { layerNorm } from "../../layers/layerNorm";
import { decodeArray } from "./encoding";
import { runStack } from "./denseStack";
import type { TranslatorPayload } from "./payloads";

type Weights = Record<string, tf.Tensor>;
/** What the lecture's classes call on a sublayer: apply(inputs, kwargs). */
type Applies = { apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor };

/** The names under which a translator's weights travel, with their tensors (read from the lecture's model). */
export function translatorWeights(model: Seq2SeqTransformer): Record<string, tf.Tensor> {
  if (!model.readout.built) model.build();
  const out: Record<string, tf.Tensor> = {};
  const layerWeights = (prefix: string, layer: { getWeights(): tf.Tensor[] }, names: string[]) => {
    const w = layer.getWeights();
    if (w.length !== names.length) throw new Error(`translator widget: ${prefix} has ${w.length} weights, expected ${names.length}`);
    names.forEach((n, i) => (out[`${prefix}.${n}`] = w[i]));
  };
  const attention = (prefix: string, mha: MultiHeadAttention) => {
    const p = mha.projections();
    for (const k of ["wq", "wk", "wv", "wo", "bq", "bk", "bv", "bo"] as const) {
      if (!p[k]) throw new Error(`translator widget: ${prefix} has no ${k} (attention without biases is not carried)`);
      out[`${prefix}.${k}`] = p[k]!;
    }
  };
  const block = (prefix: string, b: TransformerEncoderBlock | TransformerDecoderBlock) => {
    const parts = b as unknown as Record<string, { getWeights(): tf.Tensor[] }> & { ffn: FeedForward };
    if (b instanceof TransformerEncoderBlock) attention(`${prefix}.attention`, b.attention);
    else {
      attention(`${prefix}.selfAttention`, b.selfAttention);
      attention(`${prefix}.crossAttention`, b.crossAttention);
    }
    for (const norm of b instanceof TransformerEncoderBlock ? ["norm1", "norm2"] : ["norm1", "norm2", "norm3"]) layerWeights(`${prefix}.${norm}`, parts[norm], ["gamma", "beta"]);
    layerWeights(`${prefix}.ffn.inner`, parts.ffn.inner, ["kernel", "bias"]);
    layerWeights(`${prefix}.ffn.outer`, parts.ffn.outer, ["kernel", "bias"]);
  };
  layerWeights("sourceEmbedding", model.sourceEmbedding, ["table"]);
  layerWeights("targetEmbedding", model.targetEmbedding, ["table"]);
  model.encoder.forEach((b, i) => block(`encoder.${i}`, b));
  model.decoder.forEach((b, i) => block(`decoder.${i}`, b));
  if (model.encoderNorm) layerWeights("encoderNorm", model.encoderNorm, ["gamma", "beta"]);
  if (model.decoderNorm) layerWeights("decoderNorm", model.decoderNorm, ["gamma", "beta"]);
  layerWeights("readout", model.readout, ["kernel", "bias"]);
  return out;
}

/** Embedding.call: gather the rows of the table for the flattened ids, reshape to [..., d]. */
function embedding(table: tf.Tensor2D): Applies {
  return {
    apply: (ids) =>
      tf.tidy(() => {
        const x = ids as tf.Tensor;
        return tf.reshape(tf.gather(table, tf.reshape(tf.cast(x, "int32"), [x.size])), [...x.shape, table.shape[1]]);
      }),
  };
}

/**
 * LayerNormalization as the lectures run it: their initBackend() replaces tf.layers' call (moments,
 * tiles, batchNorm) by lib/layers/layerNorm.ts on every backend (lib/accel/layerNormalization.ts);
 * the page runs that same function.
 */
function layerNormLayer(gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): Applies {
  return { apply: (inputs) => tf.tidy(() => layerNorm(inputs as tf.Tensor3D, gamma, beta, epsilon)) };
}

/** Dense.call on [rows, in]: one fused matMul with the bias and relu or no activation. */
function denseLayer(kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: "relu" | "linear"): Applies {
  return { apply: (x) => runStack([{ op: "dense", kernel, bias, activation }], x as tf.Tensor2D) };
}

/** A layer object of the lecture's class, with plain fields set and `apply` running its own `call`. */
function lectureLayer<T extends object>(proto: T, fields: Record<string, unknown>): T {
  const layer = Object.assign(Object.create(proto), fields);
  layer.apply = (inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>) => (proto as unknown as { call: Function }).call.call(layer, inputs, kwargs);
  return layer as T;
}

export interface DecodedTranslator {
  model: Seq2SeqTransformer;
  tensors: tf.Tensor[];
  sourceTokens: string[];
  /** The target side's vocabulary: the lecture turns ids into digits with its decode. */
  target: Seq2SeqVocab;
}

/** The lecture's Seq2SeqTransformer, standing on the page's decoded weights. */
export function decodeTranslator(payload: TranslatorPayload): DecodedTranslator {
  const c = payload.config;
  const w: Weights = {};
  for (const [name, e] of Object.entries(payload.weights)) w[name] = tf.tensor(decodeArray(e), e.shape);
  const need = (name: string) => {
    if (!w[name]) throw new Error(`the translator's payload has no weight "${name}"`);
    return w[name];
  };
  const mha = (prefix: string, causal: boolean) => {
    const v = (k: string) => ({ read: () => need(`${prefix}.${k}`) });
    return lectureLayer(MultiHeadAttention.prototype, {
      name: prefix, numHeads: c.numHeads, dModel: c.dModel, headDim: c.dModel / c.numHeads, dropoutRate: 0, causal, useBias: true,
      recordAttention: false, lastAttention: null, wq: v("wq"), wk: v("wk"), wv: v("wv"), wo: v("wo"), bq: v("bq"), bk: v("bk"), bv: v("bv"), bo: v("bo"),
    });
  };
  const norm = (prefix: string) => layerNormLayer(need(`${prefix}.gamma`) as tf.Tensor1D, need(`${prefix}.beta`) as tf.Tensor1D, 1e-5);
  const ffn = (prefix: string) =>
    Object.assign(Object.create(FeedForward.prototype), {
      inner: denseLayer(need(`${prefix}.inner.kernel`) as tf.Tensor2D, need(`${prefix}.inner.bias`) as tf.Tensor1D, "relu"),
      outer: denseLayer(need(`${prefix}.outer.kernel`) as tf.Tensor2D, need(`${prefix}.outer.bias`) as tf.Tensor1D, "linear"),
    });
  const blockFields = { numHeads: c.numHeads, dModel: c.dModel, ffDim: c.ffDim, dropoutRate: 0, norm: c.norm, activation: "relu", epsilon: 1e-5 };
  const encoder = Array.from({ length: c.encoderLayers }, (_, i) =>
    lectureLayer(TransformerEncoderBlock.prototype, { ...blockFields, name: `encoder_${i}`, causal: false, attention: mha(`encoder.${i}.attention`, false), norm1: norm(`encoder.${i}.norm1`), norm2: norm(`encoder.${i}.norm2`), ffn: ffn(`encoder.${i}.ffn`) }),
  );
  const decoder = Array.from({ length: c.decoderLayers }, (_, i) =>
    lectureLayer(TransformerDecoderBlock.prototype, {
      ...blockFields, name: `decoder_${i}`, selfAttention: mha(`decoder.${i}.selfAttention`, true), crossAttention: mha(`decoder.${i}.crossAttention`, false),
      norm1: norm(`decoder.${i}.norm1`), norm2: norm(`decoder.${i}.norm2`), norm3: norm(`decoder.${i}.norm3`), ffn: ffn(`decoder.${i}.ffn`),
    }),
  );
  // The table made now (the layer makes it on its first call): a page's tensor count is flat from the start.
  const position = (maxLen: number) => lectureLayer(AddPositionalEncoding.prototype, { name: "position", maxLen, dModel: c.dModel, scaleInput: true, table: positionalEncoding(maxLen, c.dModel) });
  const config: Required<Seq2SeqConfig> = { ...c, dropout: 0 };
  const model = Object.assign(Object.create(Seq2SeqTransformer.prototype), {
    config,
    sourceEmbedding: embedding(need("sourceEmbedding.table") as tf.Tensor2D),
    targetEmbedding: embedding(need("targetEmbedding.table") as tf.Tensor2D),
    sourcePosition: position(c.maxSourceLen),
    targetPosition: position(c.maxTargetLen),
    encoder,
    decoder,
    readout: denseLayer(need("readout.kernel") as tf.Tensor2D, need("readout.bias") as tf.Tensor1D, "linear"),
    encoderNorm: c.norm === "pre" ? norm("encoderNorm") : null,
    decoderNorm: c.norm === "pre" ? norm("decoderNorm") : null,
  }) as Seq2SeqTransformer;
  const target = new Seq2SeqVocab(payload.targetTokens);
  if (target.tokens.join() !== payload.targetTokens.join()) throw new Error("the translator's target tokens are not a Seq2SeqVocab's ([PAD] [BOS] [EOS] first, no repeats)");
  return { model, tensors: Object.values(w), sourceTokens: payload.sourceTokens, target };
}

export interface SentenceAttention {
  /** The greedy translation's tokens (digits), and the decoder's positions: each output token, then [EOS] if it came. */
  output: string[];
  predicts: string[];
  /** Last encoder block's self-attention, [heads][source word][source word]. */
  encoderSelf: number[][][];
  /** Last decoder block's cross-attention, [heads][decoder position][source word]. */
  cross: number[][][];
}

/** Words of a sentence as the model reads them; unknown words and length named in the error. */
export function sourceIds(t: DecodedTranslator, words: string[]): number[] {
  const unknown = words.filter((w) => !t.sourceTokens.includes(w) || w.startsWith("["));
  if (words.length === 0) throw new Error("type a number in words, e.g. \"four thousand two hundred seven\"");
  if (unknown.length) throw new Error(`not in the model's vocabulary: ${[...new Set(unknown)].map((w) => `"${w}"`).join(", ")}`);
  const max = t.model.config.maxSourceLen;
  if (words.length > max) throw new Error(`${words.length} words: the model reads at most ${max}`);
  return words.map((w) => t.sourceTokens.indexOf(w));
}

/**
 * Translates greedily (the lecture's greedyDecode), then reruns encoder and decoder over
 * [BOS] + output with the attention recorded, as the lecture's cross-attention cell does.
 */
export function attendSentence(t: DecodedTranslator, words: string[]): SentenceAttention {
  const m = t.model;
  const ids = sourceIds(t, words);
  const source = padIdBatch([ids], m.config.maxSourceLen);
  // As the lecture's translatePairs: greedy ids, then the vocabulary's decode (up to [EOS], no [BOS]).
  const output = t.target.decode(m.greedyDecode(source, m.config.maxTargetLen)[0]);
  // As its attention cell: the decoder reads [BOS] + output; the position after the last digit predicts [EOS].
  const decoderIn = t.target.encode(output, { bos: true }).slice(0, m.config.maxTargetLen);
  const predicts = [...output, "[EOS]"].slice(0, decoderIn.length);
  const encoderAttention = m.encoder[m.encoder.length - 1].attention;
  const cross = m.decoder[m.decoder.length - 1].crossAttention;
  encoderAttention.recordAttention = true;
  cross.recordAttention = true;
  try {
    tf.tidy(() => {
      const { memory, sourceMask } = m.encode(source);
      m.decode(padIdBatch([decoderIn], decoderIn.length), memory, sourceMask);
    });
    const n = ids.length;
    const heads = (a: tf.Tensor4D, rows: number) => (a.arraySync()[0] as number[][][]).map((h) => h.slice(0, rows).map((row) => row.slice(0, n)));
    return { output, predicts, encoderSelf: heads(encoderAttention.lastAttention!, n), cross: heads(cross.lastAttention!, decoderIn.length) };
  } finally {
    encoderAttention.recordAttention = false;
    cross.recordAttention = false;
    encoderAttention.forgetAttention();
    cross.forgetAttention();
    source.dispose();
  }
}

export function disposeTranslator(t: DecodedTranslator): void {
  tf.dispose(t.tensors);
  for (const p of [t.model.sourcePosition, t.model.targetPosition]) (p as unknown as { table: tf.Tensor | null }).table?.dispose();
}
