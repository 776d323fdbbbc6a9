import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { AddPositionalEncoding, positionalEncoding } from "../../lib/layers/positionalEncoding";
import { maxAbsDifference } from "../helpers/close";

describe("sinusoidal positional encoding", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("has the textbook values", () => {
    const pe = positionalEncoding(50, 8);
    assert.deepEqual(pe.shape, [50, 8]);
    const v = pe.arraySync();
    // position 0: sin 0 = 0 in even columns, cos 0 = 1 in odd ones
    assert.deepEqual(v[0].map((x) => Math.round(x)), [0, 1, 0, 1, 0, 1, 0, 1]);
    // PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)
    for (const [pos, i] of [[1, 0], [7, 1], [13, 2], [49, 3]]) {
      const angle = pos / Math.pow(10000, (2 * i) / 8);
      assert.ok(Math.abs(v[pos][2 * i] - Math.sin(angle)) < 1e-6);
      assert.ok(Math.abs(v[pos][2 * i + 1] - Math.cos(angle)) < 1e-6);
    }
    // each sin/cos pair lies on the unit circle
    for (const row of v) for (let i = 0; i < 8; i += 2) assert.ok(Math.abs(row[i] ** 2 + row[i + 1] ** 2 - 1) < 1e-5);
    pe.dispose();
  });

  it("the layer adds the first t rows to every sequence of the batch", () => {
    const layer = new AddPositionalEncoding({ maxLen: 20, dModel: 6 });
    const x = tf.ones([2, 5, 6]);
    const y = layer.apply(x) as tf.Tensor;
    const pe = positionalEncoding(20, 6).slice([0, 0], [5, 6]);
    const diff = maxAbsDifference(y, tf.add(pe, 1));
    assert.ok(diff < 1e-6);
    assert.throws(() => layer.apply(tf.ones([1, 21, 6])), /longer than maxLen/);
    tf.dispose([x, y, pe]);
    layer.dispose();
  });
});
