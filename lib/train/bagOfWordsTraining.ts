/**
 * Fitting the bag-of-words baseline (../models/bagOfWords.ts): full-batch Adam on the sigmoid
 * cross-entropy of the 0/1 labels plus an L2 penalty on the word weights, which keeps words
 * seen once or twice from getting extreme weights.
 */
import * as tf from "@tensorflow/tfjs";
import { BagOfWordsClassifier } from "../models/bagOfWords";
import { adam } from "./adam";
import { minimizeStep } from "./loop";

export interface BagOfWordsOptions {
  /** Words seen in fewer training sentences are dropped (default 1: keep all). */
  minCount?: number;
  /** L2 penalty on the weights, per training example (default 1e-3). */
  l2?: number;
  /** Full-batch Adam steps (default 300) and learning rate (default 0.05). */
  steps?: number;
  learningRate?: number;
}

/** Fits on sentences with 0/1 labels; returns the classifier and its training losses. */
export function fitBagOfWords(texts: readonly string[], labels: readonly number[], options: BagOfWordsOptions = {}): { model: BagOfWordsClassifier; losses: number[] } {
  if (texts.length !== labels.length) throw new Error(`bag of words: ${texts.length} texts but ${labels.length} labels`);
  if (texts.length === 0) throw new Error("bag of words: nothing to train on");
  const l2 = options.l2 ?? 1e-3;
  const steps = options.steps ?? 300;
  const model = BagOfWordsClassifier.withVocabulary(texts, options.minCount ?? 1);
  const x = model.featurize(texts);
  const y = tf.tensor1d(labels.map(Number)); // [n]
  const optimizer = adam(options.learningRate ?? 0.05);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(
      minimizeStep(optimizer, [model.weights, model.bias], () => {
        const logits = model.logits(x); // [n]
        const crossEntropy = tf.losses.sigmoidCrossEntropy(y, logits);
        return tf.add(crossEntropy, tf.mul(l2, tf.sum(tf.square(model.weights)))) as tf.Scalar;
      }),
    );
  }
  optimizer.dispose();
  tf.dispose([x.wordIds, x.present, y]);
  return { model, losses };
}
