import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { MultiHeadAttention } from "../../lib/layers/multiHeadAttention";
import { causalMask } from "../../lib/layers/attention";
import { multiHeadAttentionReference } from "../../lib/layers/attentionReference";
import { roundTripLayersModel } from "../../lib/models/saveLoad";
import { maxAbsDifference } from "../helpers/close";

describe("MultiHeadAttention layer", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(3);
  });

  it("equals a reference computed head by head with plain 2-D tensor ops (self- and cross-attention, masked)", () => {
    const layer = new MultiHeadAttention({ numHeads: 4, dModel: 16 });
    const q = tf.randomNormal([2, 5, 16]) as tf.Tensor3D;
    const kv = tf.randomNormal([2, 7, 16]) as tf.Tensor3D;
    // non-zero biases, so that they are checked too
    layer.apply([q, kv]);
    layer.setWeights(layer.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.3)));
    for (const [query, keyValue, mask] of [
      [q, kv, null],
      [q, q, causalMask(5)],
      [q, kv, tf.tensor4d([1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0], [2, 1, 1, 7])],
    ] as [tf.Tensor3D, tf.Tensor3D, tf.Tensor4D | null][]) {
      const got = layer.apply([query, keyValue], { mask }) as tf.Tensor;
      const want = multiHeadAttentionReference(layer, query, keyValue, mask);
      const diff = maxAbsDifference(got, want);
      assert.deepEqual(got.shape, [2, 5, 16]);
      assert.ok(diff < 1e-5, `layer and reference differ by ${diff}`);
      tf.dispose([got, want, mask ?? []]);
    }
    tf.dispose([q, kv]);
    layer.dispose();
  });

  it("a causal layer masks the future itself, and records attention weights when asked", () => {
    const layer = new MultiHeadAttention({ numHeads: 2, dModel: 8, causal: true });
    layer.recordAttention = true;
    const x = tf.randomNormal([1, 4, 8]);
    const y = layer.apply(x) as tf.Tensor;
    assert.ok(layer.lastAttention);
    assert.deepEqual(layer.lastAttention!.shape, [1, 2, 4, 4]);
    const w = layer.lastAttention!.arraySync();
    w[0].forEach((h) => h.forEach((row, i) => row.forEach((p, j) => j > i && assert.ok(p < 1e-9))));
    tf.dispose([x, y]);
    layer.dispose();
  });

  it("serialises: its config round-trips and a model holding it saves and loads with equal outputs", async () => {
    const layer = new MultiHeadAttention({ numHeads: 2, dModel: 8, dropout: 0.1, name: "mha_test" });
    const cfg = layer.getConfig();
    assert.equal(cfg.numHeads, 2);
    assert.equal(cfg.dModel, 8);
    const query = tf.input({ shape: [3, 8] });
    const memory = tf.input({ shape: [5, 8] });
    const model = tf.model({ inputs: [query, memory], outputs: layer.apply([query, memory]) as tf.SymbolicTensor });
    const a = tf.randomNormal([2, 3, 8]);
    const b = tf.randomNormal([2, 5, 8]);
    const { maxDiff, loaded } = await roundTripLayersModel(model, [a, b]);
    assert.ok(maxDiff < 1e-6, `loaded model differs by ${maxDiff}`);
    assert.ok(loaded.layers.some((l) => l instanceof MultiHeadAttention));
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
  });

  it("rejects dModel not divisible by numHeads", () => {
    assert.throws(() => new MultiHeadAttention({ numHeads: 3, dModel: 16 }), /not divisible/);
  });

  it("trains (loss falls) without leaking tensors", () => {
    const layer = new MultiHeadAttention({ numHeads: 2, dModel: 8 });
    const x = tf.randomNormal([4, 6, 8]);
    const target = tf.randomNormal([4, 6, 8]);
    layer.apply(x);
    const opt = tf.train.adam(0.01);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => tf.losses.meanSquaredError(target, layer.apply(x) as tf.Tensor) as tf.Scalar;
    const first = tf.tidy(() => loss().dataSync()[0]);
    opt.minimize(loss, false, vars); // optimizer slots are created on the first step
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) opt.minimize(loss, false, vars);
    assert.equal(tf.memory().numTensors, before);
    const last = tf.tidy(() => loss().dataSync()[0]);
    assert.ok(last < first * 0.9, `loss ${first} → ${last}`);
    tf.dispose([x, target]);
    opt.dispose();
    layer.dispose();
  });
});
