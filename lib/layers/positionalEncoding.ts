/**
 * Sinusoidal positional encoding (Vaswani et al., 2017, section 3.5).
 *
 * Attention is blind to order: permute the tokens and every output is permuted the same way.
 * So a position signal is added to each token's embedding:
 *
 *   PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
 *   PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))
 *
 * Each pair of columns is a clock at its own frequency, from one turn per 2π positions (i = 0)
 * to one per 10000·2π; PE[pos + k] is a fixed rotation of PE[pos], so "k places back" is a
 * linear function the attention can learn.
 */
import * as tf from "@tensorflow/tfjs";

/** The encoding table as plain numbers: rows = positions, columns = dimensions. */
export function positionalEncodingValues(maxLen: number, dModel: number): Float32Array {
  if (!(Number.isInteger(maxLen) && maxLen > 0)) throw new Error(`positionalEncoding: maxLen must be a positive integer, got ${maxLen}`);
  if (!(Number.isInteger(dModel) && dModel > 0)) throw new Error(`positionalEncoding: dModel must be a positive integer, got ${dModel}`);
  const table = new Float32Array(maxLen * dModel);
  for (let pos = 0; pos < maxLen; pos++) {
    for (let j = 0; j < dModel; j++) {
      const i2 = j - (j % 2); // 2i: the even index of this sin/cos pair
      const angle = pos / Math.pow(10000, i2 / dModel);
      table[pos * dModel + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}

/** PE: [maxLen, dModel] */
export function positionalEncoding(maxLen: number, dModel: number): tf.Tensor2D {
  return tf.tensor2d(positionalEncodingValues(maxLen, dModel), [maxLen, dModel]);
}

export interface PositionalEncodingConfig {
  maxLen: number;
  dModel: number;
  /** Multiply the input by √dModel first, as the original transformer does with its embeddings (default false). */
  scaleInput?: boolean;
  name?: string;
}

/** Adds the sinusoidal encoding to its input: x: [batch, t, dModel] → x + PE[0..t). No weights. */
export class AddPositionalEncoding extends tf.layers.Layer {
  static className = "AddPositionalEncoding";
  readonly maxLen: number;
  readonly dModel: number;
  readonly scaleInput: boolean;
  private table: tf.Tensor2D | null = null;

  constructor(config: PositionalEncodingConfig) {
    super({ name: config.name });
    this.maxLen = config.maxLen;
    this.dModel = config.dModel;
    this.scaleInput = config.scaleInput ?? false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const [, t, d] = x.shape;
    if (d !== this.dModel) throw new Error(`AddPositionalEncoding "${this.name}": input width ${d} is not dModel ${this.dModel}`);
    if (t > this.maxLen) throw new Error(`AddPositionalEncoding "${this.name}": sequence of ${t} is longer than maxLen ${this.maxLen}`);
    if (this.table == null) this.table = tf.keep(positionalEncoding(this.maxLen, this.dModel));
    return tf.tidy(() => {
      const scaled = this.scaleInput ? tf.mul(x, Math.sqrt(this.dModel)) : x;
      return tf.add(scaled, this.table!.slice([0, 0], [t, d])); // broadcasts over the batch
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape)];
  }

  override dispose(): ReturnType<tf.layers.Layer["dispose"]> {
    this.table?.dispose();
    this.table = null;
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxLen: this.maxLen, dModel: this.dModel, scaleInput: this.scaleInput };
  }
}

tf.serialization.registerClass(AddPositionalEncoding);
