/**
 * The long-range experiment, measured: how much gradient reaches each input position, and
 * whether a reader learns to name the first of T symbols within a step budget.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../seed";
import { rememberFirstBatch, RememberFirstBatch } from "../data/rememberFirst";
import { SequenceReader } from "../models/longRange";
import { adam } from "./adam";
import { minimizeStep, trainLoop } from "./loop";

function tensors(batch: RememberFirstBatch, symbols: number): { x: tf.Tensor3D; y: tf.Tensor1D } {
  return tf.tidy(() => ({
    x: tf.oneHot(tf.tensor2d(batch.inputs, [batch.batch, batch.length], "int32"), symbols).toFloat() as tf.Tensor3D, // [b, T, symbols]
    y: tf.tensor1d(batch.targets, "int32"),
  }));
}

/**
 * ‖∂loss/∂x_t‖ for each position t, averaged over the batch: [T]. Position 0 holds the answer;
 * a reader whose gradient there is ~0 cannot learn to use it.
 */
export function gradientNormByPosition(reader: SequenceReader, batch: RememberFirstBatch): number[] {
  const { x, y } = tensors(batch, reader.config.symbols);
  const norms = tf.tidy(() => {
    const g = tf.grad((input: tf.Tensor) => reader.loss(input as tf.Tensor3D, y))(x); // [b, T, symbols]
    return tf.mean(tf.sqrt(tf.sum(tf.square(g), 2)), 0); // [T]
  });
  const out = Array.from(norms.dataSync());
  tf.dispose([x, y, norms]);
  return out;
}

/** Share of fresh sequences whose first symbol the reader names correctly. */
export function rememberFirstAccuracy(reader: SequenceReader, length: number, count = 512, seedValue = 99): number {
  const batch = rememberFirstBatch(count, length, reader.config.symbols, mulberry32(seedValue));
  const { x, y } = tensors(batch, reader.config.symbols);
  const correct = tf.tidy(() => tf.sum(tf.equal(tf.argMax(reader.logits(x), 1), y)).dataSync()[0]);
  tf.dispose([x, y]);
  return correct / count;
}

export interface LongRangeRun {
  losses: number[];
  accuracy: number;
  seconds: number;
}

/** Trains `reader` on sequences of `length` for `steps` steps of `batchSize`; returns losses and held-out accuracy. */
export async function trainRememberFirst(
  reader: SequenceReader,
  options: { length: number; steps: number; batchSize?: number; learningRate?: number; seedValue?: number; label?: string; quiet?: boolean },
): Promise<LongRangeRun> {
  const rng = mulberry32(options.seedValue ?? 7);
  const optimizer = adam(options.learningRate ?? 3e-3);
  const vars = reader.trainableVariables;
  const history = await trainLoop({
    steps: options.steps,
    label: options.label ?? `${reader.config.kind}, T = ${options.length}`,
    quiet: options.quiet,
    step: () => {
      const { x, y } = tensors(rememberFirstBatch(options.batchSize ?? 64, options.length, reader.config.symbols, rng), reader.config.symbols);
      const value = minimizeStep(optimizer, vars, () => reader.loss(x, y));
      tf.dispose([x, y]);
      return value;
    },
  });
  optimizer.dispose();
  return { losses: history.losses, accuracy: rememberFirstAccuracy(reader, options.length), seconds: history.seconds };
}
