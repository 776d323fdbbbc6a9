/**
 * Training a U-Net to segment: per-pixel binary cross-entropy between the predicted logits and
 * the true mask, averaged over pixels and images.
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "./adam";
import { UNet } from "../models/unet";
import { binaryCrossEntropyFromLogitsPerExample } from "../losses/reconstruction";
import { mapInBatches } from "./batching";
import { ShuffledBatches } from "./shuffledBatches";
import { minimizeStep, trainLoop, TrainHistory } from "./loop";

/** Images and masks back to back, size × size each (lib/data/shapes.ts makes them). */
export interface SegmentationSet {
  images: Float32Array;
  masks: Float32Array;
  count: number;
  size: number;
}

export interface SegmentationTrainingOptions {
  steps: number;
  batchSize?: number;
  learningRate?: number;
  label?: string;
  quiet?: boolean;
}

function gather(values: Float32Array, pixels: number, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * pixels);
  indices.forEach((k, i) => out.set(values.subarray(k * pixels, (k + 1) * pixels), i * pixels));
  return out;
}

export async function trainSegmentation(unet: UNet, data: SegmentationSet, options: SegmentationTrainingOptions): Promise<TrainHistory> {
  const { steps, batchSize = 32, learningRate = 3e-3 } = options;
  const { size } = data;
  if (unet.config.size !== size || unet.config.channels !== 1) throw new Error(`trainSegmentation: the data is ${size}×${size}×1, the U-Net expects ${unet.config.size}×${unet.config.size}×${unet.config.channels}`);
  const P = size * size;
  const optimizer = adam(learningRate);
  const variables = unet.trainableWeights();
  const batches = new ShuffledBatches(data.count, batchSize, (indices) => ({
    x: tf.tensor4d(gather(data.images, P, indices), [indices.length, size, size, 1]), // [b, size, size, 1]
    y: tf.tensor2d(gather(data.masks, P, indices), [indices.length, P]), // [b, P]
  }), { dropLast: true });
  try {
    return await trainLoop({
      steps,
      label: options.label ?? "U-Net",
      quiet: options.quiet,
      step: () =>
        minimizeStep(optimizer, variables, () => {
          const { x, y } = batches.next(); // freed by minimizeStep's tidy
          return binaryCrossEntropyFromLogitsPerExample(unet.logits(x).reshape([x.shape[0], P]), y).mean().div(P) as tf.Scalar;
        }),
    });
  } finally {
    optimizer.dispose();
  }
}

/** Predicted probabilities σ(logit) for every pixel of every image: count × size × size. */
export function predictMasks(unet: UNet, data: { images: Float32Array; count: number; size: number }): Float32Array {
  const { size } = data;
  return mapInBatches(data, (x) => unet.predictMask(x.reshape([x.shape[0], size, size, 1]) as tf.Tensor4D), 250);
}
