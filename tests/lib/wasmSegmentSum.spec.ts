import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../../lib/accel/backend";

describe("wasm UnsortedSegmentSum (scatter-add, the embedding gradient)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  /** Same inputs on the current backend and on cpu. */
  async function bothWays(f: () => tf.Tensor): Promise<[number[], number[], number[]]> {
    const here = tf.tidy(f);
    const a = Array.from(await here.data());
    const shape = here.shape;
    here.dispose();
    const was = tf.getBackend();
    await tf.setBackend("cpu");
    try {
      const there = tf.tidy(f);
      const b = Array.from(await there.data());
      there.dispose();
      return [a, b, shape];
    } finally {
      await tf.setBackend(was);
    }
  }

  it("runs on wasm, not forwarded to cpu", () => {
    if (tf.getBackend() !== "wasm") return;
    assert.ok(!backendInfo()!.fallbackKernels.includes("UnsortedSegmentSum"));
  });

  it("equals the cpu kernel: rows of rank 1-3, repeated and out-of-range ids, int32 data", async () => {
    const cases: [number[], number[], number, "float32" | "int32"][] = [
      [[6, 3], [0, 2, 2, 5, 1, 2], 6, "float32"],
      [[6, 2, 2], [1, 0, 1, 1, 3, 0], 4, "float32"],
      [[5, 2, 2], [4, -1, 4, 9, 0], 5, "float32"],
      [[4], [1, 1, 0, 2], 3, "int32"],
    ];
    for (const [xShape, idValues, numSegments, dtype] of cases) {
      const n = xShape.reduce((a, b) => a * b, 1);
      const xv = Array.from({ length: n }, (_, i) => (dtype === "int32" ? i - 3 : Math.sin(i) * 3));
      const [a, b, shape] = await bothWays(() => tf.unsortedSegmentSum(tf.tensor(xv, xShape, dtype), tf.tensor1d(idValues, "int32"), numSegments));
      assert.equal(shape[0], numSegments);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `case ${xShape}: ${a} vs ${b}`));
    }
  });

  it("gives the gradient of an embedding lookup", async () => {
    const [a, b] = await bothWays(() => {
      const table = tf.tensor2d(Array.from({ length: 20 }, (_, i) => i / 10), [5, 4]);
      const ids = tf.tensor2d([[0, 3, 3], [4, 0, 1]], [2, 3], "int32");
      return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids))))(table);
    });
    assert.deepEqual(a.map((v) => +v.toFixed(5)), b.map((v) => +v.toFixed(5)));
  });
});
