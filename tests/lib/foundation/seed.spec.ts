import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { mulberry32, permutation, random, seed, shuffleInPlace, unseed } from "../../../lib/seed";

describe("seed", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });
  after(() => unseed());

  it("makes initialisers, random ops and shuffles repeat exactly", () => {
    const draw = () =>
      tf.tidy(() => {
        const layer = tf.layers.dense({ units: 3, inputShape: [4] });
        layer.apply(tf.zeros([1, 4]));
        const w = Array.from(layer.getWeights()[0].dataSync());
        const r = Array.from(tf.randomNormal([5]).dataSync());
        const d = Array.from(tf.dropout(tf.ones([8]), 0.5).dataSync());
        layer.dispose();
        return { w, r, d, p: permutation(10), u: random() };
      });
    seed(123);
    const first = draw();
    seed(123);
    const second = draw();
    assert.deepEqual(second, first);
    seed(124);
    assert.notDeepEqual(draw().w, first.w);
  });

  it("mulberry32 is uniform enough and shuffles are permutations", () => {
    const rng = mulberry32(7);
    let sum = 0;
    for (let i = 0; i < 10000; i++) sum += rng();
    assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
    const items = shuffleInPlace([...Array(50).keys()], mulberry32(1));
    assert.deepEqual([...items].sort((a, b) => a - b), [...Array(50).keys()]);
  });

  it("rejects a seed that is not a number", () => {
    assert.throws(() => seed(NaN), /finite number/);
  });
});
