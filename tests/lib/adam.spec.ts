/**
 * Adam, measured against a float64 reference written out here: tf.train.adam as shipped (the
 * test backend) and, when tfjs-node is installed (`npm run setup:native`), the native backend's
 * one-kernel-per-weight step (lib/accel/native/adam.ts), which also keeps its state through
 * tf.tidy, getWeights/setWeights and weights set from outside.
 *
 * The tolerance is derived, not tuned to a machine. The problem is a linear regression whose
 * gradients stay far from zero over the steps (the weights start 2–3 away from their optimum
 * and Adam moves each by at most about lr per step), so m̂/√v̂ ≈ ±1 and rounding does not flip
 * a step's direction. Each float32 step then adds at most a few ulps: the update
 * lr·m̂/(√v̂ + ε) is computed to a relative error of about K·u (u = 2⁻²⁴, K ≈ 30 roundings
 * through the gradient's sums, the moments and the bias correction), and the weight itself is
 * rounded to u·|w|. After T steps |w₃₂ − w₆₄| ≤ T·(K·lr + max|w|)·u: for T = 20, lr = 0.05 and
 * |w| ≤ 3, 20·(1.5 + 3)·6e-8 = 5.4e-6. The spec allows 4× that, and checks that a real mistake
 * (Adam taking one step fewer) lands far outside it.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { onNativeBackend } from "./onNativeBackend";
import { initBackend } from "../../lib/accel/backend";
import { adam } from "../../lib/train/adam";
import { maxAbsDifference } from "../helpers/close";

const STEPS = 20;
const LR = 0.05;
const [BETA1, BETA2, EPSILON] = [0.8, 0.99, 1e-7];
const [ROWS, IN, OUT] = [8, 4, 3];
const U = 2 ** -24;
const K = 30;
const MAX_WEIGHT = 3;
const TOLERANCE = 4 * STEPS * (K * LR + MAX_WEIGHT) * U;

/** Fixed data: x [8, 4] in [−1, 1], targets y = x·W* + b* with W* and b* far from the zero start. */
function data() {
  const x = Array.from({ length: ROWS * IN }, (_, i) => Math.sin(1.7 * i + 0.3));
  const wStar = Array.from({ length: IN * OUT }, (_, i) => (i % 2 ? 2.5 : -2.5) + 0.1 * i);
  const bStar = [2, -3, 2.5];
  const y = Array.from({ length: ROWS * OUT }, (_, k) => {
    const [r, c] = [Math.floor(k / OUT), k % OUT];
    let s = bStar[c];
    for (let i = 0; i < IN; i++) s += x[r * IN + i] * wStar[i * OUT + c];
    return s;
  });
  return { x, y };
}

/** Adam on mean((x W + b − y)²) in float64, W and b from zero: the weights after `steps` steps, [W…, b…]. */
function float64Adam(steps: number): number[] {
  const { x, y } = data();
  const w = new Float64Array(IN * OUT + OUT); // W row-major, then b
  const m = new Float64Array(w.length);
  const v = new Float64Array(w.length);
  for (let t = 1; t <= steps; t++) {
    const g = new Float64Array(w.length);
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < OUT; c++) {
        let pred = w[IN * OUT + c];
        for (let i = 0; i < IN; i++) pred += x[r * IN + i] * w[i * OUT + c];
        const d = (2 * (pred - y[r * OUT + c])) / (ROWS * OUT); // ∂ mean / ∂ pred
        for (let i = 0; i < IN; i++) g[i * OUT + c] += d * x[r * IN + i];
        g[IN * OUT + c] += d;
      }
    }
    for (let j = 0; j < w.length; j++) {
      m[j] = BETA1 * m[j] + (1 - BETA1) * g[j];
      v[j] = BETA2 * v[j] + (1 - BETA2) * g[j] * g[j];
      const mHat = m[j] / (1 - BETA1 ** t);
      const vHat = v[j] / (1 - BETA2 ** t);
      w[j] -= (LR * mHat) / (Math.sqrt(vHat) + EPSILON);
    }
  }
  return Array.from(w);
}

/** The same problem as TensorFlow.js variables, trained by `optimizer`. */
function problem() {
  const { x, y } = data();
  const xs = tf.tensor2d(x, [ROWS, IN]);
  const ys = tf.tensor2d(y, [ROWS, OUT]);
  const w = tf.variable(tf.zeros([IN, OUT]));
  const b = tf.variable(tf.zeros([OUT]));
  const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xs, w), b), ys))) as tf.Scalar;
  return {
    vars: [w, b],
    step: (optimizer: tf.Optimizer) => optimizer.minimize(loss, true, [w, b])?.dispose(),
    weights: () => [...w.dataSync(), ...b.dataSync()],
    dispose: () => tf.dispose([xs, ys, w, b]),
  };
}

function trainWith(optimizer: tf.Optimizer, steps = STEPS): number[] {
  const p = problem();
  for (let i = 0; i < steps; i++) p.step(optimizer);
  const weights = p.weights();
  p.dispose();
  return weights;
}

function agreesWithFloat64(): void {
  const reference = float64Adam(STEPS);
  assert.ok(Math.max(...reference.map(Math.abs)) <= MAX_WEIGHT, "the weights stay within the bound the tolerance assumes");
  const optimizer = adam(LR, BETA1, BETA2, EPSILON);
  const diff = maxAbsDifference(trainWith(optimizer), reference);
  optimizer.dispose();
  if (process.env.ADAM_SPEC_VERBOSE) console.log(`      ${tf.getBackend()}: max |float32 − float64| = ${diff.toExponential(2)} (tolerance ${TOLERANCE.toExponential(2)})`);
  assert.ok(diff <= TOLERANCE, `adam() on ${tf.getBackend()}: max |float32 − float64| = ${diff.toExponential(2)} > ${TOLERANCE.toExponential(2)}`);
}

describe("adam (lib/train/adam.ts) against a float64 reference", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it(`the tolerance (${TOLERANCE.toExponential(1)}) catches a real mistake: one step fewer is far outside it`, () => {
    const off = maxAbsDifference(float64Adam(STEPS - 1), float64Adam(STEPS));
    assert.ok(off > 100 * TOLERANCE, `one step moves the weights by only ${off}`);
  });

  it("takes the reference's steps on the test backend", agreesWithFloat64);

  describe("on the native backend (one ResourceApplyAdam per weight)", function () {
    onNativeBackend();

    it("takes the reference's steps", agreesWithFloat64);

    it("runs TensorFlow's kernel, not TensorFlow.js's dozen element-wise ops", async () => {
      const p = problem();
      const optimizer = adam(LR);
      p.step(optimizer); // creates the state
      const grads = tf.variableGrads(() => tf.sum(tf.add(tf.sum(p.vars[0]), tf.sum(p.vars[1]))) as tf.Scalar, p.vars);
      const kernels = (await tf.profile(() => optimizer.applyGradients(grads.grads as unknown as Parameters<typeof optimizer.applyGradients>[0]))).kernels.map((k) => k.name);
      assert.ok(!kernels.includes("Sqrt"), `tf.train.adam's own update ran: ${kernels}`);
      tf.dispose([grads.value, ...Object.values(grads.grads)]);
      optimizer.dispose();
      p.dispose();
    });

    it("keeps its state through a tf.tidy, the tensor count flat while training, and frees it on dispose", () => {
      const p = problem();
      const before = tf.memory().numTensors;
      const optimizer = adam(LR);
      // The first step makes the optimiser's state: inside a tidy, as lib/train/charLstmTraining.ts does.
      tf.tidy(() => p.step(optimizer));
      const afterFirst = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) p.step(optimizer);
      assert.equal(tf.memory().numTensors, afterFirst, "tensors leaked across steps");
      optimizer.dispose();
      assert.equal(tf.memory().numTensors, before, "state left behind after dispose");
      p.dispose();
    });

    it("resumes from getWeights/setWeights exactly where it stopped", async () => {
      const straight = adam(LR, BETA1, BETA2, EPSILON);
      const reference = trainWith(straight, 12);
      straight.dispose();
      const first = adam(LR, BETA1, BETA2, EPSILON);
      const p = problem();
      for (let i = 0; i < 5; i++) p.step(first);
      const state = await first.getWeights();
      assert.equal(state.length, 1 + 2 * p.vars.length, "iterations, then m and v of each weight");
      const second = adam(LR, BETA1, BETA2, EPSILON);
      await second.setWeights(state);
      first.dispose();
      for (let i = 0; i < 7; i++) p.step(second);
      const diff = maxAbsDifference(p.weights(), reference);
      assert.ok(diff <= TOLERANCE, `resumed: ${diff}`);
      second.dispose();
      p.dispose();
    });

    it("notices weights set from outside between steps (a loaded checkpoint)", () => {
      const p = problem();
      const optimizer = adam(LR);
      p.step(optimizer);
      p.vars[1].assign(tf.fill([OUT], 10));
      p.step(optimizer);
      // From 10, one Adam step moves each weight by about the learning rate, not more.
      for (const b of p.vars[1].dataSync()) assert.ok(Math.abs(b - 10) < LR * 1.2, `b = ${b}: the step started from stale weights`);
      optimizer.dispose();
      p.dispose();
    });
  });
});
