/**
 * A tiny vision transformer (Dosovitskiy et al., 2020) for MNIST: an image is read as a
 * sentence of patches.
 *
 *   image [b, 28, 28] ─cut into 4×4 patches of 7×7─► [b, 16, 49] ─linear─► [b, 16, d]
 *   ─prepend a learned [CLS] vector, add learned position vectors─► [b, 17, d]
 *   ─encoder blocks (pre-norm)─► LayerNorm of the [CLS] output ─linear─► 10 logits
 *
 * No convolution anywhere: the only image-specific step is the cutting into patches. Position
 * vectors are learned, so the model must discover that patch 5 sits below patch 1.
 */
import * as tf from "@tensorflow/tfjs";
import { TransformerEncoderBlock } from "../layers/transformerBlock";

export interface VitConfig {
  imageSize?: number; // 28
  patchSize?: number; // 7 → (28/7)² = 16 patches
  channels?: number; // 1
  numClasses?: number; // 10
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  ffDim?: number;
  dropout?: number;
  /** Classify from the [CLS] position (default, as in ViT) or from the mean of the patch outputs. */
  pool?: "cls" | "mean";
}

/** images [b, H·W·C] or [b, H, W] or [b, H, W, C] → patches [b, (H/p)·(W/p), p·p·C], row by row. */
export function imageToPatches(images: tf.Tensor, imageSize: number, patchSize: number, channels = 1): tf.Tensor3D {
  if (imageSize % patchSize !== 0) throw new Error(`imageToPatches: image size ${imageSize} is not a multiple of the patch size ${patchSize}`);
  const n = imageSize / patchSize;
  const b = images.shape[0];
  return tf.tidy(() =>
    images
      .reshape([b, n, patchSize, n, patchSize, channels]) // [b, row, y, col, x, c]
      .transpose([0, 1, 3, 2, 4, 5]) // [b, row, col, y, x, c]
      .reshape([b, n * n, patchSize * patchSize * channels]) as tf.Tensor3D,
  );
}

/** Patch projection, [CLS] token and position vectors: patches [b, n, p²C] → tokens [b, n+1, d]. */
export class PatchEmbedding extends tf.layers.Layer {
  static className = "PatchEmbedding";
  readonly numPatches: number;
  readonly dModel: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private cls!: tf.LayerVariable;
  private positions!: tf.LayerVariable;

  constructor(config: { numPatches: number; dModel: number; name?: string }) {
    super({ name: config.name });
    this.numPatches = config.numPatches;
    this.dModel = config.dModel;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const patchDim = shape[shape.length - 1] as number;
    const small = tf.initializers.truncatedNormal({ stddev: 0.02 });
    this.kernel = this.addWeight("kernel", [patchDim, this.dModel], "float32", tf.initializers.glorotUniform({}));
    this.bias = this.addWeight("bias", [this.dModel], "float32", tf.initializers.zeros());
    this.cls = this.addWeight("cls", [1, 1, this.dModel], "float32", small);
    this.positions = this.addWeight("positions", [1, this.numPatches + 1, this.dModel], "float32", small);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const patches = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const [b, n, p] = patches.shape;
    return tf.tidy(() => {
      const tokens = tf.add(tf.matMul(patches.reshape([b * n, p]), this.kernel.read()), this.bias.read()).reshape([b, n, this.dModel]);
      const cls = tf.tile(this.cls.read(), [b, 1, 1]); // [b, 1, d]
      return tf.add(tf.concat([cls, tokens], 1), this.positions.read()); // [b, n+1, d]
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0], this.numPatches + 1, this.dModel];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numPatches: this.numPatches, dModel: this.dModel };
  }
}
tf.serialization.registerClass(PatchEmbedding);

export class VisionTransformer {
  readonly config: Required<VitConfig>;
  readonly embedding: PatchEmbedding;
  readonly blocks: TransformerEncoderBlock[];
  readonly finalNorm: tf.layers.Layer;
  readonly head: tf.layers.Layer;

  constructor(config: VitConfig = {}) {
    const c: Required<VitConfig> = { imageSize: 28, patchSize: 7, channels: 1, numClasses: 10, dModel: 64, numHeads: 4, numLayers: 2, ffDim: 128, dropout: 0, pool: "cls", ...config };
    this.config = c;
    const numPatches = (c.imageSize / c.patchSize) ** 2;
    this.embedding = new PatchEmbedding({ numPatches, dModel: c.dModel, name: "patch_embedding" });
    this.blocks = Array.from(
      { length: c.numLayers },
      (_, i) => new TransformerEncoderBlock({ numHeads: c.numHeads, dModel: c.dModel, ffDim: c.ffDim, dropout: c.dropout, norm: "pre", activation: "gelu", name: `vit_block_${i}` }),
    );
    this.finalNorm = tf.layers.layerNormalization({ epsilon: 1e-5, name: "final_norm" });
    this.head = tf.layers.dense({ units: c.numClasses, name: "head" });
  }

  /** images [b, 784] (pixels in [0, 1]) → class logits [b, 10]. */
  logits(images: tf.Tensor, training = false): tf.Tensor2D {
    const c = this.config;
    return tf.tidy(() => {
      let h = this.embedding.apply(imageToPatches(images, c.imageSize, c.patchSize, c.channels)) as tf.Tensor3D; // [b, 17, d]
      for (const block of this.blocks) h = block.apply(h, { training }) as tf.Tensor3D;
      const [b, n] = h.shape;
      const pooled =
        c.pool === "mean"
          ? h.slice([0, 1, 0], [b, n - 1, c.dModel]).mean(1) // the mean over the patch positions
          : h.slice([0, 0, 0], [b, 1, c.dModel]).reshape([b, c.dModel]); // the [CLS] position
      return this.head.apply(this.finalNorm.apply(pooled)) as tf.Tensor2D;
    });
  }

  /** Cross-entropy of labels [b] (int) given images. */
  loss(images: tf.Tensor, labels: tf.Tensor1D, training = true): tf.Scalar {
    return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(labels, "int32"), this.config.numClasses), this.logits(images, training)) as tf.Scalar);
  }

  /** Share of correct argmax predictions, in batches. images: [n, 784]. */
  accuracy(images: tf.Tensor2D, labels: tf.Tensor1D, batchSize = 500): number {
    const n = images.shape[0];
    let correct = 0;
    for (let s = 0; s < n; s += batchSize) {
      const k = Math.min(batchSize, n - s);
      const hits = tf.tidy(() => {
        const pred = this.logits(images.slice([s, 0], [k, images.shape[1]])).argMax(-1);
        return tf.sum(tf.cast(tf.equal(pred, tf.cast(labels.slice([s], [k]), "int32")), "int32"));
      });
      correct += hits.dataSync()[0];
      hits.dispose();
    }
    return correct / n;
  }

  build(): this {
    tf.tidy(() => this.logits(tf.zeros([1, this.config.imageSize * this.config.imageSize * this.config.channels])));
    return this;
  }

  get layers(): tf.layers.Layer[] {
    return [this.embedding, ...this.blocks, this.finalNorm, this.head];
  }

  get trainableVariables(): tf.Variable[] {
    if (!this.head.built) this.build();
    return this.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  get paramCount(): number {
    if (!this.head.built) this.build();
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
