/**
 * lib/accel/native/activationGradients.ts: on the native backend, relu's and leaky relu's gradients
 * are one TensorFlow kernel each (ReluGrad, LeakyReluGrad) and equal TensorFlow.js's own.
 * Skips when tfjs-node is not installed (`npm run setup:native`).
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { onNativeBackend } from "./onNativeBackend";

const X = [-2, -0.5, 0.5, 3];
const DY = [1, 2, 3, 4];

/** d/dx of Σ dy·f(x), and the kernels that computed it. */
async function gradient(f: (x: tf.Tensor) => tf.Tensor): Promise<{ values: number[]; kernels: string[] }> {
  const x = tf.tensor1d(X);
  const dy = tf.tensor1d(DY);
  let values: number[] = [];
  const profile = await tf.profile(() => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x);
    values = Array.from(g.dataSync());
    g.dispose();
  });
  tf.dispose([x, dy]);
  return { values, kernels: profile.kernels.map((k) => k.name) };
}

describe("native activation gradients (lib/accel/native/activationGradients.ts)", function () {
  onNativeBackend();

  it("relu: dy where x > 0, else 0, by one ReluGrad kernel", async () => {
    const { values, kernels } = await gradient((x) => tf.relu(x));
    assert.deepEqual(values, [0, 0, 3, 4]);
    assert.ok(kernels.includes("CourseReluGrad"), `kernels: ${kernels}`);
    assert.ok(!kernels.includes("Step"), `tfjs-node's seven-op step is still used: ${kernels}`);
  });

  it("leaky relu: dy where x > 0, else alpha·dy, by one LeakyReluGrad kernel", async () => {
    const { values, kernels } = await gradient((x) => tf.leakyRelu(x, 0.2));
    values.forEach((v, i) => assert.ok(Math.abs(v - [0.2, 0.4, 3, 4][i]) < 1e-6, `${values}`));
    assert.ok(kernels.includes("CourseLeakyReluGrad"), `kernels: ${kernels}`);
  });

  it("has a second derivative (a gradient penalty differentiates the gradient)", () => {
    // g(x) = d/dx Σ relu(x)·x = step(x)·x + relu(x) = 2·relu(x); d/dx Σ g(x)·dy = 2·dy·step(x)
    const x = tf.tensor1d(X);
    const dy = tf.tensor1d(DY);
    const inner = (t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.relu(u), u)))(t);
    const outer = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(inner(t), dy)))(x);
    assert.deepEqual(Array.from(outer.dataSync()), [0, 0, 6, 8]);
    tf.dispose([x, dy, outer]);
  });
});
