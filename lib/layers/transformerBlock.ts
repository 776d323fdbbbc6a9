/**
 * Transformer blocks: the encoder block (BERT, ViT, and GPT with a causal mask) and the decoder
 * block of an encoder-decoder (seq2seq) transformer.
 *
 * Encoder block, post-norm (the original transformer and BERT):
 *   h = LayerNorm(x + Dropout(MHA(x, x)))
 *   y = LayerNorm(h + Dropout(FFN(h)))             FFN(h) = W₂ act(W₁ h + b₁) + b₂
 * pre-norm (GPT-2, ViT; trains more stably when deep):
 *   h = x + Dropout(MHA(LayerNorm(x)))
 *   y = h + Dropout(FFN(LayerNorm(h)))
 *
 * Decoder block: causal self-attention, then cross-attention whose queries come from the
 * decoder and whose keys and values come from the encoder output ("memory"), then the FFN,
 * each with its residual and layer norm.
 *
 * Both are serialisable layers built from sublayers (MultiHeadAttention, LayerNormalization,
 * Dense). A sublayer's weights are named inside this block's name ("block_0/attention/query_kernel"),
 * so give blocks distinct names when a model holds several, and saved weights find their way back.
 */
import * as tf from "@tensorflow/tfjs";
import { MultiHeadAttention } from "./multiHeadAttention";

export type NormPlacement = "pre" | "post";
export type FeedForwardActivation = "relu" | "gelu";

export interface TransformerBlockConfig {
  numHeads: number;
  dModel: number;
  /** Width of the feed-forward hidden layer (default 4 × dModel). */
  ffDim?: number;
  /** Dropout after attention and feed-forward, and on attention weights, while training (default 0.1). */
  dropout?: number;
  /** Where the layer norms sit (default "post", as in the original transformer and BERT). */
  norm?: NormPlacement;
  /** Mask future positions in self-attention (GPT). Default false. */
  causal?: boolean;
  activation?: FeedForwardActivation;
  epsilon?: number;
  name?: string;
  trainable?: boolean;
}

type BlockKwargs = { mask?: tf.Tensor | null; memoryMask?: tf.Tensor | null; training?: boolean; [key: string]: unknown };

/**
 * Builds a sublayer's weights now, inside the caller's name scope. tfjs names a weight after
 * the scopes of the layers being applied, and only `apply` opens a scope; applying the
 * sublayer to a symbolic input builds it without computing anything.
 */
function buildSublayer(layer: tf.layers.Layer, shapes: tf.Shape[]): void {
  if (layer.built) return;
  const inputs = shapes.map((s) => tf.input({ shape: s.slice(1) as number[] }));
  layer.apply(inputs.length === 1 ? inputs[0] : inputs);
}

/** Position-wise feed-forward network: Dense(ffDim, act) then Dense(dModel), on [b·t, d] rows. */
export class FeedForward {
  readonly inner: tf.layers.Layer;
  readonly outer: tf.layers.Layer;
  constructor(dModel: number, ffDim: number, activation: FeedForwardActivation) {
    this.inner = tf.layers.dense({ units: ffDim, activation, name: "ffn_inner" });
    this.outer = tf.layers.dense({ units: dModel, name: "ffn_outer" });
  }
  build(dModel: number): void {
    buildSublayer(this.inner, [[null, dModel]]);
    buildSublayer(this.outer, [[null, (this.inner as unknown as { units: number }).units]]);
  }
  /** x: [b, t, d] → [b, t, d] */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const h = this.inner.apply(x.reshape([b * t, d])) as tf.Tensor2D; // one 2-D product, the fast path on wasm
    return (this.outer.apply(h) as tf.Tensor2D).reshape([b, t, d]);
  }
  get layers(): tf.layers.Layer[] {
    return [this.inner, this.outer];
  }
}

/** What both blocks share: config, sublayer bookkeeping, weights, serialisation. */
abstract class BlockBase extends tf.layers.Layer {
  readonly numHeads: number;
  readonly dModel: number;
  readonly ffDim: number;
  readonly dropoutRate: number;
  readonly norm: NormPlacement;
  readonly activation: FeedForwardActivation;
  readonly epsilon: number;
  protected readonly ffn: FeedForward;

  constructor(config: TransformerBlockConfig) {
    super({ name: config.name, trainable: config.trainable });
    if (config.dModel % config.numHeads !== 0) throw new Error(`transformer block: dModel ${config.dModel} is not divisible by numHeads ${config.numHeads}`);
    this.numHeads = config.numHeads;
    this.dModel = config.dModel;
    this.ffDim = config.ffDim ?? 4 * config.dModel;
    this.dropoutRate = config.dropout ?? 0.1;
    this.norm = config.norm ?? "post";
    this.activation = config.activation ?? "relu";
    this.epsilon = config.epsilon ?? 1e-5;
    if (this.norm !== "pre" && this.norm !== "post") throw new Error(`transformer block: norm must be "pre" or "post", got "${this.norm}"`);
    this.ffn = new FeedForward(this.dModel, this.ffDim, this.activation);
  }

  protected abstract sublayers(): tf.layers.Layer[];

  protected layerNorm(name: string): tf.layers.Layer {
    return tf.layers.layerNormalization({ epsilon: this.epsilon, name });
  }

  /** Residual step: pre-norm x + f(LN(x)), post-norm LN(x + f(x)). */
  protected residual(x: tf.Tensor3D, ln: tf.layers.Layer, f: (h: tf.Tensor3D) => tf.Tensor3D, training: boolean): tf.Tensor3D {
    const drop = (t: tf.Tensor3D) => (training && this.dropoutRate > 0 ? (tf.dropout(t, this.dropoutRate) as tf.Tensor3D) : t);
    if (this.norm === "pre") return tf.add(x, drop(f(ln.apply(x) as tf.Tensor3D)));
    return ln.apply(tf.add(x, drop(f(x)))) as tf.Tensor3D;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.sublayers().flatMap((l) => l.trainableWeights) : [];
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.sublayers().flatMap((l) => l.nonTrainableWeights) : this.sublayers().flatMap((l) => l.weights);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape)];
  }

  /** Disposes the weights (this.weights lists the sublayers' own) and any recorded attention. */
  override dispose(): ReturnType<tf.layers.Layer["dispose"]> {
    for (const l of this.sublayers()) if (l instanceof MultiHeadAttention) l.forgetAttention();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      dModel: this.dModel,
      ffDim: this.ffDim,
      dropout: this.dropoutRate,
      norm: this.norm,
      activation: this.activation,
      epsilon: this.epsilon,
    };
  }
}

/**
 * Encoder block: self-attention + FFN. Call on x: [batch, t, dModel], or on [x, mask], or with
 * `apply(x, {mask, training})`; mask (1 = keep) broadcastable to [batch, heads, t, t], e.g. a
 * padding mask [batch, 1, 1, t]. With `causal: true` it is a GPT block.
 */
export class TransformerEncoderBlock extends BlockBase {
  static className = "TransformerEncoderBlock";
  readonly causal: boolean;
  readonly attention: MultiHeadAttention;
  private readonly norm1: tf.layers.Layer;
  private readonly norm2: tf.layers.Layer;

  constructor(config: TransformerBlockConfig) {
    super(config);
    this.causal = config.causal ?? false;
    this.attention = new MultiHeadAttention({ numHeads: this.numHeads, dModel: this.dModel, dropout: this.dropoutRate, causal: this.causal, name: "attention" });
    this.norm1 = this.layerNorm("norm1");
    this.norm2 = this.layerNorm("norm2");
  }

  protected sublayers(): tf.layers.Layer[] {
    return [this.attention, this.norm1, ...this.ffn.layers, this.norm2];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const x = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (x[x.length - 1] !== this.dModel) throw new Error(`TransformerEncoderBlock "${this.name}": input must end in dModel = ${this.dModel}, got [${x.join(", ")}]`);
    buildSublayer(this.attention, [x, x]);
    buildSublayer(this.norm1, [x]);
    this.ffn.build(this.dModel);
    buildSublayer(this.norm2, [x]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: BlockKwargs = {}): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0] as tf.Tensor3D; // [b, t, dModel]
    const mask = list[1] ?? kwargs.mask ?? null;
    const training = kwargs.training === true;
    return tf.tidy(() => {
      const h = this.residual(x, this.norm1, (n) => this.attention.apply([n, n], { mask, training }) as tf.Tensor3D, training);
      return this.residual(h, this.norm2, (n) => this.ffn.apply(n), training);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), causal: this.causal };
  }
}

/**
 * Decoder block for sequence to sequence: call on [x, memory] with x: [batch, tTarget, dModel]
 * (the shifted target so far) and memory: [batch, tSource, dModel] (the encoder's output).
 * kwargs: `mask` for the target (padding; the causal mask is always added), `memoryMask` for the
 * source (padding, [batch, 1, 1, tSource]).
 */
export class TransformerDecoderBlock extends BlockBase {
  static className = "TransformerDecoderBlock";
  readonly selfAttention: MultiHeadAttention;
  readonly crossAttention: MultiHeadAttention;
  private readonly norm1: tf.layers.Layer;
  private readonly norm2: tf.layers.Layer;
  private readonly norm3: tf.layers.Layer;

  constructor(config: TransformerBlockConfig) {
    super(config);
    const common = { numHeads: this.numHeads, dModel: this.dModel, dropout: this.dropoutRate };
    this.selfAttention = new MultiHeadAttention({ ...common, causal: true, name: "self_attention" });
    this.crossAttention = new MultiHeadAttention({ ...common, name: "cross_attention" });
    this.norm1 = this.layerNorm("norm1");
    this.norm2 = this.layerNorm("norm2");
    this.norm3 = this.layerNorm("norm3");
  }

  protected sublayers(): tf.layers.Layer[] {
    return [this.selfAttention, this.norm1, this.crossAttention, this.norm2, ...this.ffn.layers, this.norm3];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (!Array.isArray(inputShape[0]) || inputShape.length < 2) throw new Error(`TransformerDecoderBlock "${this.name}" takes [x, memory]`);
    const [x, memory] = inputShape as tf.Shape[];
    for (const s of [x, memory]) {
      if (s[s.length - 1] !== this.dModel) throw new Error(`TransformerDecoderBlock "${this.name}": inputs must end in dModel = ${this.dModel}, got [${s.join(", ")}]`);
    }
    buildSublayer(this.selfAttention, [x, x]);
    buildSublayer(this.norm1, [x]);
    buildSublayer(this.crossAttention, [x, memory]);
    buildSublayer(this.norm2, [x]);
    this.ffn.build(this.dModel);
    buildSublayer(this.norm3, [x]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: BlockKwargs = {}): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length < 2) throw new Error(`TransformerDecoderBlock "${this.name}" takes [x, memory]`);
    const x = inputs[0] as tf.Tensor3D; // [b, tt, d]
    const memory = inputs[1] as tf.Tensor3D; // [b, ts, d]
    const training = kwargs.training === true;
    const selfMask = kwargs.mask ?? null;
    const memoryMask = kwargs.memoryMask ?? null;
    return tf.tidy(() => {
      const h1 = this.residual(x, this.norm1, (n) => this.selfAttention.apply([n, n], { mask: selfMask, training }) as tf.Tensor3D, training);
      const h2 = this.residual(h1, this.norm2, (n) => this.crossAttention.apply([n, memory], { mask: memoryMask, training }) as tf.Tensor3D, training);
      return this.residual(h2, this.norm3, (n) => this.ffn.apply(n), training);
    });
  }
}

tf.serialization.registerClass(TransformerEncoderBlock);
tf.serialization.registerClass(TransformerDecoderBlock);
