/**
 * lib/train/adam.ts: the course's Adam takes the same steps as tf.train.adam, on the backend
 * the tests run on and, when tfjs-node is installed (`npm run setup:native`), on the native
 * backend, where each weight is one ResourceApplyAdam kernel.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { onNativeBackend } from "./onNativeBackend";
import { adam } from "../../lib/train/adam";

/** A two-layer regression whose weights start from fixed numbers, so every run is identical. */
function tinyProblem() {
  const w1 = tf.variable(tf.linspace(-1, 1, 12).reshape([4, 3]), true, undefined);
  const b1 = tf.variable(tf.zeros([3]));
  const w2 = tf.variable(tf.linspace(0.5, -0.5, 3).reshape([3, 1]));
  const x = tf.linspace(-2, 2, 32).reshape([8, 4]);
  const y = tf.linspace(1, -1, 8).reshape([8, 1]);
  const loss = () => tf.losses.meanSquaredError(y, tf.relu(x.matMul(w1).add(b1)).matMul(w2)) as tf.Scalar;
  return { vars: [w1, b1, w2], loss, dispose: () => tf.dispose([w1, b1, w2, x, y]) };
}

function step(optimizer: tf.Optimizer, problem: ReturnType<typeof tinyProblem>): void {
  optimizer.minimize(problem.loss, true, problem.vars)?.dispose();
}

/** Weights after `steps` steps of `optimizer`, as plain numbers. */
function train(optimizer: tf.Optimizer, steps: number, problem = tinyProblem()): number[] {
  for (let i = 0; i < steps; i++) step(optimizer, problem);
  const weights = problem.vars.flatMap((v) => Array.from(v.dataSync()));
  problem.dispose();
  return weights;
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1e-3, Math.abs(expected[i]));
    assert.ok(err < tolerance, `${what}: weight ${i} is ${actual[i]}, tf.train.adam gives ${expected[i]} (relative ${err})`);
  }
}

function sameStepsAsTfAdam(): void {
  // float32 summed in another order on native: 2e-5 apart after 20 steps (an off-by-one step count: 2e-3)
  const reference = train(tf.train.adam(0.05, 0.8, 0.99), 20);
  const ours = adam(0.05, 0.8, 0.99);
  assertClose(train(ours, 20), reference, 1e-4, `adam() on ${tf.getBackend()}`);
  ours.dispose();
}

describe("adam (lib/train/adam.ts)", () => {
  it("takes the same steps as tf.train.adam on the test backend", sameStepsAsTfAdam);

  describe("on the native backend (one ResourceApplyAdam per weight)", function () {
    onNativeBackend();

    it("takes the same steps as tf.train.adam", sameStepsAsTfAdam);

    it("keeps its state through a tf.tidy, the tensor count flat while training, and frees it on dispose", () => {
      const problem = tinyProblem();
      const before = tf.memory().numTensors;
      const optimizer = adam(0.05);
      // The first step makes the optimiser's state: inside a tidy, as lib/models/charLstm.ts does.
      tf.tidy(() => step(optimizer, problem));
      const afterFirst = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) step(optimizer, problem);
      assert.equal(tf.memory().numTensors, afterFirst, "tensors leaked across steps");
      optimizer.dispose();
      assert.equal(tf.memory().numTensors, before, "state left behind after dispose");
      problem.dispose();
    });

    it("resumes from getWeights/setWeights exactly where it stopped", async () => {
      const straight = train(adam(0.05), 12);
      const first = adam(0.05);
      const problem = tinyProblem();
      for (let i = 0; i < 5; i++) step(first, problem);
      const state = await first.getWeights();
      assert.equal(state.length, 1 + 2 * problem.vars.length, "iterations, then m and v of each weight");
      const second = adam(0.05);
      await second.setWeights(state);
      first.dispose();
      assertClose(train(second, 7, problem), straight, 1e-5, "resumed");
      second.dispose();
    });

    it("notices weights set from outside between steps (a loaded checkpoint)", () => {
      const problem = tinyProblem();
      const optimizer = adam(0.05);
      step(optimizer, problem);
      problem.vars[2].assign(tf.zeros([3, 1]));
      step(optimizer, problem);
      // From zeros, one Adam step moves each weight by about the learning rate, not more.
      for (const w of problem.vars[2].dataSync()) assert.ok(Math.abs(w) < 0.06, `w2 = ${w}: the step started from stale weights`);
      optimizer.dispose();
      problem.dispose();
    });
  });
});
