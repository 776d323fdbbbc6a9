/** Comparing numbers in the specs (lib, autograder, tools): one home, one rule for every spec. */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";

type Numbers = tf.Tensor | ArrayLike<number> | number;

function values(x: Numbers): ArrayLike<number> {
  if (typeof x === "number") return [x];
  return x instanceof tf.Tensor ? x.dataSync() : x;
}

/**
 * Every |actual − expected| ≤ tolerance · max(1, |expected|): absolute below 1, relative above.
 * Tensors must also have the same shape.
 */
export function assertClose(actual: Numbers, expected: Numbers, tolerance = 1e-5, what = "value"): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) assert.deepEqual(actual.shape, expected.shape, `${what}: shapes`);
  const [a, e] = [values(actual), values(expected)];
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i] - e[i]) <= tolerance * Math.max(1, Math.abs(e[i]));
    if (!ok) assert.fail(`${what}${a.length > 1 ? `[${i}]` : ""}: ${a[i]} vs ${e[i]} (tolerance ${tolerance})`);
  }
}

/** max |a − b| over all elements: tensors (broadcast, so `b` may be a number) or arrays of equal length. */
export function maxAbsDifference(a: Numbers, b: Numbers): number {
  if (a instanceof tf.Tensor || b instanceof tf.Tensor) return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const [x, y] = [values(a), values(b)];
  assert.equal(x.length, y.length, `${x.length} values against ${y.length}`);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

/** |actual − expected| ≤ tolerance, for one number. */
export function assertNear(actual: number, expected: number, tolerance: number, what = "value"): void {
  if (!(Math.abs(actual - expected) <= tolerance)) assert.fail(`${what}: got ${actual}, want ${expected} (± ${tolerance})`);
}
