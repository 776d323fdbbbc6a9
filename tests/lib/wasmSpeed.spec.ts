/**
 * The wasm speed work (lib/accel/wasm/*) gives the cpu backend's numbers: batched and broadcast
 * matrix products (split into XNNPACK 2-D products), weight-gradient products that transpose the
 * smaller side, sums and means over leading axes as one product, the im2col conv2d filter
 * gradient, the row-copying tile and the reshape-and-sum tile gradient. Inputs are made once, read as plain
 * arrays, and recomputed on cpu.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../../lib/accel/backend";
import { keepBackend } from "./onNativeBackend";

type Compute = (inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** Runs `f` on wasm and on cpu with the same input values; returns the worst absolute difference per output. */
async function wasmVsCpu(shapes: number[][], f: Compute, seed = 1): Promise<number[]> {
  await tf.setBackend("wasm");
  const values = shapes.map((s, i) => tf.tidy(() => Array.from(tf.randomNormal(s, 0, 1, "float32", seed + i).dataSync())));
  const run = () =>
    tf.tidy(() => {
      const out = f(values.map((v, i) => tf.tensor(v, shapes[i])));
      return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
    });
  const before = tf.memory().numTensors;
  const onWasm = run();
  assert.equal(tf.memory().numTensors, before, "wasm kernels leaked tensors");
  await tf.setBackend("cpu");
  const onCpu = run();
  await tf.setBackend("wasm");
  return onWasm.map((w, k) => {
    assert.deepEqual(w.shape, onCpu[k].shape);
    return Math.max(0, ...w.data.map((v, i) => Math.abs(v - onCpu[k].data[i]) / Math.max(1, Math.abs(onCpu[k].data[i]))));
  });
}

describe("wasm speed kernels agree with the cpu backend", function () {
  keepBackend();
  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
  });

  const products: [string, number[], number[], boolean, boolean][] = [
    ["attention scores q·kᵀ [b·h, t, d]", [16, 24, 8], [16, 24, 8], false, true],
    ["attention context p·v", [16, 24, 24], [16, 24, 8], false, false],
    ["rank 4 [b, h, t, d]", [2, 4, 20, 16], [2, 4, 16, 20], false, false],
    ["both transposed, split path", [8, 32, 20], [8, 24, 32], true, true],
    ["tiny batched (triple-loop path)", [5, 3, 4], [5, 4, 2], false, false],
    ["b shared by the batch (one 2-D product)", [6, 10, 12], [1, 12, 7], false, false],
    ["b shared, rank 3 × rank 2", [3, 5, 10, 12], [12, 7], false, false],
    ["b shared and transposed", [6, 10, 12], [7, 12], false, true],
    ["weight gradient Aᵀ·B with a tall A (B and the result transposed instead)", [300, 40], [300, 8], true, false],
    ["the same as rank 3 with batch 1", [1, 300, 40], [1, 300, 8], true, false],
  ];
  for (const [name, aShape, bShape, ta, tb] of products) {
    it(`matMul: ${name}`, async () => {
      const [worst] = await wasmVsCpu([aShape, bShape], ([a, b]) => tf.matMul(a, b, ta, tb));
      assert.ok(worst < 1e-5, `relative difference ${worst}`);
    });
  }

  const reductions: [string, number[], (x: tf.Tensor) => tf.Tensor][] = [
    ["sum over rows (a bias gradient)", [300, 40], (x) => tf.sum(x, 0)],
    ["sum over the two leading axes, keepDims", [4, 50, 30], (x) => tf.sum(x, [1, 0], true)],
    ["mean over batch, height, width (batch norm's moments)", [8, 12, 12, 5], (x) => tf.mean(x, [0, 1, 2])],
    ["mean over rows, keepDims", [300, 40], (x) => tf.mean(x, 0, true)],
    ["sum over an inner axis (the shipped kernel)", [300, 40], (x) => tf.sum(x, 1)],
    ["sum over all axes (the shipped kernel)", [300, 40], (x) => tf.sum(x)],
  ];
  for (const [name, shape, f] of reductions) {
    it(`reduce: ${name}`, async () => {
      const [worst] = await wasmVsCpu([shape], ([x]) => f(x));
      assert.ok(worst < 1e-5, `relative difference ${worst}`);
    });
  }

  it("fused matMul with bias and relu: batched × shared weights, and batched × batched", async () => {
    // (Gradients of a broadcast product fail in tfjs-core itself, on every backend: not tested here.)
    const diffs = await wasmVsCpu([[4, 9, 12], [12, 7], [7], [4, 12, 7]], ([x, w, b, wb]) => [
      tf.fused.matMul({ a: x as tf.Tensor3D, b: w as unknown as tf.Tensor3D, bias: b, activation: "relu" }),
      tf.fused.matMul({ a: x as tf.Tensor3D, b: wb as tf.Tensor3D, bias: b, activation: "relu" }),
    ]);
    diffs.forEach((d, i) => assert.ok(d < 1e-5, `output ${i}: relative difference ${d}`));
  });

  const convs: [string, number[], number[], number, "same" | "valid"][] = [
    ["3×3 same", [2, 8, 8, 3], [3, 3, 3, 5], 1, "same"],
    ["3×3 valid, stride 2", [3, 9, 9, 4], [3, 3, 4, 6], 2, "valid"],
    ["5×5 same, stride 2, one channel (MNIST-like)", [4, 28, 28, 1], [5, 5, 1, 8], 2, "same"],
    ["1×1", [2, 5, 5, 7], [1, 1, 7, 3], 1, "valid"],
    ["4×4 same, stride 2 (DCGAN)", [2, 16, 16, 8], [4, 4, 8, 4], 2, "same"],
  ];
  for (const [name, xShape, wShape, stride, pad] of convs) {
    it(`conv2d filter gradient (im2col on wasm): ${name}`, async () => {
      const diffs = await wasmVsCpu([xShape, wShape], ([x, w]) =>
        tf.grad((f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad).square().sum())(w),
      );
      assert.ok(diffs[0] < 1e-4, `relative difference ${diffs[0]}`);
    });
  }

  it("the conv2d filter gradient runs on wasm, not forwarded to cpu", () => {
    assert.ok(!backendInfo()!.fallbackKernels.includes("Conv2DBackpropFilter"));
  });

  it("tile and its gradient, ranks 1 to 4", async () => {
    const cases: [number[], number[]][] = [
      [[5], [3]],
      [[1, 16], [40, 1]],
      [[3, 4], [2, 3]],
      [[2, 1, 3], [2, 5, 2]],
      [[2, 3, 1, 2], [1, 2, 3, 2]],
    ];
    for (const [shape, reps] of cases) {
      const outShape = shape.map((s, i) => s * reps[i]);
      const diffs = await wasmVsCpu([shape, outShape], ([x, up]) => [tf.tile(x, reps), tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.tile(xx, reps), up)))(x)]);
      diffs.forEach((d, i) => assert.ok(d < 1e-5, `shape ${shape} reps ${reps} output ${i}: ${d}`));
    }
  });

  it("layer normalization trains to the same numbers (tile forward and backward)", async () => {
    const diffs = await wasmVsCpu([[6, 10, 16], [6, 10, 16]], ([x, up]) => {
      const ln = tf.layers.layerNormalization({ epsilon: 1e-5, gammaInitializer: "ones", betaInitializer: "zeros" });
      ln.apply(x);
      const vars = ln.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x) as tf.Tensor, up)) as tf.Scalar, vars);
      const out = [value, ...vars.map((v) => grads[v.name])];
      ln.dispose();
      return out;
    });
    diffs.forEach((d, i) => assert.ok(d < 1e-4, `output ${i}: ${d}`));
  });
});
