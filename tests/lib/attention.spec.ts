import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { attend, causalMask, causalPaddingMask, paddingMask, scaledDotProductAttention } from "../../lib/layers/attention";
import { assertClose, maxAbsDifference } from "../helpers/close";

describe("scaled dot-product attention", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(1);
  });

  it("matches softmax(q kᵀ/√d) v computed by hand for one head", () => {
    // q: one query, two keys, headDim 2
    const q = tf.tensor4d([1, 0], [1, 1, 1, 2]);
    const k = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
    const v = tf.tensor4d([10, 0, 0, 20], [1, 1, 2, 2]);
    const { output, weights } = scaledDotProductAttention(q, k, v);
    const s = [1 / Math.SQRT2, 0];
    const e = s.map(Math.exp);
    const w = e.map((x) => x / (e[0] + e[1]));
    assert.deepEqual(weights.shape, [1, 1, 1, 2]);
    const got = Array.from(weights.dataSync());
    got.forEach((x, i) => assert.ok(Math.abs(x - w[i]) < 1e-6));
    const out = Array.from(output.dataSync());
    assert.ok(Math.abs(out[0] - 10 * w[0]) < 1e-5 && Math.abs(out[1] - 20 * w[1]) < 1e-5);
    tf.dispose([q, k, v, output, weights]);
  });

  it("gives shapes [batch, heads, tq, headDim] and rows of weights summing to 1", () => {
    const q = tf.randomNormal([2, 3, 5, 4]) as tf.Tensor4D;
    const k = tf.randomNormal([2, 3, 7, 4]) as tf.Tensor4D;
    const v = tf.randomNormal([2, 3, 7, 6]) as tf.Tensor4D;
    const { output, weights } = scaledDotProductAttention(q, k, v);
    assert.deepEqual(output.shape, [2, 3, 5, 6]);
    assert.deepEqual(weights.shape, [2, 3, 5, 7]);
    const sums = weights.sum(-1);
    assert.ok(maxAbsDifference(sums, 1) < 1e-5);
    tf.dispose([q, k, v, output, weights, sums]);
  });

  it("causal mask: lower triangle, and no weight on future positions", () => {
    const m = causalMask(4);
    assert.deepEqual(m.shape, [1, 1, 4, 4]);
    assert.deepEqual(Array.from(m.dataSync()), [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
    const x = tf.randomNormal([2, 2, 4, 8]) as tf.Tensor4D;
    const { output, weights } = scaledDotProductAttention(x, x, x, m);
    const w = weights.arraySync();
    for (const b of w) for (const h of b) h.forEach((row, i) => row.forEach((p, j) => j > i && assert.ok(p < 1e-9, `weight ${p} on future key ${j} from query ${i}`)));
    // the first position can only read itself
    const first = maxAbsDifference(output.slice([0, 0, 0, 0], [2, 2, 1, 8]), x.slice([0, 0, 0, 0], [2, 2, 1, 8]));
    assert.ok(first < 1e-5);
    tf.dispose([m, x, output, weights]);
  });

  it("padding mask: [batch, 1, 1, t], zero weight on padding, other keys unchanged in proportion", () => {
    const ids = tf.tensor2d([[5, 6, 7, 0], [3, 0, 0, 0]], [2, 4], "int32");
    const m = paddingMask(ids, 0);
    assert.deepEqual(m.shape, [2, 1, 1, 4]);
    assert.deepEqual(Array.from(m.dataSync()), [1, 1, 1, 0, 1, 0, 0, 0]);
    const q = tf.randomNormal([2, 2, 4, 4]) as tf.Tensor4D;
    const k = tf.randomNormal([2, 2, 4, 4]) as tf.Tensor4D;
    const { output, weights } = scaledDotProductAttention(q, k, k, m);
    const w = weights.arraySync();
    w[0].forEach((h) => h.forEach((row) => assert.ok(row[3] < 1e-9)));
    w[1].forEach((h) => h.forEach((row) => assert.ok(Math.abs(row[0] - 1) < 1e-6)));
    // unmasked keys keep their relative weights: compare with attention over the 3 real keys only
    const short = scaledDotProductAttention(q.slice([0, 0, 0, 0], [1, 2, 4, 4]), k.slice([0, 0, 0, 0], [1, 2, 3, 4]), k.slice([0, 0, 0, 0], [1, 2, 3, 4]));
    const diff = maxAbsDifference(short.output, output.slice([0, 0, 0, 0], [1, 2, 4, 4]));
    assert.ok(diff < 1e-5, `masked attention differs from attention over the real keys by ${diff}`);
    const both = causalPaddingMask(ids as tf.Tensor2D, 0);
    assert.deepEqual(both.shape, [2, 1, 4, 4]);
    assert.deepEqual(Array.from(both.dataSync()).slice(0, 16), [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    tf.dispose([ids, m, q, k, output, weights, short.output, short.weights, both]);
  });

  describe("masked keys get exactly zero weight, whatever the scores", () => {
    // Scores far beyond float32's reach of −1e9 + s: a finite "−∞" no longer swamps them.
    const big = (values: number[], shape: [number, number, number, number]) => tf.tensor4d(values, shape);
    const both = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, m: tf.Tensor) => {
      const { output, weights } = scaledDotProductAttention(q, k, v, m);
      return { output: output.arraySync()[0][0], weights: weights.arraySync()[0][0], attended: attend(q, k, v, m).arraySync()[0][0] };
    };

    it("even when the kept keys score below −1e9 and a masked key scores 0", () => {
      const q = big([1e5, 0], [1, 1, 1, 2]); // scores = q·k / √2
      const k = big([-3e4, 0, -2e4, 0, 0, 0], [1, 1, 3, 2]); // keys 0, 1 kept: scores ≈ −2.1e9, −1.4e9; key 2 masked: 0
      const v = big([1, 0, 0, 1, 100, 100], [1, 1, 3, 2]);
      const r = both(q, k, v, tf.tensor4d([1, 1, 0], [1, 1, 1, 3]));
      assert.deepEqual(r.weights[0], [0, 1, 0], "the best kept key takes all the weight, the masked key none");
      assert.deepEqual(r.output[0], [0, 1]);
      assert.deepEqual(r.attended[0], [0, 1]);
    });

    it("a fully masked row gets all-zero weights and a zero output (and gradients with no NaN)", () => {
      // Query 0 may see key 0; query 1 sees no key at all. Scores of 40–80: past −1e9's float32 resolution.
      const q = big([8, 0, 0, 8], [1, 1, 2, 2]);
      const k = big([5, 0, 10, 0], [1, 1, 2, 2]);
      const v = big([1, 2, 3, 4], [1, 1, 2, 2]);
      const m = tf.tensor4d([1, 0, 0, 0], [1, 1, 2, 2]);
      const r = both(q, k, v, m);
      assert.deepEqual(r.weights, [[1, 0], [0, 0]]);
      assert.deepEqual(r.output, [[1, 2], [0, 0]]);
      assert.deepEqual(r.attended, [[1, 2], [0, 0]]);
      for (const f of [attend, (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D, mm: tf.Tensor) => scaledDotProductAttention(a, b, c, mm).output]) {
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, m)))([q, k, v]);
        for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), `gradient ${g.dataSync()}`);
        // query 1's output is the constant 0: no gradient reaches its query
        assert.deepEqual(Array.from(grads[0].dataSync()).slice(2), [0, 0]);
      }
    });

    it("a padding mask with an all-padding example: zero output for it, the other example unchanged", () => {
      const ids = tf.tensor2d([[4, 5, 0], [0, 0, 0]], [2, 3], "int32");
      const q = tf.mul(tf.randomNormal([2, 2, 3, 4], 0, 1, "float32", 3), 30) as tf.Tensor4D;
      const k = tf.randomNormal([2, 2, 3, 4], 0, 1, "float32", 4) as tf.Tensor4D;
      const masked = attend(q, k, k, paddingMask(ids, 0));
      assert.deepEqual(Array.from(masked.slice([1, 0, 0, 0], [1, 2, 3, 4]).dataSync()), new Array(24).fill(0));
      const alone = attend(q.slice([0, 0, 0, 0], [1, 2, 3, 4]), k.slice([0, 0, 0, 0], [1, 2, 2, 4]), k.slice([0, 0, 0, 0], [1, 2, 2, 4]));
      assertClose(masked.slice([0, 0, 0, 0], [1, 2, 3, 4]), alone, 1e-6, "the example with real tokens"); // other shapes, other kernels: to rounding
    });
  });

  it("rejects shapes that do not fit, naming them", () => {
    const q = tf.zeros([1, 2, 3, 4]) as tf.Tensor4D;
    const k = tf.zeros([1, 2, 5, 8]) as tf.Tensor4D;
    assert.throws(() => scaledDotProductAttention(q, k, k), /share headDim/);
    assert.throws(() => scaledDotProductAttention(q, q, q, tf.ones([1, 1, 4, 3])), /does not broadcast/);
    tf.dispose([q, k]);
  });

  it("leaks no tensors", () => {
    const q = tf.randomNormal([2, 2, 4, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const m = causalMask(4);
      const r = scaledDotProductAttention(q, q, q, m);
      tf.dispose([m, r.output, r.weights]);
    }
    assert.equal(tf.memory().numTensors, before);
    q.dispose();
  });

  describe("attend: the same attention with its gradient written out", () => {
    const cases: [string, () => tf.Tensor | null][] = [
      ["no mask", () => null],
      ["a causal mask", () => causalMask(5)],
      ["a padding mask", () => paddingMask(tf.tensor2d([[4, 2, 0, 0, 0], [1, 2, 3, 4, 5]], [2, 5], "int32"), 0)],
    ];
    for (const [name, makeMask] of cases) {
      it(`${name}: same output and the same gradients for q, k and v as differentiating scaledDotProductAttention`, () => {
        const [q, k, v] = [1, 2, 3].map((s) => tf.randomNormal([2, 3, 5, 4], 0, 1, "float32", s) as tf.Tensor4D);
        const probe = tf.randomNormal([2, 3, 5, 4], 0, 1, "float32", 4); // a loss that weighs every output differently
        const mask = makeMask();
        const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D), probe));
        const fast = tf.grads(loss((a, b, c) => attend(a, b, c, mask)))([q, k, v]);
        const reference = tf.grads(loss((a, b, c) => scaledDotProductAttention(a, b, c, mask).output))([q, k, v]);
        ["dq", "dk", "dv"].forEach((what, i) => assert.ok(maxAbsDifference(fast[i], reference[i]) < 1e-5, `${what} differs by ${maxAbsDifference(fast[i], reference[i])}`));
        const out = attend(q, k, v, mask);
        const ref = scaledDotProductAttention(q, k, v, mask);
        assert.ok(maxAbsDifference(out, ref.output) < 1e-6);
        tf.dispose([q, k, v, probe, ...(mask ? [mask] : []), ...fast, ...reference, out, ref.output, ref.weights]);
      });
    }

    it("leaks no tensors, in training steps or alone", () => {
      const q = tf.variable(tf.randomNormal([2, 2, 4, 4], 0, 1, "float32", 5));
      const m = causalMask(4);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(() => tf.sum(attend(q as unknown as tf.Tensor4D, q as unknown as tf.Tensor4D, q as unknown as tf.Tensor4D, m)) as tf.Scalar, [q]);
        tf.dispose([value, ...Object.values(grads)]);
        attend(q as unknown as tf.Tensor4D, q as unknown as tf.Tensor4D, q as unknown as tf.Tensor4D).dispose();
      }
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([q, m]);
    });
  });
});
