/**
 * A small DCGAN-style pair (Radford et al., 2016): strided convolutions instead of pooling in D,
 * transposed convolutions that double the resolution in G, LeakyReLU, sigmoid pixels. Both take
 * and give flat rows [batch, 784], so they plug into the same trainer and classifier as the dense pair.
 * No batch normalisation, so that the frozen side of an alternating step stays frozen bit for bit.
 *
 * Why the convolutions here have hand-written gradients: tfjs-backend-wasm 4.22 has no
 * Conv2DBackpropFilter, so tf.conv2d's filter gradient runs on the pure-JavaScript cpu kernel
 * (measured here: ~30 s for one training step of this small pair). But that gradient is itself a
 * forward convolution, which wasm runs fast (XNNPACK). For y = conv(x, W) with stride s, valid padding,
 *
 *   ∂L/∂W[i, j, c, f] = Σ_{b, y, x} x[b, s·y + i, s·x + j, c] · ∂L/∂y[b, y, x, f]
 *
 * which is a stride-1 convolution of x with batch and channels swapped ([C, H, W, B]) by ∂L/∂y used as
 * the filter ([h, w, B, F]) spread out with dilation s: out[c, i, j, f]. A transposed convolution is the
 * adjoint of a convolution, so its gradients are the same two operations with the roles exchanged.
 * Padding is explicit (tf.pad before a "valid" convolution; a crop after a transposed one).
 */
import * as tf from "@tensorflow/tfjs";

/** ∂L/∂W of y = conv2d(x, W, stride, "valid") for a k×k kernel. x: [B, H, W, C], dy: [B, h, w, F] → [k, k, C, F] */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernelSize: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, B]
    const dyFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [h, w, B, F]
    const full = tf.conv2d(xs, dyFilter, 1, "valid", "NHWC", stride); // [C, H − s(h−1), W − s(w−1), F], at least k×k
    const cropped = tf.slice(full, [0, 0, 0, 0], [-1, kernelSize, kernelSize, -1]); // [C, k, k, F]
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D; // [k, k, C, F]
  });
}

/**
 * conv2dTranspose(x, W, stride, "valid") from fast forward pieces: spread x out with s − 1 zeros between
 * pixels, pad k − 1 zeros all round, and convolve at stride 1 with W rotated by 180° (in/out channels
 * swapped). Same numbers as tf.conv2dTranspose, whose wasm kernel (Conv2DBackpropInput) is a slow loop.
 * x: [B, h, w, C], W: [k, k, F, C] → [B, (h−1)s + k, (w−1)s + k, F]
 */
export function conv2dTransposeViaConv(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const k = kernel.shape[0];
    if (k < stride) throw new Error(`conv2dTransposeViaConv: kernel ${k} smaller than stride ${stride} leaves holes`);
    // [B, h, 1, w, 1, C] → [B, h, s, w, s, C] → [B, hs, ws, C]: x at every s-th pixel, zeros between.
    const gaps = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
    const spread = tf.reshape(gaps, [b, h * stride, w * stride, c]) as tf.Tensor4D;
    // k − 1 zeros before; after, k − 1 less the s − 1 trailing zeros the spreading already added.
    const padded = tf.pad(spread, [[0, 0], [k - 1, k - stride], [k - 1, k - stride], [0, 0]]) as tf.Tensor4D; // [B, (h−1)s + 2k − 1, …, C]
    const rotated = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [k, k, C, F]
    return tf.conv2d(padded, rotated, 1, "valid"); // [B, (h−1)s + k, (w−1)s + k, F]
  });
}

/** y = conv2d(x, W, stride, "valid") with the fast gradients above. x: [B, H, W, C], W: [k, k, C, F] → [B, h, w, F] */
export const stridedConv2d: (x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number) => tf.Tensor4D = (x, kernel, stride) => {
  const op = tf.customGrad(((xIn: tf.Tensor, wIn: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xIn, wIn]);
    return {
      value: tf.conv2d(xIn as tf.Tensor4D, wIn as tf.Tensor4D, stride, "valid"),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, w] = saved as [tf.Tensor4D, tf.Tensor4D];
        let dx = conv2dTransposeViaConv(dy as tf.Tensor4D, w, stride); // [B, (h−1)s + k, …, C]: may be short of H, W when
        const [, H, W] = xs.shape; //                                        (H − k) is not a multiple of s; those rows got no gradient
        if (dx.shape[1] !== H || dx.shape[2] !== W) dx = tf.pad(dx, [[0, 0], [0, H - dx.shape[1]], [0, W - dx.shape[2]], [0, 0]]);
        const dw = conv2dFilterGradient(xs, dy as tf.Tensor4D, w.shape[0], stride); // [k, k, C, F]
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel) as tf.Tensor4D;
};

/**
 * y = conv2dTranspose(x, W, stride, "valid"): each input pixel paints a k×k patch, patches s apart.
 * x: [B, h, w, C], W: [k, k, F, C] (tfjs's layout for transposed convolutions) → [B, (h−1)s + k, (w−1)s + k, F]
 */
export const stridedConv2dTranspose: (x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number) => tf.Tensor4D = (x, kernel, stride) => {
  const op = tf.customGrad(((xIn: tf.Tensor, wIn: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xIn, wIn]);
    return {
      value: conv2dTransposeViaConv(xIn as tf.Tensor4D, wIn as tf.Tensor4D, stride),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2d(dy as tf.Tensor4D, ws, stride, "valid"); // [B, h, w, C]: the forward conv is the adjoint
        const dw = conv2dFilterGradient(dy as tf.Tensor4D, xs, ws.shape[0], stride); // [k, k, F, C]
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel) as tf.Tensor4D;
};

interface StridedConvArgs {
  filters: number;
  kernelSize: number;
  strides: number;
  /** Zeros added on each side before (conv) or cropped from each side after (transposed conv). */
  padding: number;
  name?: string;
}

/** A conv layer: pad, then stridedConv2d, then add a bias. [B, H, W, C] → [B, (H + 2p − k)/s + 1, …, filters] */
export class StridedConv2D extends tf.layers.Layer {
  static readonly className = "StridedConv2D";
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(private readonly args: StridedConvArgs) {
    super({ name: args.name });
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3] as number;
    const k = this.args.kernelSize;
    this.kernel = this.addWeight("kernel", [k, k, c, this.args.filters], "float32", tf.initializers.glorotUniform({}));
    this.bias = this.addWeight("bias", [this.args.filters], "float32", tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w] = inputShape as tf.Shape;
    const { kernelSize: k, strides: s, padding: p, filters } = this.args;
    return [b, Math.floor(((h as number) + 2 * p - k) / s) + 1, Math.floor(((w as number) + 2 * p - k) / s) + 1, filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const p = this.args.padding;
      const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
      return tf.add(stridedConv2d(padded, this.kernel.read() as tf.Tensor4D, this.args.strides), this.bias.read());
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}

/** A transposed conv layer: stridedConv2dTranspose, crop, add a bias. [B, h, w, C] → [B, (h−1)s + k − 2p, …, filters] */
export class StridedConv2DTranspose extends tf.layers.Layer {
  static readonly className = "StridedConv2DTranspose";
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(private readonly args: StridedConvArgs) {
    super({ name: args.name });
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3] as number;
    const k = this.args.kernelSize;
    this.kernel = this.addWeight("kernel", [k, k, this.args.filters, c], "float32", tf.initializers.glorotUniform({}));
    this.bias = this.addWeight("bias", [this.args.filters], "float32", tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w] = inputShape as tf.Shape;
    const { kernelSize: k, strides: s, padding: p, filters } = this.args;
    return [b, ((h as number) - 1) * s + k - 2 * p, ((w as number) - 1) * s + k - 2 * p, filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const p = this.args.padding;
      const full = stridedConv2dTranspose(x, this.kernel.read() as tf.Tensor4D, this.args.strides); // [B, (h−1)s + k, …, F]
      const [, H, W] = full.shape;
      const cropped = p > 0 ? tf.slice(full, [0, p, p, 0], [-1, H - 2 * p, W - 2 * p, -1]) : full;
      return tf.add(cropped, this.bias.read());
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
tf.serialization.registerClass(StridedConv2D);
tf.serialization.registerClass(StridedConv2DTranspose);

export interface DcganConfig {
  noiseDim?: number;
  /** Channels at 7×7 (G's first feature map, D's last); the 14×14 maps have half as many (default 32). */
  channels?: number;
  leak?: number;
}

/** G: z [B, noiseDim] → dense → [B, 7, 7, c] → convT 4×4 s2 → [B, 14, 14, c/2] → convT 4×4 s2 → [B, 28, 28, 1] → flat [B, 784]. */
export function buildDcganGenerator(config: DcganConfig = {}): tf.Sequential {
  const { noiseDim = 100, channels = 32, leak = 0.2 } = config;
  const half = Math.max(1, Math.floor(channels / 2));
  const model = tf.sequential({ name: "dcgan_generator" });
  model.add(tf.layers.dense({ inputShape: [noiseDim], units: 7 * 7 * channels, name: "dcgan_g_project" }));
  model.add(tf.layers.leakyReLU({ alpha: leak, name: "dcgan_g_leaky0" }));
  model.add(tf.layers.reshape({ targetShape: [7, 7, channels], name: "dcgan_g_to_map" })); // [B, 7, 7, c]
  model.add(new StridedConv2DTranspose({ filters: half, kernelSize: 4, strides: 2, padding: 1, name: "dcgan_g_up1" })); // [B, 14, 14, c/2]
  model.add(tf.layers.leakyReLU({ alpha: leak, name: "dcgan_g_leaky1" }));
  model.add(new StridedConv2DTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 1, name: "dcgan_g_up2" })); // [B, 28, 28, 1]
  model.add(tf.layers.activation({ activation: "sigmoid", name: "dcgan_g_pixels" }));
  model.add(tf.layers.flatten({ name: "dcgan_g_flat" })); // [B, 784]
  return model;
}

/** D: flat [B, 784] → [B, 28, 28, 1] → conv 4×4 s2 → [B, 14, 14, c/2] → conv 4×4 s2 → [B, 7, 7, c] → dense → logit [B, 1]. */
export function buildDcganDiscriminator(config: DcganConfig = {}): tf.Sequential {
  const { channels = 32, leak = 0.2 } = config;
  const half = Math.max(1, Math.floor(channels / 2));
  const model = tf.sequential({ name: "dcgan_discriminator" });
  model.add(tf.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1], name: "dcgan_d_to_image" }));
  model.add(new StridedConv2D({ filters: half, kernelSize: 4, strides: 2, padding: 1, name: "dcgan_d_conv1" })); // [B, 14, 14, c/2]
  model.add(tf.layers.leakyReLU({ alpha: leak, name: "dcgan_d_leaky1" }));
  model.add(new StridedConv2D({ filters: channels, kernelSize: 4, strides: 2, padding: 1, name: "dcgan_d_conv2" })); // [B, 7, 7, c]
  model.add(tf.layers.leakyReLU({ alpha: leak, name: "dcgan_d_leaky2" }));
  model.add(tf.layers.flatten({ name: "dcgan_d_flat" })); // [B, 49c]
  model.add(tf.layers.dense({ units: 1, name: "dcgan_d_logit" })); // [B, 1]
  return model;
}
