/**
 * Training the character LSTM (../models/charLstm.ts): Adam on the mean cross-entropy of each
 * next character, with the gradients clipped by their global norm, one batch of windows a step.
 *
 * Clipping: an LSTM's gradient is usually small, but now and then a window makes it explode
 * (a long chain of recurrent products); scaling the whole gradient down to norm ≤ clipNorm keeps
 * its direction and caps the step (Pascanu et al., 2013).
 */
import * as tf from "@tensorflow/tfjs";
import type { CharLstm } from "../models/charLstm";
import { adam } from "./adam";

export interface CharLstmTrainingOptions {
  /** Adam learning rate (default 1e-2: tfjs's default 1e-3 learns several times slower here). */
  learningRate?: number;
  /** Clip gradients to this global norm (default 5). */
  clipNorm?: number;
}

export class CharLstmTrainer {
  readonly clipNorm: number;
  readonly optimizer: tf.Optimizer;

  constructor(readonly model: CharLstm, options: CharLstmTrainingOptions = {}) {
    this.clipNorm = options.clipNorm ?? 5;
    this.optimizer = adam(options.learningRate ?? 1e-2);
  }

  /** One Adam step on a batch of windows, inputs and targets [b, T]; returns the loss in nats (read outside tidy). */
  trainStep(inputs: tf.Tensor2D, targets: tf.Tensor2D): number {
    const lossTensor = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.model.loss(inputs, targets), this.model.variables);
      this.optimizer.applyGradients(clipByGlobalNorm(grads, this.clipNorm));
      return value;
    });
    const loss = lossTensor.dataSync()[0];
    lossTensor.dispose();
    return loss;
  }

  /** Frees the optimiser's state (the model keeps its weights). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Scales gradients down so that their joint L2 norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}
