/**
 * The loop both character language models of lecture 2022-10-29 train with: random windows of
 * the training text, one optimiser step a batch, the loss reported in bits per character.
 * The step itself is the model's (the char-LSTM clips its gradients; GPT takes a plain Adam step).
 */
import * as tf from "@tensorflow/tfjs";
import { randomWindows } from "../models/charLstm";
import type { CharLstmTrainer } from "./charLstmTraining";
import type { Gpt } from "../models/gpt";
import { adam } from "./adam";
import { minimizeStep, trainLoop, TrainHistory } from "./loop";

export interface WindowTrainingOptions {
  steps: number;
  batchSize: number;
  window: number;
  label?: string;
  /** Evaluated now and then (its numbers are recorded in the history). */
  evaluate?: () => Record<string, number>;
  evalEvery?: number;
  quiet?: boolean;
}

/** Trains on random windows of `text` (ids); `step` takes inputs and targets [b, window] and returns the loss in nats. */
export async function trainOnWindows(text: Int32Array, step: (inputs: tf.Tensor2D, targets: tf.Tensor2D, i: number) => number, options: WindowTrainingOptions): Promise<TrainHistory & { characters: number }> {
  const history = await trainLoop({
    steps: options.steps,
    label: options.label ?? "language model (loss in bits/char)",
    quiet: options.quiet,
    step: (i) => {
      const { inputs, targets } = randomWindows(text, options.batchSize, options.window);
      const nats = step(inputs, targets, i);
      tf.dispose([inputs, targets]);
      return nats / Math.LN2;
    },
    evaluate: options.evaluate ? () => options.evaluate!() : undefined,
    evalEvery: options.evalEvery,
  });
  return { ...history, characters: options.steps * options.batchSize * options.window };
}

/** The char-LSTM: its trainer's clipped Adam step on each batch. */
export function trainCharLstm(trainer: CharLstmTrainer, text: Int32Array, options: WindowTrainingOptions) {
  return trainOnWindows(text, (inputs, targets) => trainer.trainStep(inputs, targets), { label: "char-LSTM (loss in bits/char)", ...options });
}

/**
 * GPT: Adam at a constant learning rate. (At this short budget a warm-up and cosine decay did worse:
 * 160 steps of 32 windows gave 3.61 bits/char with it, 3.49 without: the model is far from converged,
 * and decaying the rate only slows it down.)
 */
export async function trainCharGpt(gpt: Gpt, text: Int32Array, options: WindowTrainingOptions & { learningRate: number }) {
  const optimizer = adam(options.learningRate);
  const vars = gpt.trainableVariables;
  try {
    return await trainOnWindows(text, (inputs, targets) => minimizeStep(optimizer, vars, () => gpt.loss(inputs, targets, true)), { label: "char GPT (loss in bits/char)", ...options });
  } finally {
    optimizer.dispose();
  }
}
