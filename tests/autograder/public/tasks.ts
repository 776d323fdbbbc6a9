/**
 * Data and measurements of the training tasks, shared by the public and hidden specs. Public (it
 * ships with the public specs): it holds how a task is measured, never the held-out answers, which
 * the hidden specs draw from seeds of their own. Plain JavaScript in float64, no tfjs: the runner
 * measures what the sandbox returned without running anything the student wrote.
 */
import { denseModel, fail, ModelValue, OptimizerValue, TensorValue } from "../../../tools/grader/spec";

export type Matrix = number[][];

// ── autoencoders: 8×8 bars ─────────────────────────────────────────────────────────────────
/** 8×8 images, flattened to 64: each of the 8 rows and 8 columns lit with probability 1/8, at least one per image. */
export function bars(count: number, rng: () => number): Matrix {
  return Array.from({ length: count }, () => {
    const image = new Array(64).fill(0);
    for (let lit = false; !lit; ) {
      for (let b = 0; b < 16; b++) {
        if (rng() >= 1 / 8) continue;
        lit = true;
        for (let k = 0; k < 8; k++) image[b < 8 ? b * 8 + k : k * 8 + (b - 8)] = 1;
      }
    }
    return image;
  });
}

/** Masking noise drawn here, by the grader: each entry set to 0 with probability `fraction`. */
export function maskRows(x: Matrix, fraction: number, rng: () => number): Matrix {
  return x.map((row) => row.map((v) => (rng() < fraction ? 0 : v)));
}

const DAE_SHAPES = [[64, 32], [32], [32, 64], [64]];

/** Glorot-uniform initial weights of the 64 → 32 → 64 autoencoder, zero biases. */
export function daeInitialWeights(rng: () => number): { values: unknown }[] {
  const glorot = (fanIn: number, fanOut: number) => Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => (rng() * 2 - 1) * Math.sqrt(6 / (fanIn + fanOut))));
  return [{ values: glorot(64, 32) }, { values: new Array(32).fill(0) }, { values: glorot(32, 64) }, { values: new Array(64).fill(0) }];
}

/** The model the sandbox builds: 64 → 32 ReLU → 64 sigmoid, with these weights. */
export function daeModel(weights: { values: unknown }[]) {
  return denseModel([{ units: 32, activation: "relu", inputDim: 64 }, { units: 64, activation: "sigmoid" }], weights);
}

/** The weights of a trained autoencoder as it came back, checked for form. */
export function daeWeightsOf(model: unknown): TensorValue[] {
  const w = model instanceof ModelValue ? model.weights : [];
  const ok = w.length === 4 && w.every((t, i) => t instanceof TensorValue && t.shape.join() === DAE_SHAPES[i].join() && t.data.every(Number.isFinite));
  if (!ok) fail("after training, the model's weights should still be 4 finite tensors of shapes [64, 32], [32], [32, 64], [64]");
  return w;
}

/** The autoencoder's output for each row, computed from its weights. */
export function daeForward(weights: TensorValue[], x: Matrix): Matrix {
  const [w1, b1, w2, b2] = weights;
  const dense = (input: number[], w: TensorValue, b: TensorValue, act: (z: number) => number) => {
    const [rows, cols] = w.shape;
    return Array.from({ length: cols }, (_, j) => {
      let z = b.data[j];
      for (let i = 0; i < rows; i++) z += input[i] * w.data[i * cols + j];
      return act(z);
    });
  };
  return x.map((row) => dense(dense(row, w1, b1, (z) => Math.max(0, z)), w2, b2, (z) => 1 / (1 + Math.exp(-z))));
}

/** Peak signal-to-noise ratio for values in [0, 1]: 10 log10(1 / MSE), in dB. */
export function psnr(y: Matrix, x: Matrix): number {
  let se = 0;
  let n = 0;
  y.forEach((row, i) => row.forEach((v, j) => ((se += (v - x[i][j]) ** 2), n++)));
  return 10 * Math.log10(1 / (se / n));
}

/** The optimizer's step count as it came back: the budget of a training task is judged on it. */
export function stepsTaken(opt: unknown): number {
  if (!(opt instanceof OptimizerValue)) fail("the optimizer did not come back from the call");
  return (opt as OptimizerValue).iterations;
}

// ── transformers: the most frequent token ──────────────────────────────────────────────────
/** Sequences of `time` tokens from `vocab`, labelled by their most frequent token (ties are drawn again). */
export function majorityData(count: number, rng: () => number, time = 10, vocab = 5): { tokens: number[][]; labels: number[] } {
  const tokens: number[][] = [];
  const labels: number[] = [];
  while (tokens.length < count) {
    const seq = Array.from({ length: time }, () => Math.floor(rng() * vocab));
    const counts = Array.from({ length: vocab }, (_, t) => seq.filter((s) => s === t).length);
    const top = Math.max(...counts);
    if (counts.filter((c) => c === top).length > 1) continue;
    tokens.push(seq);
    labels.push(counts.indexOf(top));
  }
  return { tokens, labels };
}

/** Predicted labels as they came back: one whole number in [0, vocab) per sequence, or a failure that says what is wrong. */
export function labelsOf(value: unknown, count: number, vocab: number): number[] {
  const xs = value instanceof TensorValue ? value.data : Array.isArray(value) ? value.map(Number) : null;
  if (!xs || xs.length !== count) fail(`expected ${count} predicted labels (one per test sequence), got ${xs ? xs.length : "no list"}`);
  const bad = xs!.findIndex((x) => !Number.isInteger(x) || x < 0 || x >= vocab);
  if (bad >= 0) fail(`prediction ${bad} is ${xs![bad]}: a label is a token id, a whole number from 0 to ${vocab - 1}`);
  return xs!;
}

// ── GANs: modes on a ring ──────────────────────────────────────────────────────────────────
/** k modes evenly on a circle of radius r. */
export function ring(k: number, r: number): Matrix {
  return Array.from({ length: k }, (_, j) => [r * Math.cos((2 * Math.PI * j) / k), r * Math.sin((2 * Math.PI * j) / k)]);
}

/** Samples around the chosen modes of a ring (radius 2, 8 modes), Gaussian with σ = 0.1. */
export function ringSamples(count: number, modes: number[], rng: () => number): Matrix {
  const centres = ring(8, 2);
  return Array.from({ length: count }, () => {
    const c = centres[modes[Math.floor(rng() * modes.length)]];
    const r = 0.1 * Math.sqrt(-2 * Math.log(1 - rng()));
    const a = 2 * Math.PI * rng();
    return [c[0] + r * Math.cos(a), c[1] + r * Math.sin(a)];
  });
}

/** Glorot-uniform initial weights of the 2 → 16 → 1 discriminator, zero biases. */
export function criticInitialWeights(rng: () => number): { values: unknown }[] {
  const glorot = (fanIn: number, fanOut: number) => Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => (rng() * 2 - 1) * Math.sqrt(6 / (fanIn + fanOut))));
  return [{ values: glorot(2, 16) }, { values: new Array(16).fill(0) }, { values: glorot(16, 1) }, { values: [0] }];
}

export function criticModel(weights: { values: unknown }[]) {
  return denseModel([{ units: 16, activation: "relu", inputDim: 2 }, { units: 1 }], weights);
}

const CRITIC_SHAPES = [[2, 16], [16], [16, 1], [1]];

/** The discriminator's logit for each point, from its weights as they came back (checked for form). */
export function criticLogits(model: unknown, x: Matrix): number[] {
  const w = model instanceof ModelValue ? model.weights : [];
  const ok = w.length === 4 && w.every((t, i) => t instanceof TensorValue && t.shape.join() === CRITIC_SHAPES[i].join() && t.data.every(Number.isFinite));
  if (!ok) fail("after training, the discriminator's weights should still be 4 finite tensors of shapes [2, 16], [16], [16, 1], [1]");
  const [w1, b1, w2, b2] = w;
  return x.map((p) => {
    let z = b2.data[0];
    for (let j = 0; j < 16; j++) z += Math.max(0, p[0] * w1.data[j] + p[1] * w1.data[16 + j] + b1.data[j]) * w2.data[j];
    return z;
  });
}
