import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { seed, unseed } from "../../../lib/seed";
import { trainLoop } from "../../../lib/train/loop";
import { reportMetric } from "../../../lib/metrics/report";
import { loadMnist, mnistImages } from "../../../lib/data/mnist";
import { batchIndices } from "../../../lib/data/batches";

describe("training loop", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(1);
  });
  after(() => unseed());

  it("trains a small MNIST autoencoder: loss falls, no tensor leaks across steps", async () => {
    const data = loadMnist("train", { limit: 512 });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: "relu" }), tf.layers.dense({ units: 784, activation: "sigmoid" })],
    });
    const optimizer = tf.train.adam(3e-3);
    let batches = batchIndices(data.count, 64);
    const counts: number[] = [];
    const history = await trainLoop({
      steps: 40,
      quiet: true,
      step: () => {
        let next = batches.next();
        if (next.done) { batches = batchIndices(data.count, 64); next = batches.next(); }
        const x = mnistImages(data, next.value as number[]);
        const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(x, model.apply(x) as tf.Tensor), true) as tf.Scalar;
        const value = loss.dataSync()[0];
        tf.dispose([x, loss]);
        counts.push(tf.memory().numTensors);
        return value;
      },
    });
    assert.ok(history.losses[39] < history.losses[0] * 0.8, `${history.losses[0]} -> ${history.losses[39]}`);
    assert.equal(counts[counts.length - 1], counts[2], `tensor count grew: ${counts.join(",")}`);
    model.dispose();
    optimizer.dispose();
  });

  it("stops with a clear error when the loss is not finite", async () => {
    await assert.rejects(trainLoop({ steps: 5, quiet: true, step: (i) => (i === 2 ? NaN : 1), label: "demo" }), /demo: the loss became NaN at step 3 of 5/);
  });

  it("reports metrics as one machine-readable line and fails a missed target", () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      reportMetric("test_mse", 0.0125, { max: 0.02 });
      assert.throws(() => reportMetric("auroc", 0.8, { min: 0.9 }), /metric auroc = 0.8 missed its target \(≥ 0.9\)/);
    } finally {
      console.log = log;
    }
    assert.equal(lines[0], "metric test_mse 0.0125000");
  });
});
