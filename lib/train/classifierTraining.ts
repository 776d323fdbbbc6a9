/**
 * Training the MNIST classifier (../models/classifier.ts): Adam on the sparse cross-entropy of
 * the digit labels, in shuffled mini-batches, reshuffled every epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { MnistSet, mnistImages, mnistLabels } from "../data/mnist";
import { adam } from "./adam";
import { trainLoop, TrainHistory } from "./loop";
import { ShuffledBatches } from "./shuffledBatches";

export interface ClassifierTrainingOptions {
  /** Optimisation steps (use scaledSteps in lectures). */
  steps: number;
  batchSize?: number;
  learningRate?: number;
  label?: string;
  quiet?: boolean;
}

/**
 * Trains with Adam on sparse cross-entropy, reshuffling every epoch. Compiles the model on the first
 * call only, so that a second call continues with the same optimiser state.
 */
export async function trainMnistClassifier(model: tf.LayersModel, train: MnistSet, options: ClassifierTrainingOptions): Promise<TrainHistory> {
  const batchSize = options.batchSize ?? 128;
  if (model.optimizer == null) model.compile({ optimizer: adam(options.learningRate ?? 1e-3), loss: "sparseCategoricalCrossentropy" });
  const batches = new ShuffledBatches(train.count, batchSize, (idx) => ({
    x: mnistImages(train, idx), // [batch, 784]
    y: mnistLabels(train, idx, "float32"), // [batch]
  }), { dropLast: true });
  return trainLoop({
    steps: options.steps,
    label: options.label ?? "classifier",
    quiet: options.quiet,
    step: () => batches.withNext(async ({ x, y }) => (await model.trainOnBatch(x, y)) as number),
  });
}
