/**
 * Multi-head attention as a reusable, serialisable TensorFlow.js layer.
 *
 *   head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)        i = 1..h, each of width d_k = d_model / h
 *   MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O
 *
 * The h projections of one kind are stored as a single [dModel, dModel] matrix (the heads are
 * its column blocks), so each projection is one fast 2-D product; the heads are then split off
 * by a reshape and a transpose, and attention runs over all batch × heads in one go.
 *
 * Call it on `query` alone (self-attention), on `[query, keyValue]` (cross-attention, as in
 * a decoder reading the encoder), or on `[query, keyValue, mask]`; a mask can also come as
 * `apply(inputs, {mask})`. Masks are 1 = keep, 0 = masked, broadcastable to
 * [batch, heads, tq, tk] (see attention.ts). With `causal: true` the layer adds the causal mask
 * itself.
 *
 * Set `recordAttention = true` to keep the last attention weights ([batch, heads, tq, tk]) in
 * `lastAttention`, for heatmaps; it is off by default so training keeps no extra tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { attend, causalMask, scaledDotProductAttention } from "./attention";
import { dense } from "./dense";

export interface MultiHeadAttentionConfig {
  numHeads: number;
  dModel: number;
  /** Dropout on the attention weights while training (default 0). */
  dropout?: number;
  /** Mask future keys (decoder self-attention). Default false. */
  causal?: boolean;
  /** Add biases to the projections (default true). */
  useBias?: boolean;
  name?: string;
  trainable?: boolean;
}

type Kwargs = { mask?: tf.Tensor | null; training?: boolean; [key: string]: unknown };

export class MultiHeadAttention extends tf.layers.Layer {
  static className = "MultiHeadAttention";

  readonly numHeads: number;
  readonly dModel: number;
  readonly headDim: number;
  readonly dropoutRate: number;
  readonly causal: boolean;
  readonly useBias: boolean;

  /** When true, `lastAttention` holds the weights of the latest call. */
  recordAttention = false;
  lastAttention: tf.Tensor4D | null = null;

  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;
  private bq: tf.LayerVariable | null = null;
  private bk: tf.LayerVariable | null = null;
  private bv: tf.LayerVariable | null = null;
  private bo: tf.LayerVariable | null = null;

  constructor(config: MultiHeadAttentionConfig) {
    super({ name: config.name, trainable: config.trainable });
    const { numHeads, dModel } = config;
    if (!(Number.isInteger(numHeads) && numHeads > 0)) throw new Error(`MultiHeadAttention: numHeads must be a positive integer, got ${numHeads}`);
    if (!(Number.isInteger(dModel) && dModel > 0)) throw new Error(`MultiHeadAttention: dModel must be a positive integer, got ${dModel}`);
    if (dModel % numHeads !== 0) throw new Error(`MultiHeadAttention: dModel ${dModel} is not divisible by numHeads ${numHeads}`);
    this.numHeads = numHeads;
    this.dModel = dModel;
    this.headDim = dModel / numHeads;
    this.dropoutRate = config.dropout ?? 0;
    this.causal = config.causal ?? false;
    this.useBias = config.useBias ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tf.Shape[];
    for (const s of shapes.slice(0, 2)) {
      if (s[s.length - 1] !== this.dModel) throw new Error(`MultiHeadAttention "${this.name}": inputs must end in dModel = ${this.dModel}, got [${s.join(", ")}]`);
    }
    const d = this.dModel;
    const glorot = tf.initializers.glorotUniform({});
    const zeros = tf.initializers.zeros();
    this.wq = this.addWeight("query_kernel", [d, d], "float32", glorot);
    this.wk = this.addWeight("key_kernel", [d, d], "float32", glorot);
    this.wv = this.addWeight("value_kernel", [d, d], "float32", glorot);
    this.wo = this.addWeight("output_kernel", [d, d], "float32", glorot);
    if (this.useBias) {
      this.bq = this.addWeight("query_bias", [d], "float32", zeros);
      this.bk = this.addWeight("key_bias", [d], "float32", zeros);
      this.bv = this.addWeight("value_bias", [d], "float32", zeros);
      this.bo = this.addWeight("output_bias", [d], "float32", zeros);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const query = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...query];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs = {}): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length < 1 || list.length > 3) throw new Error(`MultiHeadAttention "${this.name}" takes query, [query, keyValue] or [query, keyValue, mask]; got ${list.length} tensors`);
    const query = list[0] as tf.Tensor3D;
    const keyValue = (list[1] ?? list[0]) as tf.Tensor3D;
    const mask = list[2] ?? kwargs.mask ?? null;
    const training = kwargs.training === true;

    return tf.tidy(() => {
      const [b, tq] = query.shape;
      const tk = keyValue.shape[1];
      const q = this.splitHeads(this.project(query, this.wq, this.bq), b, tq); // [b, h, tq, dk]
      const k = this.splitHeads(this.project(keyValue, this.wk, this.bk), b, tk); // [b, h, tk, dk]
      const v = this.splitHeads(this.project(keyValue, this.wv, this.bv), b, tk); // [b, h, tk, dk]

      let fullMask: tf.Tensor | null = mask;
      if (this.causal) {
        if (tq !== tk) throw new Error(`MultiHeadAttention "${this.name}": a causal mask needs as many queries as keys, got ${tq} and ${tk}`);
        const c = causalMask(tq);
        fullMask = fullMask == null ? c : tf.mul(fullMask, c);
      }
      const output = this.attention(q, k, v, fullMask, training); // [b, h, tq, dk]
      const merged = output.transpose([0, 2, 1, 3]).reshape([b * tq, this.dModel]) as tf.Tensor2D; // [b·tq, dModel]
      return dense(merged, this.wo.read() as tf.Tensor2D, this.bias(this.bo)).reshape([b, tq, this.dModel]);
    });
  }

  /**
   * The weights are needed (recorded, or dropped out while training): attention as written
   * in attention.ts, differentiated op by op. Otherwise `attend`, its gradient written out.
   */
  private attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor | null, training: boolean): tf.Tensor4D {
    const dropout = training ? this.dropoutRate : 0;
    if (!this.recordAttention && dropout === 0) return attend(q, k, v, mask);
    // Dropout on the weights while training: a query sometimes ignores a key it would have read.
    const { output, weights } = scaledDotProductAttention(q, k, v, mask, dropout);
    if (this.recordAttention) this.keepAttention(weights);
    return output;
  }

  /** x: [b, t, dModel] → x W + bias, as one 2-D product: [b·t, dModel] */
  private project(x: tf.Tensor3D, w: tf.LayerVariable, bias: tf.LayerVariable | null): tf.Tensor2D {
    const [b, t, d] = x.shape;
    return dense(x.reshape([b * t, d]), w.read() as tf.Tensor2D, this.bias(bias));
  }

  private bias(v: tf.LayerVariable | null): tf.Tensor1D | null {
    return (v?.read() ?? null) as tf.Tensor1D | null;
  }

  /** [b·t, dModel] → [b, heads, t, headDim] */
  private splitHeads(x: tf.Tensor2D, b: number, t: number): tf.Tensor4D {
    return x.reshape([b, t, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  }

  private keepAttention(weights: tf.Tensor4D): void {
    this.forgetAttention();
    this.lastAttention = tf.keep(weights.clone());
  }

  /** The projection matrices as plain tensors (for teaching and for reference checks). */
  projections(): { wq: tf.Tensor2D; wk: tf.Tensor2D; wv: tf.Tensor2D; wo: tf.Tensor2D; bq?: tf.Tensor1D; bk?: tf.Tensor1D; bv?: tf.Tensor1D; bo?: tf.Tensor1D } {
    if (!this.built) throw new Error(`MultiHeadAttention "${this.name}" has no weights before its first call`);
    const r = <T extends tf.Tensor>(v: tf.LayerVariable | null) => (v ? (v.read() as T) : undefined);
    return { wq: r(this.wq)!, wk: r(this.wk)!, wv: r(this.wv)!, wo: r(this.wo)!, bq: r(this.bq), bk: r(this.bk), bv: r(this.bv), bo: r(this.bo) };
  }

  /** Frees the attention weights recorded by the last call (if any). */
  forgetAttention(): void {
    this.lastAttention?.dispose();
    this.lastAttention = null;
  }

  override dispose(): ReturnType<tf.layers.Layer["dispose"]> {
    this.forgetAttention();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      dModel: this.dModel,
      dropout: this.dropoutRate,
      causal: this.causal,
      useBias: this.useBias,
    };
  }
}

tf.serialization.registerClass(MultiHeadAttention);
