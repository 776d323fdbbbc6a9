/**
 * A small MNIST classifier, the judge of generated digits (../metrics/sampleQuality.ts).
 * Dense by default (784-256-10 with dropout): the wasm backend trains dense layers fast, and it
 * reaches ≥ 0.98 test accuracy within a few epochs (../train/classifierTraining.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { MnistSet, mnistImages, mnistLabels } from "../data/mnist";

export interface MnistClassifierConfig {
  /** Hidden widths (default [256]). */
  hidden?: number[];
  /** Dropout after each hidden layer during training (default 0.2). */
  dropout?: number;
  name?: string;
}

/** x: [batch, 784] pixels in [0, 1] → p(y | x): [batch, 10] (softmax). */
export function buildMnistClassifier(config: MnistClassifierConfig = {}): tf.Sequential {
  const { hidden = [256], dropout = 0.2, name = "mnist_classifier" } = config;
  const model = tf.sequential({ name });
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({ units, activation: "relu", ...(i === 0 ? { inputShape: [784] } : {}), name: `${name}_dense${i + 1}` }));
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, name: `${name}_dropout${i + 1}` }));
  });
  model.add(tf.layers.dense({ units: 10, activation: "softmax", ...(hidden.length === 0 ? { inputShape: [784] } : {}), name: `${name}_out` }));
  return model;
}

/** Fraction of `set` classified correctly. */
export function mnistClassifierAccuracy(model: tf.LayersModel, set: MnistSet, batchSize = 1000): number {
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const hits = tf.tidy(() => {
      const predicted = (model.predict(mnistImages(set, idx)) as tf.Tensor).argMax(-1);
      return predicted.equal(mnistLabels(set, idx)).sum();
    });
    correct += hits.dataSync()[0];
    hits.dispose();
  }
  return correct / set.count;
}
