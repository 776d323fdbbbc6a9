/**
 * A small U-Net (Ronneberger et al., 2015): a convolutional encoder-decoder for segmentation
 * whose decoder also receives the encoder's feature maps at the same resolution (skip
 * connections), so that the fine detail lost by pooling is put back when upsampling.
 *
 * With depth 2 and f = baseFilters, on 32×32 inputs:
 *
 *   x [b,32,32,1] ─► conv f ─► conv f ─────────────────────────────── e0 [b,32,32,f] ──┐
 *                    maxpool ─► conv 2f ─► conv 2f ──────────────── e1 [b,16,16,2f] ─┐ │
 *                               maxpool ─► conv 4f ─► conv 4f        [b,8,8,4f]      │ │
 *                                          upsample ×2 ─► concat e1 [b,16,16,6f] ◄──┘ │
 *                                          conv 2f ─► conv 2f        [b,16,16,2f]       │
 *                                          upsample ×2 ─► concat e0 [b,32,32,3f] ◄────┘
 *                                          conv f ─► conv f ─► conv 1×1 ─► logits [b,32,32,1]
 *
 * Every conv is 3×3, "same" padding, ReLU (He-initialised); the output is one logit per pixel,
 * σ(logit) the probability that the pixel belongs to a shape. The weights are plain variables
 * and the convolutions go through sameConv2d (fast gradients on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { sameConv2d } from "./sameConv2d";

export interface UNetConfig {
  /** Input height = width (divisible by 2^depth; default 32). */
  size?: number;
  channels?: number;
  /** Filters at the top level; they double at each level down (default 8). */
  baseFilters?: number;
  /** Number of poolings (default 2). */
  depth?: number;
  /** 3×3 convolutions per level (default 2). */
  convsPerLevel?: number;
  /** Leave out the skip connections (for comparison: a plain encoder-decoder). */
  noSkips?: boolean;
  name?: string;
}

interface Conv {
  kernel: tf.Variable; // [3, 3, in, out]
  bias: tf.Variable; // [out]
}

export interface UNet {
  config: Required<UNetConfig>;
  /** Per-pixel logits. x: [batch, size, size, channels] → [batch, size, size, 1] */
  logits(x: tf.Tensor4D): tf.Tensor4D;
  /** Per-pixel probabilities σ(logits). */
  predictMask(x: tf.Tensor4D): tf.Tensor4D;
  trainableWeights(): tf.Variable[];
  countParams(): number;
  /** "conv 1→8, conv 8→8, pool, …" */
  describe(): string;
  dispose(): void;
}

export function smallUNet(config: UNetConfig = {}): UNet {
  const cfg: Required<UNetConfig> = { size: 32, channels: 1, baseFilters: 8, depth: 2, convsPerLevel: 2, noSkips: false, name: "unet", ...config };
  const { size, channels, baseFilters, depth, convsPerLevel, noSkips, name } = cfg;
  if (size % 2 ** depth !== 0) throw new Error(`smallUNet: size ${size} must be divisible by 2^depth = ${2 ** depth}`);

  const convs: Conv[] = [];
  const steps: string[] = [];
  const makeConv = (inC: number, outC: number, k = 3): Conv => {
    const std = Math.sqrt(2 / (k * k * inC)); // He initialisation for ReLU
    const conv = {
      kernel: tf.variable(tf.randomNormal([k, k, inC, outC], 0, std)),
      bias: tf.variable(tf.zeros([outC])),
    };
    convs.push(conv);
    steps.push(`conv${k === 1 ? " 1×1" : ""} ${inC}→${outC}`);
    return conv;
  };
  const block = (inC: number, outC: number): Conv[] => Array.from({ length: convsPerLevel }, (_, i) => makeConv(i === 0 ? inC : outC, outC));

  // Build the weights level by level, in the order of the drawing above.
  const down: Conv[][] = [];
  let c = channels;
  for (let level = 0; level < depth; level++) {
    down.push(block(c, baseFilters * 2 ** level));
    c = baseFilters * 2 ** level;
    steps.push("pool");
  }
  const bottom = block(c, baseFilters * 2 ** depth);
  c = baseFilters * 2 ** depth;
  const up: Conv[][] = [];
  for (let level = depth - 1; level >= 0; level--) {
    steps.push(noSkips ? "up" : "up+skip");
    const skipC = noSkips ? 0 : baseFilters * 2 ** level;
    up.push(block(c + skipC, baseFilters * 2 ** level));
    c = baseFilters * 2 ** level;
  }
  const head = makeConv(c, 1, 1);

  const apply = (x: tf.Tensor4D, layer: Conv) => tf.relu(tf.add(sameConv2d(x, layer.kernel as tf.Tensor4D), layer.bias)) as tf.Tensor4D;
  const applyBlock = (x: tf.Tensor4D, layers: Conv[]) => layers.reduce(apply, x);

  const logits = (x: tf.Tensor4D): tf.Tensor4D => {
    if (x.rank !== 4 || x.shape[1] !== size || x.shape[2] !== size || x.shape[3] !== channels) {
      throw new Error(`${name}: expected [batch, ${size}, ${size}, ${channels}], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let h = x;
      for (let level = 0; level < depth; level++) {
        h = applyBlock(h, down[level]); // [b, s/2^level, s/2^level, f·2^level]
        skips.push(h);
        h = tf.maxPool(h, 2, 2, "valid"); // halves height and width
      }
      h = applyBlock(h, bottom); // [b, s/2^depth, s/2^depth, f·2^depth]
      for (let i = 0; i < depth; i++) {
        const level = depth - 1 - i;
        const side = size / 2 ** level;
        h = tf.image.resizeNearestNeighbor(h, [side, side]); // doubles height and width
        if (!noSkips) h = tf.concat([h, skips[level]], 3); // the skip connection: [b, side, side, c + f·2^level]
        h = applyBlock(h, up[i]);
      }
      return tf.add(sameConv2d(h, head.kernel as tf.Tensor4D), head.bias) as tf.Tensor4D; // [b, s, s, 1]
    });
  };
  const variables = () => convs.flatMap((l) => [l.kernel, l.bias]);
  return {
    config: cfg,
    logits,
    predictMask: (x) => tf.tidy(() => tf.sigmoid(logits(x))),
    trainableWeights: variables,
    countParams: () => variables().reduce((s, v) => s + v.size, 0),
    describe: () => steps.join(", "),
    dispose: () => tf.dispose(variables()),
  };
}
