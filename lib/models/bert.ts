/**
 * A mini-BERT (Devlin et al., 2019): a transformer encoder that reads a whole (pair of)
 * sentence(s) at once, pre-trained on unlabelled text, then fine-tuned for a task.
 *
 *   ids, segments [b, t] ─► token + position + segment embedding ─► LayerNorm, dropout [b, t, d]
 *   ─► encoder blocks (post-norm, GELU) ─► hidden [b, t, d]
 *        ├─ masked-LM head: hidden at the masked positions ─dense, GELU, LayerNorm─► · Eᵀ + bias ─► [n, vocab]
 *        └─ pooler: tanh(dense(hidden[:, 0]))  ([CLS]) [b, d]
 *              ├─ next-sentence head ─► [b, 2]
 *              └─ (fine-tuning) a fresh classification head ─► [b, classes]
 *
 * The MLM output reuses the token-embedding matrix E (weight tying, as BERT does): predicting a
 * token is scoring every row of E against the transformed hidden vector.
 *
 * Every 2-D product is a plain matMul (the fast path on wasm); the projections inside the
 * encoder blocks run on [b·t, d] rows for the same reason.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { TransformerEncoderBlock } from "../layers/transformerBlock";
import { BertBatch } from "../text/bertInputs";
import type { CheckpointFile } from "./saveLoad";

export interface MiniBertConfig {
  vocabSize: number;
  /** Longest row the position table holds (default 64). */
  maxLength?: number;
  dModel?: number; // 64
  numLayers?: number; // 2
  numHeads?: number; // 4
  ffDim?: number; // 4 × dModel
  /** Dropout on embeddings, attention and residual branches while training (default 0.1). */
  dropout?: number;
}

export type ResolvedBertConfig = Required<MiniBertConfig>;

export function resolveBertConfig(config: MiniBertConfig): ResolvedBertConfig {
  const dModel = config.dModel ?? 64;
  return {
    vocabSize: config.vocabSize,
    maxLength: config.maxLength ?? 64,
    dModel,
    numLayers: config.numLayers ?? 2,
    numHeads: config.numHeads ?? 4,
    ffDim: config.ffDim ?? 4 * dModel,
    dropout: config.dropout ?? 0.1,
  };
}

/** The three rows added for one token, and what comes out: for teaching and for the embedding-sum spec. */
export interface EmbeddingParts {
  token: Float32Array;
  position: Float32Array;
  segment: Float32Array;
  /** token + position + segment (before the layer norm). */
  sum: Float32Array;
}

export class MiniBert {
  readonly config: ResolvedBertConfig;
  /** E: [vocab, d] */
  readonly tokenEmbedding: tf.Variable;
  /** P: [maxLength, d], learned (BERT learns its positions; the original transformer used sinusoids) */
  readonly positionEmbedding: tf.Variable;
  /** S: [2, d], one row per segment */
  readonly segmentEmbedding: tf.Variable;
  readonly embeddingNorm: tf.layers.Layer;
  readonly blocks: TransformerEncoderBlock[];
  readonly mlmDense: tf.layers.Layer;
  readonly mlmNorm: tf.layers.Layer;
  /** [vocab] */
  readonly mlmBias: tf.Variable;
  readonly pooler: tf.layers.Layer;
  readonly nspHead: tf.layers.Layer;

  constructor(config: MiniBertConfig) {
    const c = (this.config = resolveBertConfig(config));
    if (!(Number.isInteger(c.vocabSize) && c.vocabSize > 5)) throw new Error(`MiniBert: vocabSize must be an integer above the 5 special tokens, got ${c.vocabSize}`);
    // BERT's initialiser; inside tidy so the initial values are freed (the variables keep their own reference).
    const init = (shape: number[]) => tf.tidy(() => tf.variable(tf.truncatedNormal(shape, 0, 0.02), true));
    this.tokenEmbedding = init([c.vocabSize, c.dModel]);
    this.positionEmbedding = init([c.maxLength, c.dModel]);
    this.segmentEmbedding = init([2, c.dModel]);
    this.mlmBias = tf.tidy(() => tf.variable(tf.zeros([c.vocabSize]), true));
    this.embeddingNorm = tf.layers.layerNormalization({ epsilon: 1e-5 });
    this.blocks = Array.from(
      { length: c.numLayers },
      (_, i) => new TransformerEncoderBlock({ numHeads: c.numHeads, dModel: c.dModel, ffDim: c.ffDim, dropout: c.dropout, norm: "post", activation: "gelu", name: `bert_block_${i}` }),
    );
    this.mlmDense = tf.layers.dense({ units: c.dModel, activation: "gelu" });
    this.mlmNorm = tf.layers.layerNormalization({ epsilon: 1e-5 });
    this.pooler = tf.layers.dense({ units: c.dModel, activation: "tanh" });
    this.nspHead = tf.layers.dense({ units: 2 });
    // Build every layer now (one tiny forward pass), so that weights exist for loading and counting.
    tf.tidy(() => {
      const ids = tf.tensor2d([[2, 3]], [1, 2], "int32");
      const h = this.encode({ ids, segments: tf.zeros([1, 2], "int32") as tf.Tensor2D, mask: tf.ones([1, 2]) as tf.Tensor2D });
      this.mlmLogits(h, [0]);
      this.nspLogits(this.pool(h));
    });
  }

  /** Token + position + segment embeddings: [b, t, d], before the layer norm. */
  embeddingSum(ids: tf.Tensor2D, segments: tf.Tensor2D): tf.Tensor3D {
    const [b, t] = ids.shape;
    if (t > this.config.maxLength) throw new Error(`MiniBert: rows of ${t} tokens are longer than maxLength ${this.config.maxLength}`);
    return tf.tidy(() => {
      const token = tf.gather(this.tokenEmbedding, ids); // [b, t, d]: row ids[i, j] of E
      const segment = tf.gather(this.segmentEmbedding, segments); // [b, t, d]
      const position = this.positionEmbedding.slice([0, 0], [t, this.config.dModel]); // [t, d], broadcast over b
      return tf.add(tf.add(token, segment), position).reshape([b, t, this.config.dModel]) as tf.Tensor3D;
    });
  }

  /** The three rows for the token at `position` of one packed row, and their sum (plain numbers). */
  embeddingParts(ids: number[], segments: number[], position: number): EmbeddingParts {
    const d = this.config.dModel;
    const row = (table: tf.Variable, r: number) => (table.slice([r, 0], [1, d]).dataSync() as Float32Array).slice();
    const token = row(this.tokenEmbedding, ids[position]);
    const pos = row(this.positionEmbedding, position);
    const segment = row(this.segmentEmbedding, segments[position]);
    const sumT = tf.tidy(() => this.embeddingSum(tf.tensor2d([ids], [1, ids.length], "int32"), tf.tensor2d([segments], [1, segments.length], "int32")).slice([0, position, 0], [1, 1, d]));
    const sum = (sumT.dataSync() as Float32Array).slice();
    sumT.dispose();
    return { token, position: pos, segment, sum };
  }

  /** The encoder: hidden states [b, t, d] for a packed batch. */
  encode(batch: BertBatch, options: { training?: boolean } = {}): tf.Tensor3D {
    const training = options.training === true;
    const [b, t] = batch.ids.shape;
    return tf.tidy(() => {
      let h = this.embeddingNorm.apply(this.embeddingSum(batch.ids, batch.segments)) as tf.Tensor3D;
      if (training && this.config.dropout > 0) h = tf.dropout(h, this.config.dropout) as tf.Tensor3D;
      const mask = batch.mask.reshape([b, 1, 1, t]); // padding: no query reads a [PAD] key
      for (const block of this.blocks) h = block.apply(h, { mask, training }) as tf.Tensor3D;
      return h;
    });
  }

  /** [CLS]'s final hidden state through the pooler: [b, d]. */
  pool(hidden: tf.Tensor3D): tf.Tensor2D {
    const [b, , d] = hidden.shape;
    return tf.tidy(() => this.pooler.apply(hidden.slice([0, 0, 0], [b, 1, d]).reshape([b, d])) as tf.Tensor2D);
  }

  /**
   * Masked-LM logits at the given flat positions (row × t + column) of hidden [b, t, d]:
   * [positions, vocab]. Only masked positions are scored: the vocabulary product is the
   * costliest in the model, and the loss ignores every other position anyway.
   */
  mlmLogits(hidden: tf.Tensor3D, flatPositions: ArrayLike<number>): tf.Tensor2D {
    const [b, t, d] = hidden.shape;
    return tf.tidy(() => {
      const picked = tf.gather(hidden.reshape([b * t, d]), tf.tensor1d(Int32Array.from(flatPositions), "int32")) as tf.Tensor2D; // [n, d]
      const h = this.mlmNorm.apply(this.mlmDense.apply(picked)) as tf.Tensor2D; // [n, d]
      return tf.add(tf.matMul(h, this.tokenEmbedding, false, true), this.mlmBias) as tf.Tensor2D; // [n, vocab]
    });
  }

  /** Next-sentence logits from the pooled [CLS]: [b, 2] (class 1 = "b follows a"). */
  nspLogits(pooled: tf.Tensor2D): tf.Tensor2D {
    return this.nspHead.apply(pooled) as tf.Tensor2D;
  }

  /** Every trained weight, under a stable name (for the optimiser, saving and loading). */
  namedWeights(): { name: string; variable: tf.Variable }[] {
    const out: { name: string; variable: tf.Variable }[] = [
      { name: "embeddings/token", variable: this.tokenEmbedding },
      { name: "embeddings/position", variable: this.positionEmbedding },
      { name: "embeddings/segment", variable: this.segmentEmbedding },
    ];
    const fromLayer = (prefix: string, layer: tf.layers.Layer) =>
      layer.trainableWeights.forEach((w, i) => out.push({ name: `${prefix}/${i}_${w.originalName.split("/").pop()}`, variable: w.read() as tf.Variable }));
    fromLayer("embeddings/norm", this.embeddingNorm);
    this.blocks.forEach((block, i) => fromLayer(`encoder/${i}`, block));
    fromLayer("mlm/dense", this.mlmDense);
    fromLayer("mlm/norm", this.mlmNorm);
    out.push({ name: "mlm/bias", variable: this.mlmBias });
    fromLayer("pooler", this.pooler);
    fromLayer("nsp", this.nspHead);
    return out;
  }

  /** The weights pre-training trains (everything); fine-tuning adds its head's. */
  trainableVariables(): tf.Variable[] {
    return this.namedWeights().map((w) => w.variable);
  }

  parameterCount(): number {
    return this.namedWeights().reduce((n, w) => n + w.variable.size, 0);
  }

  /**
   * The checkpoint's files, in the order to write them: weights.bin (float32, in namedWeights
   * order), then config.json (the names and shapes, and `extra`). Writing them is the training
   * command's job (tools/train/checkpoint.ts writes each atomically); the library only says what
   * a checkpoint holds, and reads one back with `load`.
   */
  checkpointFiles(extra: Record<string, unknown> = {}): CheckpointFile[] {
    const weights = this.namedWeights();
    const arrays = weights.map((w) => w.variable.dataSync() as Float32Array);
    const bytes = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    const manifest = weights.map((w) => ({ name: w.name, shape: w.variable.shape }));
    return [
      { name: "weights.bin", data: bytes },
      { name: "config.json", data: JSON.stringify({ ...extra, model: "MiniBert", config: this.config, weights: manifest }, null, 1) + "\n" },
    ];
  }

  /** Loads a checkpoint (`checkpointFiles` written into `dir`); checks every weight's name and shape. `options.dropout` replaces the saved rate (e.g. to fine-tune with dropout a model pre-trained without). */
  static load(dir: string, options: { dropout?: number } = {}): MiniBert {
    const configFile = path.join(dir, "config.json");
    if (!fs.existsSync(configFile)) throw new Error(`no MiniBert checkpoint in ${dir} (config.json is missing)`);
    const json = JSON.parse(fs.readFileSync(configFile, "utf8")) as { config: MiniBertConfig; weights: { name: string; shape: number[] }[] };
    const model = new MiniBert({ ...json.config, ...(options.dropout != null ? { dropout: options.dropout } : {}) });
    model.loadWeights(json.weights, fs.readFileSync(path.join(dir, "weights.bin")), dir);
    return model;
  }

  private loadWeights(manifest: { name: string; shape: number[] }[], bytes: Buffer, source: string): void {
    const weights = this.namedWeights();
    if (manifest.length !== weights.length) throw new Error(`${source}: the checkpoint holds ${manifest.length} weights, this model ${weights.length}`);
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let offset = 0;
    weights.forEach((w, i) => {
      const m = manifest[i];
      if (m.name !== w.name || m.shape.join(",") !== w.variable.shape.join(",")) {
        throw new Error(`${source}: weight ${i} is ${m.name} [${m.shape}] in the checkpoint but ${w.name} [${w.variable.shape}] in the model`);
      }
      const size = w.variable.size;
      if (offset + size > floats.length) throw new Error(`${source}: weights.bin is too short (ends inside ${w.name})`);
      tf.tidy(() => w.variable.assign(tf.tensor(floats.subarray(offset, offset + size), w.variable.shape)));
      offset += size;
    });
    if (offset !== floats.length) throw new Error(`${source}: weights.bin holds ${floats.length - offset} floats more than the model's weights`);
  }

  /** A copy with the same weights (to fine-tune several times from one pre-trained model). */
  clone(options: { dropout?: number } = {}): MiniBert {
    const copy = new MiniBert({ ...this.config, ...(options.dropout != null ? { dropout: options.dropout } : {}) });
    const mine = this.namedWeights();
    copy.namedWeights().forEach((w, i) => w.variable.assign(mine[i].variable));
    return copy;
  }

  dispose(): void {
    tf.dispose([this.tokenEmbedding, this.positionEmbedding, this.segmentEmbedding, this.mlmBias]);
    for (const layer of [this.embeddingNorm, ...this.blocks, this.mlmDense, this.mlmNorm, this.pooler, this.nspHead]) layer.dispose();
  }
}

/**
 * BERT fine-tuned for classification: a pooled summary of the sentence through dropout and a
 * fresh linear head. Pooling "cls" is BERT's: the pooler on [CLS]'s final state. Pooling "mean"
 * averages the final states of the real tokens instead (as Sentence-BERT does), which does not
 * depend on what [CLS] learned to look at during pre-training.
 */
export type BertPooling = "cls" | "mean";

export class BertClassifier {
  readonly head: tf.layers.Layer;
  readonly numClasses: number;
  readonly pooling: BertPooling;

  constructor(readonly bert: MiniBert, options: { numClasses?: number; pooling?: BertPooling } = {}) {
    this.numClasses = options.numClasses ?? 2;
    this.pooling = options.pooling ?? "cls";
    this.head = tf.layers.dense({ units: this.numClasses, kernelInitializer: tf.initializers.truncatedNormal({ stddev: 0.02 }) });
    tf.tidy(() => {
      this.head.apply(tf.zeros([1, bert.config.dModel]));
    });
  }

  /** The sentence summary: [b, d]. */
  pooled(batch: BertBatch, options: { training?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = this.bert.encode(batch, options); // [b, t, d]
      if (this.pooling === "cls") return this.bert.pool(hidden);
      const mask = batch.mask.expandDims(2); // [b, t, 1], 1 = real token
      // mean over real tokens (a row with none, all padding, gives 0 rather than 0/0)
      return tf.div(tf.sum(tf.mul(hidden, mask), 1), tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor2D;
    });
  }

  /** logits: [b, classes] */
  logits(batch: BertBatch, options: { training?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let pooled = this.pooled(batch, options);
      if (options.training && this.bert.config.dropout > 0) pooled = tf.dropout(pooled, this.bert.config.dropout) as tf.Tensor2D;
      return this.head.apply(pooled) as tf.Tensor2D;
    });
  }

  /** The encoder's weights, except the pre-training heads (MLM, NSP), plus the new head. */
  trainableVariables(): tf.Variable[] {
    const encoder = this.bert.namedWeights().filter((w) => !w.name.startsWith("mlm/") && !w.name.startsWith("nsp/"));
    return [...encoder.map((w) => w.variable), ...this.head.trainableWeights.map((w) => w.read() as tf.Variable)];
  }

  /** The encoder's checkpoint files (as MiniBert.checkpointFiles) with the head's weights in config.json. */
  checkpointFiles(extra: Record<string, unknown> = {}): CheckpointFile[] {
    const [kernel, bias] = this.head.getWeights().map((w) => Array.from(w.dataSync()));
    return this.bert.checkpointFiles({ ...extra, classifierHead: { numClasses: this.numClasses, pooling: this.pooling, kernel, bias } });
  }

  /** Loads a checkpoint written from `checkpointFiles`. */
  static load(dir: string, options: { dropout?: number } = {}): BertClassifier {
    const configFile = path.join(dir, "config.json");
    const json = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, "utf8")) : null;
    const head = json?.classifierHead as { numClasses: number; pooling?: BertPooling; kernel: number[]; bias: number[] } | undefined;
    if (!head) throw new Error(`${dir} holds no classifier head (config.json has no classifierHead): is it a pre-training checkpoint?`);
    const classifier = new BertClassifier(MiniBert.load(dir, options), { numClasses: head.numClasses, pooling: head.pooling ?? "cls" });
    const d = classifier.bert.config.dModel;
    tf.tidy(() => classifier.head.setWeights([tf.tensor2d(head.kernel, [d, head.numClasses]), tf.tensor1d(head.bias)]));
    return classifier;
  }

  /** Disposes the head, and the encoder too unless `keepEncoder`. */
  dispose(options: { keepEncoder?: boolean } = {}): void {
    this.head.dispose();
    if (!options.keepEncoder) this.bert.dispose();
  }
}
