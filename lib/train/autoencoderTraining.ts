/**
 * Training a dense autoencoder, with the lecture's variations as options:
 *
 *   plain       minimise L(x, g(f(x)))                        (binary cross-entropy, summed over pixels)
 *   sparse      minimise L(x, g(f(x))) + λ Σ_i |h_i|           (sparsityLambda = λ; h = f(x) the code)
 *   denoising   minimise L(x, g(f(x̃))), x̃ = x with a fraction  (maskFraction); the target is the
 *               of its pixels set to 0                          CLEAN x, never x̃
 *   dropout     set in the model's config; active here because training passes `training: true`
 *
 * Each step runs inside tf.tidy; the loss is read on the host outside it.
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "./adam";
import { DenseAutoencoder } from "../models/autoencoder";
import { binaryCrossEntropyFromLogits } from "../losses/reconstruction";
import { l1ActivityPenalty } from "../losses/sparsity";
import { maskingNoise } from "../data/corruption";
import { FlatImages, mapInBatches, perImageMse, pixelsPerImage, rowsTensor, arrayMean } from "./batching";
import { ShuffledBatches } from "./shuffledBatches";
import { minimizeStep, trainLoop, TrainHistory } from "./loop";

export interface AutoencoderTrainingOptions {
  steps: number;
  batchSize?: number;
  learningRate?: number;
  /** Denoising: the fraction of input pixels dropped (default 0). */
  maskFraction?: number;
  /** Sparse: λ of the L1 penalty on the code activations (default 0). */
  sparsityLambda?: number;
  label?: string;
  quiet?: boolean;
  /** Called every evalEvery steps; numbers shown in the progress line and kept in history.evals. */
  evaluate?: (step: number) => Record<string, number>;
  evalEvery?: number;
}

export async function trainAutoencoder(model: DenseAutoencoder, data: FlatImages, options: AutoencoderTrainingOptions): Promise<TrainHistory> {
  const { steps, batchSize = 128, learningRate = 1e-3, maskFraction = 0, sparsityLambda = 0 } = options;
  if (pixelsPerImage(data) !== model.config.inputSize) {
    throw new Error(`trainAutoencoder: the images have ${pixelsPerImage(data)} pixels, the model expects ${model.config.inputSize}`);
  }
  const optimizer = adam(learningRate);
  const variables = model.trainableWeights();
  const batches = new ShuffledBatches(data.count, batchSize, (idx) => rowsTensor(data, idx), { dropLast: true }); // [batch, D]
  try {
    return await trainLoop({
      steps,
      label: options.label ?? model.describe(),
      quiet: options.quiet,
      evaluate: options.evaluate,
      evalEvery: options.evalEvery,
      step: () =>
        minimizeStep(optimizer, variables, () => {
          const x = batches.next(); // [batch, D], the clean target (minimizeStep's tidy frees it)
          const input = maskFraction > 0 ? (maskingNoise(x, maskFraction) as tf.Tensor2D) : x;
          const { code, logits } = model.forward(input, true);
          const reconstruction = binaryCrossEntropyFromLogits(logits, x);
          return sparsityLambda > 0 ? tf.add(reconstruction, l1ActivityPenalty(code, sparsityLambda)) : reconstruction;
        }),
    });
  } finally {
    optimizer.dispose();
  }
}

/** x̂ for every image (inference mode), back to back: count × D. */
export function reconstructAll(model: DenseAutoencoder, data: FlatImages): Float32Array {
  return mapInBatches(data, (x) => model.reconstruct(x));
}

/** The code h = f(x) of every image: count × codeSize. */
export function encodeAll(model: DenseAutoencoder, data: FlatImages): Float32Array {
  return mapInBatches(data, (x) => model.encode(x, false));
}

/** Per-image mean squared reconstruction error (per pixel), and its mean. */
export function reconstructionErrors(model: DenseAutoencoder, data: FlatImages): { perImage: number[]; mean: number } {
  const perImage = perImageMse(reconstructAll(model, data), data.images, pixelsPerImage(data));
  return { perImage, mean: arrayMean(perImage) };
}
