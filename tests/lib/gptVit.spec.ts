import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed, mulberry32 } from "../../lib/seed";
import { Gpt } from "../../lib/models/gpt";
import { imageToPatches, VisionTransformer } from "../../lib/models/vit";
import { fusedLstmForward, timeSequenceModels } from "../../lib/models/sequenceTiming";
import { maxAbsDifference } from "../helpers/close";

describe("GPT, vision transformer and the RNN/transformer timing", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(6);
  });

  it("GPT: logits [b, T, V]; a prediction never depends on later tokens", () => {
    const gpt = new Gpt({ vocabSize: 7, contextLen: 8, dModel: 16, numHeads: 2, numLayers: 1, ffDim: 32, dropout: 0 });
    const a = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], "int32");
    const b = tf.tensor2d([[1, 2, 3, 0, 0, 0]], [1, 6], "int32");
    const la = gpt.logits(a), lb = gpt.logits(b);
    assert.deepEqual(la.shape, [1, 6, 7]);
    const diff = maxAbsDifference(la.slice([0, 0, 0], [1, 3, 7]), lb.slice([0, 0, 0], [1, 3, 7]));
    assert.ok(diff < 1e-5, `early positions changed by ${diff}`);
    assert.throws(() => gpt.logits(tf.zeros([1, 9], "int32") as tf.Tensor2D), /exceed the context/);
    tf.dispose([a, b, la, lb]);
    gpt.dispose();
  });

  it("GPT learns a periodic sequence (loss falls, no leaks) and generates from it", () => {
    const gpt = new Gpt({ vocabSize: 4, contextLen: 8, dModel: 16, numHeads: 2, numLayers: 1, ffDim: 32, dropout: 0 });
    const ids = Int32Array.from({ length: 400 }, (_, i) => [0, 1, 2, 3, 2, 1][i % 6]);
    const x = tf.tensor2d(Array.from({ length: 8 }, (_, k) => Array.from(ids.subarray(k * 5, k * 5 + 8))), [8, 8], "int32");
    const y = tf.tensor2d(Array.from({ length: 8 }, (_, k) => Array.from(ids.subarray(k * 5 + 1, k * 5 + 9))), [8, 8], "int32");
    const vars = gpt.trainableVariables;
    const opt = tf.train.adam(0.02);
    const before = gpt.bitsPerToken(ids);
    const step = () => tf.dispose(opt.minimize(() => gpt.loss(x, y), true, vars) ?? []);
    step();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) step();
    assert.equal(tf.memory().numTensors, n, "tensors leaked");
    const after = gpt.bitsPerToken(ids);
    assert.ok(after < before * 0.5, `bits/token ${before} → ${after}`);
    const out = gpt.generate([0, 1, 2], 6, 0, mulberry32(1));
    assert.deepEqual(out, [3, 2, 1, 0, 1, 2]);
    tf.dispose([x, y]);
    opt.dispose();
    gpt.dispose();
  });

  it("ViT: patches are the image's 7×7 tiles in reading order; logits [b, 10]; training lowers the loss", () => {
    const img = tf.range(0, 784).reshape([1, 784]);
    const patches = imageToPatches(img, 28, 7);
    assert.deepEqual(patches.shape, [1, 16, 49]);
    const p = patches.arraySync()[0];
    assert.equal(p[0][0], 0); // top-left pixel
    assert.equal(p[1][0], 7); // second patch starts 7 pixels right
    assert.equal(p[4][0], 7 * 28); // fifth patch starts 7 rows down
    assert.equal(p[0][8], 28 + 1); // row 1, column 1 within the first patch
    const vit = new VisionTransformer({ dModel: 16, numHeads: 2, numLayers: 1, ffDim: 32 });
    const x = tf.randomUniform([16, 784]) as tf.Tensor2D;
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), "int32");
    assert.deepEqual(vit.logits(x).shape, [16, 10]);
    const meanPooled = new VisionTransformer({ dModel: 16, numHeads: 2, numLayers: 1, ffDim: 32, pool: "mean" });
    assert.deepEqual(meanPooled.logits(x).shape, [16, 10]);
    meanPooled.dispose();
    const vars = vit.trainableVariables;
    assert.equal(vars.reduce((s, v) => s + v.size, 0), vit.paramCount);
    const opt = tf.train.adam(0.01);
    const first = tf.tidy(() => vit.loss(x, labels, false).dataSync()[0]);
    const step = () => tf.dispose(opt.minimize(() => vit.loss(x, labels), true, vars) ?? []);
    step();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) step();
    assert.equal(tf.memory().numTensors, n, "tensors leaked");
    const last = tf.tidy(() => vit.loss(x, labels, false).dataSync()[0]);
    assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
    assert.ok(vit.accuracy(x, labels) > 0.8);
    tf.dispose([img, patches, x, labels]);
    opt.dispose();
    vit.dispose();
  });

  it("timing: the fused LSTM gives [b, T, units]; rows come back for each length", async () => {
    const x = tf.randomNormal([2, 5, 4]) as tf.Tensor3D;
    const h = fusedLstmForward(x, tf.randomNormal([4, 12]) as tf.Tensor2D, tf.randomNormal([3, 12]) as tf.Tensor2D, tf.zeros([12]) as tf.Tensor1D);
    assert.deepEqual(h.shape, [2, 5, 3]);
    const before = tf.memory().numTensors;
    const rows = await timeSequenceModels({ lengths: [4, 8], batch: 2, dModel: 8, numHeads: 2, repeats: 1 });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(rows.map((r) => r.length), [4, 8]);
    rows.forEach((r) => assert.ok(r.lstmLayerMs > 0 && r.fusedLstmMs > 0 && r.transformerMs > 0));
    tf.dispose([x, h]);
  });
});
