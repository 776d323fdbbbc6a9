import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";

/** Reference slice on plain nested arrays. */
function sliceRef(x: number[], shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const rec = (d: number, offset: number) => {
    if (d === shape.length) return void out.push(x[offset]);
    for (let i = 0; i < size[d]; i++) rec(d + 1, offset + (begin[d] + i) * strides[d]);
  };
  rec(0, 0);
  return out;
}

describe("wasm Slice/SplitV/Unpack that read the heap without copying it", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("slices of every rank 1-5, contiguous or not, equal a reference", () => {
    const cases: [number[], number[], number[]][] = [
      [[10], [3], [4]],
      [[6, 5], [1, 2], [3, 2]],
      [[6, 5], [2, 0], [3, 5]],
      [[4, 3, 5], [1, 1, 2], [2, 2, 3]],
      [[3, 4, 2, 5], [0, 1, 1, 0], [3, 2, 1, 4]],
      [[2, 3, 2, 2, 3], [1, 0, 1, 0, 1], [1, 3, 1, 2, 2]],
    ];
    for (const [shape, begin, size] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => i * 1.5 - 7);
      for (const dtype of ["float32", "int32"] as const) {
        const x = tf.tensor(dtype === "int32" ? values.map(Math.round) : values, shape, dtype);
        const got = tf.slice(x, begin, size);
        assert.deepEqual(got.shape, size);
        assert.deepEqual(Array.from(got.dataSync()), sliceRef(Array.from(x.dataSync()), shape, begin, size), `slice ${shape} ${begin} ${size}`);
        tf.dispose([x, got]);
      }
    }
  });

  it("split and unstack give the same pieces as slicing, and the patched kernels are the ones registered", () => {
    const x = tf.randomNormal([256, 512]);
    assert.ok(tf.getBackend() !== "wasm" || (globalThis as unknown as Record<symbol, boolean>)[Symbol.for("course.wasm.slice")]);
    const pieces = tf.split(x, [100, 56, 100], 0);
    assert.deepEqual(pieces.map((p) => p.shape[0]), [100, 56, 100]);
    assert.deepEqual(Array.from(pieces[1].dataSync()), Array.from(tf.slice(x, [100, 0], [56, 512]).dataSync()));
    const cols = tf.split(x, 4, 1);
    assert.deepEqual(Array.from(cols[2].dataSync()), Array.from(tf.slice(x, [0, 256], [256, 128]).dataSync()));
    const rows = tf.unstack(x.reshape([16, 16, 512]), 1);
    assert.equal(rows.length, 16);
    assert.deepEqual(rows[3].shape, [16, 512]);
    assert.deepEqual(Array.from(rows[3].dataSync()), Array.from(x.reshape([16, 16, 512]).slice([0, 3, 0], [16, 1, 512]).dataSync()));
    tf.dispose([x, ...pieces, ...cols, ...rows]);
  });
});
