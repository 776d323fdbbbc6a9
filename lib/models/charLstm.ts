/**
 * A character-level LSTM language model: read characters one at a time, predict the next.
 *
 *   ids [b, T] ─one-hot · W + b─► [b, T, 4u] ─LSTM over T steps─► h [b, T, u] ─· W_y + b_y─► logits [b, T, V]
 *
 * Written with the whole-sequence LSTM of ../layers/fusedLstm.ts rather than tf.layers.lstm, for
 * speed: the input half of every gate, for every time step, is one [b·T, V] × [V, 4u] product
 * before the loop (a one-hot row times W just picks a row of W: an embedding), so each of the T
 * sequential steps costs a single [b, u] × [u, 4u] product plus a few element-wise ops, and the
 * backward pass is written out; on the native backend the window is TensorFlow's BlockLSTM
 * kernel, one op each way. Sampling steps one character at a time (../layers/lstmCell.ts). The
 * gates use the logistic sigmoid, as in the textbook.
 *
 * Trained on random windows of T+1 characters (inputs = the first T, targets = the last T), each
 * window starting from a zero state (../train/charLstmTraining.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { fusedLstmSequence } from "../layers/fusedLstm";
import { fusedLstmStep, LstmState } from "../layers/lstmCell";
import { random } from "../seed";
import { bitsPerCharFromLogits } from "../metrics/bitsPerChar";

export interface CharLstmConfig {
  vocabSize: number;
  /** LSTM width (default 128). */
  units?: number;
}

export class CharLstm {
  readonly vocabSize: number;
  readonly units: number;
  /** Input projection W [V, 4u] and bias b [4u], gate columns in the order i, f, c, o. */
  readonly W: tf.Variable;
  readonly b: tf.Variable;
  /** Recurrent matrix U [u, 4u]. */
  readonly U: tf.Variable;
  /** Read-out W_y [u, V], b_y [V]. */
  readonly Wy: tf.Variable;
  readonly by: tf.Variable;

  constructor(config: CharLstmConfig) {
    this.vocabSize = config.vocabSize;
    this.units = config.units ?? 128;
    const V = this.vocabSize;
    const u = this.units;
    const r = 1 / Math.sqrt(u);
    this.W = tf.variable(tf.randomUniform([V, 4 * u], -r, r), true, undefined);
    // forget-gate bias 1: start by remembering (Jozefowicz et al., 2015)
    this.b = tf.variable(tf.concat([tf.zeros([u]), tf.ones([u]), tf.zeros([2 * u])]));
    this.U = tf.variable(tf.randomUniform([u, 4 * u], -r, r));
    this.Wy = tf.variable(tf.randomUniform([u, V], -r, r));
    this.by = tf.variable(tf.zeros([V]));
  }

  get variables(): tf.Variable[] {
    return [this.W, this.b, this.U, this.Wy, this.by];
  }

  get paramCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /**
   * ids: [b, T] int32 → logits [b·T, V], row i·T + t for example i at step t, each window read
   * from a zero state. The LSTM over the whole window is one differentiable operation
   * (../layers/fusedLstm.ts): TensorFlow's BlockLSTM kernels on the native backend, elsewhere
   * one input product for all steps, the recurrence, and a hand-written backward pass.
   */
  forward(ids: tf.Tensor2D): { logits: tf.Tensor2D } {
    const [batch, time] = ids.shape;
    return tf.tidy(() => {
      const x = tf.cast(tf.oneHot(tf.cast(ids, "int32"), this.vocabSize), "float32") as tf.Tensor3D; // [b, T, V]: one-hot · W picks a row of W
      const h = fusedLstmSequence(x, this.W as tf.Tensor2D, this.U as tf.Tensor2D, this.b as tf.Tensor1D); // [b, T, u]
      const logits = tf.add(tf.matMul(h.reshape([batch * time, this.units]), this.Wy), this.by) as tf.Tensor2D; // [b·T, V]
      return { logits };
    });
  }

  /** Mean cross-entropy (nats) of predicting targets [b, T] from inputs [b, T]. */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const { logits } = this.forward(inputs);
      const labels = tf.oneHot(tf.cast(targets.reshape([-1]), "int32"), this.vocabSize);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    });
  }

  /**
   * Held-out bits per character: the text is cut into windows of `window` characters, each
   * read from a zero state (as in training); every character after the first of a window is scored.
   */
  bitsPerChar(ids: Int32Array, options: { window?: number; batchSize?: number; maxWindows?: number } = {}): number {
    const T = options.window ?? 64;
    const batchSize = options.batchSize ?? 256;
    let nWindows = Math.floor((ids.length - 1) / T);
    if (options.maxWindows != null) nWindows = Math.min(nWindows, options.maxWindows);
    if (nWindows < 1) throw new Error(`bitsPerChar: text of ${ids.length} characters is shorter than one window of ${T + 1}`);
    let bits = 0;
    let count = 0;
    for (let start = 0; start < nWindows; start += batchSize) {
      const n = Math.min(batchSize, nWindows - start);
      const { inputs, targets } = windowsAt(ids, Array.from({ length: n }, (_, k) => (start + k) * T), T);
      const b = tf.tidy(() => bitsPerCharFromLogits(this.forward(inputs).logits, targets.reshape([-1]) as tf.Tensor1D));
      bits += b.dataSync()[0] * n * T;
      count += n * T;
      tf.dispose([b, inputs, targets]);
    }
    return bits / count;
  }

  /**
   * Generates `length` characters after `prompt` (ids), sampling from softmax(logits / temperature).
   * Temperature → 0 is greedy (always the likeliest character); 1 samples the model's own
   * distribution; above 1 flattens it towards uniform.
   */
  sample(prompt: ArrayLike<number>, length: number, temperature = 1, rng: () => number = random): number[] {
    if (prompt.length < 1) throw new Error("sample: the prompt needs at least one character");
    const out: number[] = [];
    let state: LstmState = { h: tf.zeros([1, this.units]), c: tf.zeros([1, this.units]) };
    const stepLogits = (id: number): Float32Array => {
      const next = tf.tidy(() => {
        const x = tf.add(tf.gather(this.W, [id]), this.b) as tf.Tensor2D; // one-hot · W = row `id` of W
        const s = fusedLstmStep(x, state, this.U as tf.Tensor2D);
        return { ...s, logits: tf.add(tf.matMul(s.h, this.Wy), this.by) };
      });
      tf.dispose([state.h, state.c]);
      state = { h: next.h, c: next.c };
      const values = next.logits.dataSync() as Float32Array;
      next.logits.dispose();
      return values;
    };
    let logits = new Float32Array(0);
    for (let i = 0; i < prompt.length; i++) logits = stepLogits(prompt[i]);
    for (let i = 0; i < length; i++) {
      const id = sampleFromLogits(logits, temperature, rng);
      out.push(id);
      logits = stepLogits(id);
    }
    tf.dispose([state.h, state.c]);
    return out;
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Index of a sample from softmax(logits / temperature); temperature 0 means argmax. */
export function sampleFromLogits(logits: ArrayLike<number>, temperature: number, rng: () => number = random): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  const p = Array.from(logits, (l) => Math.exp((l - logits[best]) / temperature));
  const total = p.reduce((a, b) => a + b, 0);
  let r = rng() * total;
  for (let i = 0; i < p.length; i++) {
    r -= p[i];
    if (r <= 0) return i;
  }
  return p.length - 1;
}

/** Windows of T+1 characters starting at `starts`: inputs = first T, targets = last T, each [n, T]. */
export function windowsAt(ids: Int32Array, starts: number[], T: number): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const x = new Int32Array(starts.length * T);
  const y = new Int32Array(starts.length * T);
  starts.forEach((s, k) => {
    if (s < 0 || s + T + 1 > ids.length) throw new Error(`window at ${s} of ${T + 1} runs past the text (${ids.length})`);
    x.set(ids.subarray(s, s + T), k * T);
    y.set(ids.subarray(s + 1, s + T + 1), k * T);
  });
  return { inputs: tf.tensor2d(x, [starts.length, T], "int32"), targets: tf.tensor2d(y, [starts.length, T], "int32") };
}

/** A batch of random windows (seeded by the course's stream). */
export function randomWindows(ids: Int32Array, batchSize: number, T: number, rng: () => number = random): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const starts = Array.from({ length: batchSize }, () => Math.floor(rng() * (ids.length - T - 1)));
  return windowsAt(ids, starts, T);
}
