/**
 * lib/native/fastReshape.ts: the native backend's Reshape reuses one shape tensor per shape,
 * held outside TensorFlow.js's engine. Values and shapes stay right, nothing shows up in (or
 * leaks from) tf.memory(), and a program that reshapes to ever new shapes does not grow it.
 * Skips when tfjs-node is not installed (`npm run setup:native`).
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { onNativeBackend } from "./onNativeBackend";

describe("native reshape (lib/native/fastReshape.ts)", function () {
  onNativeBackend();

  it("reshapes float and int tensors, the same shape many times, with the right values", () => {
    const x = tf.range(0, 24);
    for (let i = 0; i < 3; i++) {
      const y = tf.reshape(x, [2, 3, 4]);
      assert.deepEqual(y.shape, [2, 3, 4]);
      assert.deepEqual((y.arraySync() as number[][][])[1][2], [20, 21, 22, 23]);
      y.dispose();
    }
    const ints = tf.tensor1d([1, 2, 3, 4], "int32").reshape([2, 2]);
    assert.equal(ints.dtype, "int32");
    assert.deepEqual(ints.arraySync(), [[1, 2], [3, 4]]);
    tf.dispose([x, ints]);
  });

  it("adds nothing to tf.memory() and stays correct past its cache size (1,100 distinct shapes)", () => {
    const before = tf.memory().numTensors;
    for (let n = 1; n <= 1100; n++) {
      const total = tf.tidy(() => tf.reshape(tf.range(0, n), [n, 1]).sum().dataSync()[0]);
      assert.equal(total, (n * (n - 1)) / 2, `reshape to [${n}, 1]`);
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
