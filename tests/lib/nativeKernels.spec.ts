/**
 * The native backend's replaced kernels. lib/accel/native/fastReshape.ts: Reshape reuses one shape
 * tensor per shape, held outside TensorFlow.js's engine; values and shapes stay right, nothing
 * shows up in (or leaks from) tf.memory(), and ever new shapes do not grow it.
 * lib/accel/native/sameTypeCast.ts: a cast to the same type shares the data; other casts convert.
 * Skips when tfjs-node is not installed (`npm run setup:native`).
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { onNativeBackend } from "./onNativeBackend";

describe("native kernels (lib/accel/native/fastReshape.ts, sameTypeCast.ts)", function () {
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

  it("casts to the same type without copying, and converts other types", () => {
    const x = tf.tensor1d([1.5, -2.5, 3]);
    const before = tf.memory().numDataBuffers;
    const same = tf.cast(x, "float32");
    assert.equal(tf.memory().numDataBuffers, before, "a same-type cast made a new buffer");
    assert.deepEqual(Array.from(same.dataSync()), [1.5, -2.5, 3]);
    x.dispose(); // the cast still holds the shared data
    assert.deepEqual(Array.from(same.dataSync()), [1.5, -2.5, 3]);
    const ints = tf.cast(same, "int32");
    assert.equal(ints.dtype, "int32");
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3]);
    tf.dispose([same, ints]);
  });
});
