/**
 * Training the vision transformer (../models/vit.ts) on MNIST: shuffled batches, Adam with a
 * warm-up and a half-cosine decay of the learning rate (worth about a point of accuracy at the
 * lecture's budget of ~1.2 passes), the accuracy on the first test digits now and then.
 */
import * as tf from "@tensorflow/tfjs";
import type { VisionTransformer } from "../models/vit";
import { MnistSet, mnistImages, mnistLabels } from "../data/mnist";
import { adam } from "./adam";
import { cosineWithWarmup, setOptimizerLearningRate } from "./lrSchedule";
import { minimizeStep, trainLoop, TrainHistory } from "./loop";
import { ShuffledBatches } from "./shuffledBatches";

export interface VitTrainingOptions {
  steps: number;
  batchSize: number;
  peakLearningRate: number;
  warmupSteps: number;
  /** Test digits scored every evalEvery steps (the first n of the test set). */
  checkImages?: number;
  evalEvery?: number;
  quiet?: boolean;
}

export async function trainVit(vit: VisionTransformer, train: MnistSet, test: MnistSet, options: VitTrainingOptions): Promise<TrainHistory> {
  const optimizer = adam(options.peakLearningRate);
  const vars = vit.trainableVariables;
  const check = Array.from({ length: Math.min(options.checkImages ?? 1000, test.count) }, (_, i) => i);
  const checkX = mnistImages(test, check); // [n, 784]
  const checkY = mnistLabels(test, check); // [n]
  const batches = new ShuffledBatches(train.count, options.batchSize, (idx) => ({
    x: mnistImages(train, idx), // [b, 784]
    y: mnistLabels(train, idx), // [b]
  }));
  try {
    return await trainLoop({
      steps: options.steps,
      label: "ViT on MNIST",
      quiet: options.quiet,
      step: (i) => {
        setOptimizerLearningRate(optimizer, cosineWithWarmup(i, { peak: options.peakLearningRate, totalSteps: options.steps, warmupSteps: options.warmupSteps }));
        return batches.withNext(({ x, y }) => minimizeStep(optimizer, vars, () => vit.loss(x, y, true)));
      },
      evaluate: () => ({ [`test_accuracy_${check.length}`]: vit.accuracy(checkX, checkY) }),
      evalEvery: options.evalEvery ?? 250,
    });
  } finally {
    tf.dispose([checkX, checkY]);
    optimizer.dispose();
  }
}
