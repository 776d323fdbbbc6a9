import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { cosineWithWarmup, setOptimizerLearningRate } from "../../lib/train/lrSchedule";

describe("learning-rate schedule", () => {
  it("warms up linearly, peaks, then falls along a half cosine to the floor", () => {
    const o = { peak: 1, totalSteps: 110, warmupSteps: 10, floor: 0.1 };
    assert.equal(cosineWithWarmup(0, o), 0.1);
    assert.equal(cosineWithWarmup(9, o), 1);
    assert.ok(Math.abs(cosineWithWarmup(10, o) - 1) < 1e-12);
    assert.ok(Math.abs(cosineWithWarmup(60, o) - 0.55) < 1e-12); // halfway: mean of peak and floor
    assert.ok(Math.abs(cosineWithWarmup(110, o) - 0.1) < 1e-12);
    assert.ok(Math.abs(cosineWithWarmup(500, o) - 0.1) < 1e-12);
    for (let s = 11; s < 110; s++) assert.ok(cosineWithWarmup(s, o) <= cosineWithWarmup(s - 1, o));
  });

  it("sets the rate an Adam optimiser then uses", () => {
    const v = tf.variable(tf.scalar(1));
    const opt = tf.train.adam(0.1);
    setOptimizerLearningRate(opt, 0);
    opt.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
    assert.equal(v.dataSync()[0], 1); // a zero rate moves nothing
    setOptimizerLearningRate(opt, 0.1);
    opt.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
    assert.ok(Math.abs(v.dataSync()[0] - 0.9) < 1e-4); // Adam's first step is ≈ lr
    opt.dispose();
    v.dispose();
  });
});
