/**
 * The LSTM neuron (Hochreiter & Schmidhuber, 1997; forget gate from Gers et al., 2000), one
 * time step written out. Four weight sets, each an input matrix W, a recurrent matrix U and a
 * bias b:
 *
 *   f_t = σ(x_t W_f + h_{t-1} U_f + b_f)        forget gate: how much of the old memory to keep
 *   i_t = σ(x_t W_i + h_{t-1} U_i + b_i)        input gate: how much of the candidate to write
 *   c̃_t = tanh(x_t W_c + h_{t-1} U_c + b_c)     candidate: the new value to store in memory
 *   o_t = σ(x_t W_o + h_{t-1} U_o + b_o)        output gate: how much of the memory to show
 *   c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t             the memory cell: a running, gated sum
 *   h_t = o_t ⊙ tanh(c_t)                       the output (and next step's recurrent input)
 *
 * σ is the logistic sigmoid. TensorFlow.js (like Keras) defaults the gates' activation to
 * `hardSigmoid`, a piecewise-linear approximation; textbooks and PyTorch use σ, and so does this
 * file: build `tf.layers.lstm` with `recurrentActivation: "sigmoid"` to compare.
 *
 * tf.layers.lstm stores the four sets side by side, in the order i, f, c, o:
 * kernel [inputDim, 4·units], recurrentKernel [units, 4·units], bias [4·units].
 */
import * as tf from "@tensorflow/tfjs";

export const LSTM_GATES = ["input", "forget", "candidate", "output"] as const; // tfjs/Keras column order
export type LstmGate = (typeof LSTM_GATES)[number];

/** One weight set per gate: W [inputDim, units], U [units, units], b [units]. */
export type LstmWeights = Record<LstmGate, { W: tf.Tensor2D; U: tf.Tensor2D; b: tf.Tensor1D }>;

// (type aliases rather than interfaces, so that tf.tidy accepts them as tensor containers)
export type LstmState = {
  h: tf.Tensor2D; // [batch, units]
  c: tf.Tensor2D; // [batch, units]
};

export type LstmStepResult = LstmState & {
  /** The gate activations of this step, for inspection: each [batch, units]. */
  gates: { forget: tf.Tensor2D; input: tf.Tensor2D; candidate: tf.Tensor2D; output: tf.Tensor2D };
};

/** One LSTM step, gate by gate. x: [batch, inputDim], state h, c: [batch, units]. */
export function lstmCellStep(x: tf.Tensor2D, state: LstmState, w: LstmWeights): LstmStepResult {
  return tf.tidy(() => {
    const pre = (g: LstmGate) => tf.add(tf.add(tf.matMul(x, w[g].W), tf.matMul(state.h, w[g].U)), w[g].b);
    const forget = tf.sigmoid(pre("forget")) as tf.Tensor2D;
    const input = tf.sigmoid(pre("input")) as tf.Tensor2D;
    const candidate = tf.tanh(pre("candidate")) as tf.Tensor2D;
    const output = tf.sigmoid(pre("output")) as tf.Tensor2D;
    const c = tf.add(tf.mul(forget, state.c), tf.mul(input, candidate)) as tf.Tensor2D;
    const h = tf.mul(output, tf.tanh(c)) as tf.Tensor2D;
    return { h, c, gates: { forget, input, candidate, output } };
  });
}

/** Runs the cell over a sequence. xs: [batch, time, inputDim] → all h: [batch, time, units], and the last state. */
export function runLstmCell(xs: tf.Tensor3D, w: LstmWeights, initial?: LstmState): { outputs: tf.Tensor3D; last: LstmState } {
  const [batch, time] = xs.shape;
  const units = w.forget.U.shape[0];
  return tf.tidy(() => {
    let state: LstmState = initial ?? { h: tf.zeros([batch, units]), c: tf.zeros([batch, units]) };
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < time; t++) {
      const x = xs.slice([0, t, 0], [batch, 1, xs.shape[2]]).reshape([batch, xs.shape[2]]) as tf.Tensor2D;
      const step = lstmCellStep(x, state, w);
      state = { h: step.h, c: step.c };
      hs.push(step.h);
    }
    return { outputs: tf.stack(hs, 1) as tf.Tensor3D, last: state };
  });
}

/** Random weights (uniform ±1/√units, as PyTorch initialises), forget bias 1. */
export function randomLstmWeights(inputDim: number, units: number): LstmWeights {
  const r = 1 / Math.sqrt(units);
  const set = (g: LstmGate) => ({
    W: tf.randomUniform([inputDim, units], -r, r) as tf.Tensor2D,
    U: tf.randomUniform([units, units], -r, r) as tf.Tensor2D,
    b: (g === "forget" ? tf.ones([units]) : tf.zeros([units])) as tf.Tensor1D,
  });
  return { input: set("input"), forget: set("forget"), candidate: set("candidate"), output: set("output") };
}

/** The three tensors of `tf.layers.lstm` ([kernel, recurrentKernel, bias]) split into named gate sets. */
export function lstmWeightsFromLayer(kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): LstmWeights {
  const units = recurrentKernel.shape[0];
  const ks = tf.split(kernel, 4, 1) as tf.Tensor2D[];
  const us = tf.split(recurrentKernel, 4, 1) as tf.Tensor2D[];
  const bs = tf.split(bias, 4, 0) as tf.Tensor1D[];
  if (kernel.shape[1] !== 4 * units) throw new Error(`LSTM kernel has ${kernel.shape[1]} columns, expected 4 × ${units}`);
  const out = {} as LstmWeights;
  LSTM_GATES.forEach((g, k) => (out[g] = { W: ks[k], U: us[k], b: bs[k] }));
  return out;
}

/** The named gate sets packed in tfjs's layout: [kernel, recurrentKernel, bias], for `layer.setWeights`. */
export function lstmWeightsToLayer(w: LstmWeights): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  return [
    tf.concat(LSTM_GATES.map((g) => w[g].W), 1) as tf.Tensor2D,
    tf.concat(LSTM_GATES.map((g) => w[g].U), 1) as tf.Tensor2D,
    tf.concat(LSTM_GATES.map((g) => w[g].b), 0) as tf.Tensor1D,
  ];
}

export function disposeLstmWeights(w: LstmWeights): void {
  for (const g of LSTM_GATES) tf.dispose([w[g].W, w[g].U, w[g].b]);
}

/**
 * The same step with the four sets fused, as a fast implementation does it: the input half
 * x W (all four gates at once) is computed beforehand for every time step, so a step costs one
 * [batch, units] × [units, 4·units] product. Columns in the order i, f, c, o.
 *   xProj: [batch, 4·units] = x_t W + b,  U: [units, 4·units]
 */
export function fusedLstmStep(xProj: tf.Tensor2D, state: LstmState, U: tf.Tensor2D): LstmState {
  return tf.tidy(() => {
    const z = tf.add(xProj, tf.matMul(state.h, U)); // [batch, 4·units]
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    const c = tf.add(tf.mul(tf.sigmoid(zf), state.c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
    const h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as tf.Tensor2D;
    return { h, c };
  });
}
