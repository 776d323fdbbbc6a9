/**
 * The shared source of shuffled batches (lib/train/shuffledBatches.ts): the same random stream,
 * consumed at the same moments, as the hand-written loop the lectures were seeded with; every
 * example once per epoch; bad sizes refused with a message; tensors freed.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { batchIndices } from "../../lib/data/batches";
import { mulberry32 as mulberry, random, seed, unseed } from "../../lib/seed";
import { endlessBatchIndices, ShuffledBatches } from "../../lib/train/shuffledBatches";

/** The loop the training files had before: restart batchIndices when it runs out. */
function handWritten(count: number, batchSize: number, dropLast: boolean, steps: number, between: () => number): (number[] | number)[] {
  const out: (number[] | number)[] = [];
  let order = batchIndices(count, batchSize, { dropLast });
  for (let i = 0; i < steps; i++) {
    let next = order.next();
    if (next.done) {
      order = batchIndices(count, batchSize, { dropLast });
      next = order.next();
    }
    out.push(next.value as number[], between());
  }
  return out;
}

describe("shuffled batches (lib/train/shuffledBatches.ts)", () => {
  afterEach(() => unseed());

  for (const dropLast of [false, true]) {
    it(`draws the same batches as the hand-written loop, between the same other draws (dropLast ${dropLast})`, () => {
      // 10 examples in batches of 4: 3 (or 2) batches an epoch, so 11 steps cross several epochs.
      // Math.random() between the batches stands for dropout masks and noise, which share the stream.
      seed(7);
      const before = handWritten(10, 4, dropLast, 11, () => Math.random());
      seed(7);
      const batches = new ShuffledBatches(10, 4, (idx) => idx, { dropLast });
      const after: (number[] | number)[] = [];
      for (let i = 0; i < 11; i++) after.push(batches.next(), Math.random());
      assert.deepEqual(after, before);
    });
  }

  it("draws nothing from the stream until the first batch is asked for", () => {
    seed(3);
    const expected = random();
    seed(3);
    new ShuffledBatches(100, 8, (idx) => idx);
    endlessBatchIndices(100, 8);
    assert.equal(random(), expected);
  });

  it("gives every example once per epoch, and only full batches with dropLast", () => {
    const all = endlessBatchIndices(10, 4, { rng: mulberry(1) });
    const epoch = [all.next().value, all.next().value, all.next().value];
    assert.deepEqual(epoch.map((b) => b.length), [4, 4, 2]);
    assert.deepEqual(epoch.flat().sort((a, b) => a - b), [...Array(10).keys()]);
    const full = endlessBatchIndices(10, 4, { dropLast: true, rng: mulberry(1) });
    const sizes = Array.from({ length: 6 }, () => full.next().value.length);
    assert.deepEqual(sizes, [4, 4, 4, 4, 4, 4]);
    const small = endlessBatchIndices(3, 5, { rng: mulberry(1) });
    assert.deepEqual([...small.next().value].sort(), [0, 1, 2], "a batch larger than the data is the whole data");
  });

  it("refuses sizes it could not serve, saying which", () => {
    assert.throws(() => new ShuffledBatches(0, 4, (i) => i), /number of examples must be a whole number ≥ 1, got 0/);
    assert.throws(() => endlessBatchIndices(10, 0), /batch size must be a whole number ≥ 1, got 0/);
    assert.throws(() => endlessBatchIndices(10, 2.5), /batch size must be a whole number ≥ 1, got 2.5/);
    assert.throws(() => new ShuffledBatches(10, 16, (i) => i, { dropLast: true }), /a batch of 16 is larger than the 10 examples \(full batches only\)/);
  });

  it("makes tensors with the batch's shapes, and withNext frees them (sync, async, and when fn throws)", async () => {
    const images = tf.tensor2d(Array.from({ length: 12 * 3 }, (_, i) => i), [12, 3]); // [12, 3]
    const rows = tf.range(0, 12, 1, "int32"); // [12]
    const batches = new ShuffledBatches(12, 5, (idx) => {
      const at = tf.tensor1d(idx, "int32");
      const batch = { x: tf.gather(images, at) as tf.Tensor2D, y: tf.gather(rows, at) as tf.Tensor1D }; // x [b, 3], y [b]
      at.dispose();
      return batch;
    });
    const start = tf.memory().numTensors;
    const first = batches.withNext(({ x, y }) => {
      assert.deepEqual(x.shape, [5, 3]);
      assert.deepEqual(y.shape, [5]);
      // Row k of x is image y[k]: the batch's two tensors are made from the same indices.
      const xs = x.arraySync();
      y.arraySync().forEach((k, i) => assert.deepEqual(xs[i], [3 * k, 3 * k + 1, 3 * k + 2]));
      return tf.tidy(() => x.sum().dataSync()[0]);
    });
    assert.ok(Number.isFinite(first));
    for (let i = 0; i < 19; i++) batches.withNext(({ x }) => tf.tidy(() => x.mean().dataSync()[0]));
    assert.equal(await batches.withNext(async ({ y }) => { await new Promise((r) => setImmediate(r)); return y.shape[0]; }), 2, "the third batch of an epoch of 12 in 5s is short");
    assert.throws(() => batches.withNext(() => { throw new Error("step failed"); }), /step failed/);
    await assert.rejects(batches.withNext(async () => { throw new Error("async step failed"); }), /async step failed/);
    assert.equal(tf.memory().numTensors, start, "every batch freed");
    const kept = batches.next();
    assert.equal(tf.memory().numTensors, start + 2, "next() hands the batch over: x and y");
    tf.dispose(kept);
    tf.dispose([images, rows]);
  });
});

