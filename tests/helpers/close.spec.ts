/** The specs' numeric comparisons must be able to fail: each helper, on a case it must reject. */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { assertClose, assertNear, maxAbsDifference } from "./close";

describe("tests/helpers/close: the one home of numeric comparisons", () => {
  it("assertClose: absolute below 1, relative above, and shapes must match", () => {
    assertClose([0.5, 1000], [0.5 + 9e-6, 1000 + 9e-3], 1e-5);
    assert.throws(() => assertClose([0.5], [0.5 + 2e-5], 1e-5, "x"), /x: 0\.5 vs 0\.50002/);
    assert.throws(() => assertClose([1000], [1000.02], 1e-5), /tolerance/);
    assert.throws(() => assertClose([1, 2], [1], 1e-5), /2 values, expected 1/);
    tf.tidy(() => assert.throws(() => assertClose(tf.zeros([2, 3]), tf.zeros([3, 2])), /shapes/));
  });

  it("assertNear and maxAbsDifference (tensors, broadcast numbers, arrays; NaN is never close)", () => {
    assertNear(1, 1.05, 0.1);
    assert.throws(() => assertNear(1, 1.2, 0.1, "loss"), /loss: got 1, want 1\.2/);
    assert.throws(() => assertNear(NaN, 1, 0.1));
    const before = tf.memory().numTensors;
    const [a, b] = [tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2.5, 2])];
    assert.equal(maxAbsDifference(a, b), 1);
    assert.ok(Math.abs(maxAbsDifference(a, 2) - 1) < 1e-7);
    tf.dispose([a, b]);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(maxAbsDifference([1, 2], [1.5, 2]), 0.5);
    assert.ok(Number.isNaN(maxAbsDifference([NaN], [1])));
    assert.throws(() => maxAbsDifference([1, 2], [1]), /2 values against 1/);
  });
});
