/**
 * RNN versus transformer, measured: the time of one forward pass as the sequence grows.
 *
 * An LSTM must run its T steps one after the other (step t needs h_{t-1}), so it issues ~10·T
 * small operations; a transformer block processes all T positions with a fixed number of large
 * operations, at the price of a T×T attention matrix. Which wins depends on T and on the
 * hardware: wide parallel hardware favours the transformer strongly; a single CPU thread much
 * less so. This file measures it on whatever backend runs.
 */
import * as tf from "@tensorflow/tfjs";
import { fusedLstmStep, LstmState } from "../layers/lstmCell";
import { TransformerEncoderBlock } from "../layers/transformerBlock";

export interface TimingRow {
  length: number;
  /** Median milliseconds per forward pass. */
  lstmLayerMs: number;
  fusedLstmMs: number;
  transformerMs: number;
  /** fused LSTM ÷ transformer block within each repeat (the models run interleaved): median, lowest, highest. */
  ratio: { median: number; low: number; high: number };
}

export interface TimingOptions {
  lengths?: number[];
  batch?: number;
  dModel?: number;
  numHeads?: number;
  repeats?: number;
  /** Called after each length (to show progress). */
  onRow?: (row: TimingRow) => void | Promise<void>;
}

/** Milliseconds of one run of f, reading the result back so the work is really done. */
async function timeOnceMs(f: () => tf.Tensor): Promise<number> {
  const t0 = performance.now();
  const out = f();
  await out.data();
  out.dispose();
  return performance.now() - t0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median time of `repeats` runs of f (after one warm-up), reading the result back so the work is really done. */
export async function medianForwardMs(f: () => tf.Tensor, repeats: number): Promise<number> {
  await timeOnceMs(f);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await timeOnceMs(f));
  return median(times);
}

/** An LSTM over x [b, T, d] with one fused recurrent product per step; returns all h [b, T, d]. */
export function fusedLstmForward(x: tf.Tensor3D, W: tf.Tensor2D, U: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [b, T, d] = x.shape;
  const units = U.shape[0];
  return tf.tidy(() => {
    const proj = tf.add(tf.matMul(x.transpose([1, 0, 2]).reshape([T * b, d]), W), bias); // time-major [T·b, 4u]
    let state: LstmState = { h: tf.zeros([b, units]), c: tf.zeros([b, units]) };
    const hs: tf.Tensor2D[] = [];
    for (const xt of tf.split(proj, T, 0) as tf.Tensor2D[]) {
      state = fusedLstmStep(xt, state, U);
      hs.push(state.h);
    }
    return tf.stack(hs, 1) as tf.Tensor3D;
  });
}

/** Forward time of tf.layers.lstm, the fused LSTM and one transformer encoder block, for each length. */
export async function timeSequenceModels(options: TimingOptions = {}): Promise<TimingRow[]> {
  const lengths = options.lengths ?? [8, 16, 32, 64, 128, 256];
  const b = options.batch ?? 16;
  const d = options.dModel ?? 64;
  const repeats = options.repeats ?? 5;
  // glorotNormal rather than the default orthogonal recurrent initialiser: same speed, no QR decomposition at build time
  const lstmLayer = tf.layers.lstm({ units: d, returnSequences: true, recurrentActivation: "sigmoid", recurrentInitializer: "glorotNormal" });
  const block = new TransformerEncoderBlock({ numHeads: options.numHeads ?? 4, dModel: d, ffDim: 4 * d, dropout: 0 });
  const W = tf.randomNormal([d, 4 * d], 0, 0.1) as tf.Tensor2D;
  const U = tf.randomNormal([d, 4 * d], 0, 0.1) as tf.Tensor2D;
  const bias = tf.zeros([4 * d]) as tf.Tensor1D;
  const rows: TimingRow[] = [];
  try {
    for (const T of lengths) {
      const x = tf.randomNormal([b, T, d]) as tf.Tensor3D;
      const models = [() => lstmLayer.apply(x) as tf.Tensor, () => fusedLstmForward(x, W, U, bias), () => block.apply(x) as tf.Tensor];
      for (const f of models) await timeOnceMs(f); // warm-up
      // Interleaved: each repeat times all three back to back, so a burst of load from another
      // process hits them alike, and the per-repeat ratio is fairer than a ratio of medians.
      const times: number[][] = [[], [], []];
      for (let r = 0; r < repeats; r++) for (let m = 0; m < models.length; m++) times[m].push(await timeOnceMs(models[m]));
      const ratios = times[1].map((t, r) => t / times[2][r]);
      const row: TimingRow = {
        length: T,
        lstmLayerMs: median(times[0]),
        fusedLstmMs: median(times[1]),
        transformerMs: median(times[2]),
        ratio: { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) },
      };
      x.dispose();
      rows.push(row);
      await options.onRow?.(row);
    }
  } finally {
    tf.dispose([W, U, bias]);
    lstmLayer.dispose();
    block.dispose();
  }
  return rows;
}
