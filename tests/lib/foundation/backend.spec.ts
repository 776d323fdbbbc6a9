import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend, backendInfo } from "../../../lib/accel/backend";
import { WASM_FALLBACK_KERNELS } from "../../../lib/accel/wasm/fallbackKernels";
import { maxAbsDifference } from "../../helpers/close";

describe("backend selection", () => {
  const saved = process.env.COURSE_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.COURSE_BACKEND;
    else process.env.COURSE_BACKEND = saved;
  });

  it("picks the fastest backend present and says which in one line", async () => {
    delete process.env.COURSE_BACKEND;
    const info = await initBackend({ quiet: true, force: undefined });
    // Native packages cannot install here, so wasm is the fastest present unless setup:native ran.
    assert.ok(["node", "gpu", "wasm"].includes(info.choice), info.summary);
    assert.equal(tf.getBackend(), info.tfName);
    assert.ok(!info.summary.includes("\n"));
    assert.match(info.summary, /^TensorFlow\.js 4\.\d+\.\d+ backend: \w+/);
  });

  it("COURSE_BACKEND forces a backend", async () => {
    process.env.COURSE_BACKEND = "cpu";
    const info = await initBackend({ quiet: true });
    assert.equal(info.choice, "cpu");
    assert.equal(tf.getBackend(), "cpu");
    assert.ok(info.forced);
    process.env.COURSE_BACKEND = "wasm";
    assert.equal((await initBackend({ quiet: true })).choice, "wasm");
    assert.equal(backendInfo()?.choice, "wasm");
  });

  it("rejects an unknown COURSE_BACKEND with a clear message", async () => {
    process.env.COURSE_BACKEND = "tpu";
    await assert.rejects(initBackend({ quiet: true }), /COURSE_BACKEND="tpu" is not one of gpu, node, wasm, cpu/);
  });

  it("a forced native backend that is not installed is an error, not a silent fallback", async function () {
    try {
      require.resolve("@tensorflow/tfjs-node-gpu/package.json");
      this.skip(); // installed on this machine: nothing to prove
    } catch {
      /* expected */
    }
    await assert.rejects(initBackend({ quiet: true, force: "gpu" }), /tfjs-node-gpu is not installed/);
  });
});

describe("wasm kernels the course needs", () => {
  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
  });

  it("registers every kernel training needs that wasm 4.22 lacks", () => {
    for (const name of WASM_FALLBACK_KERNELS) assert.ok(tf.getKernel(name, "wasm"), `${name} missing on wasm`);
  });

  it("trains an embedding model on wasm (UnsortedSegmentSum gradient) and lowers its loss", async () => {
    tf.util.assert(tf.getBackend() === "wasm", () => "not on wasm");
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 4 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], [4, 4], "int32");
    const y = tf.tensor2d([[1], [-1], [0.5], [2]]);
    const first = (await model.trainOnBatch(x, y)) as number;
    let last = first;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) last = (await model.trainOnBatch(x, y)) as number;
    assert.equal(tf.memory().numTensors, before, "tensors leaked across training steps");
    assert.ok(last < first / 4, `loss ${first} -> ${last}`);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("forwarded conv2d filter gradient equals the cpu backend's", async () => {
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, "float32", 1);
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 2);
    const grad = (xs: tf.Tensor4D, ws: tf.Tensor4D) => tf.grad((f: tf.Tensor) => tf.conv2d(xs, f as tf.Tensor4D, 1, "same").square().sum())(ws);
    const onWasm = await grad(x as tf.Tensor4D, w as tf.Tensor4D).data();
    const [xv, wv] = [await x.data(), await w.data()];
    await tf.setBackend("cpu");
    const onCpu = await grad(tf.tensor4d(xv, [2, 6, 6, 3]), tf.tensor4d(wv, [3, 3, 3, 4])).data();
    await tf.setBackend("wasm");
    onCpu.forEach((v, i) => assert.ok(Math.abs(v - onWasm[i]) < 1e-3 * Math.max(1, Math.abs(v)), `element ${i}: ${onWasm[i]} vs ${v}`));
  });

  it("transposed matmuls give the same numbers as plain ones", () => {
    tf.tidy(() => {
      const a = tf.randomNormal([3, 17, 9], 0, 1, "float32", 3);
      const b = tf.randomNormal([3, 11, 9], 0, 1, "float32", 4);
      const viaFlag = tf.matMul(a, b, false, true);
      const viaTranspose = tf.matMul(a, tf.transpose(b, [0, 2, 1]));
      const diff = maxAbsDifference(viaFlag, viaTranspose);
      assert.ok(diff < 1e-5, `max difference ${diff}`);
      const gram = tf.matMul(a, a, true, false); // aᵀa: [3, 9, 9]
      const gramPlain = tf.matMul(tf.transpose(a, [0, 2, 1]), a);
      assert.deepEqual(gram.shape, [3, 9, 9]);
      assert.ok(maxAbsDifference(gram, gramPlain) < 1e-4);
    });
  });
});
