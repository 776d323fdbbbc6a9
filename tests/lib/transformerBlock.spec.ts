import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { TransformerDecoderBlock, TransformerEncoderBlock } from "../../lib/layers/transformerBlock";
import { paddingMask } from "../../lib/layers/attention";
import { roundTripLayersModel } from "../../lib/models/saveLoad";
import { maxAbsDifference as maxAbs } from "../helpers/close";

describe("transformer blocks", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(5);
  });

  for (const norm of ["post", "pre"] as const) {
    it(`encoder block (${norm}-norm) keeps the shape and counts its parameters (attention, 2 layer norms, FFN)`, () => {
      const block = new TransformerEncoderBlock({ numHeads: 2, dModel: 8, ffDim: 16, norm, dropout: 0 });
      const x = tf.randomNormal([3, 5, 8]);
      const y = block.apply(x) as tf.Tensor;
      assert.deepEqual(y.shape, [3, 5, 8]);
      // 4 projections (8·8 + 8), 2 layer norms (8 + 8), FFN 8·16 + 16 + 16·8 + 8
      assert.equal(block.countParams(), 4 * 72 + 2 * 16 + 144 + 136);
      tf.dispose([x, y]);
      block.dispose();
    });
  }

  it("a causal block: outputs at position i do not depend on inputs after i", () => {
    const block = new TransformerEncoderBlock({ numHeads: 2, dModel: 8, causal: true, norm: "pre", dropout: 0 });
    const x = tf.randomNormal([1, 6, 8]);
    const changed = tf.concat([x.slice([0, 0, 0], [1, 4, 8]), tf.randomNormal([1, 2, 8])], 1);
    const a = block.apply(x) as tf.Tensor;
    const b = block.apply(changed) as tf.Tensor;
    assert.ok(maxAbs(a.slice([0, 0, 0], [1, 4, 8]), b.slice([0, 0, 0], [1, 4, 8])) < 1e-5);
    assert.ok(maxAbs(a.slice([0, 4, 0], [1, 2, 8]), b.slice([0, 4, 0], [1, 2, 8])) > 1e-3);
    tf.dispose([x, changed, a, b]);
    block.dispose();
  });

  it("a padding mask makes real positions ignore what the padding holds", () => {
    const block = new TransformerEncoderBlock({ numHeads: 2, dModel: 8, dropout: 0 });
    const ids = tf.tensor2d([[4, 5, 6, 0, 0]], [1, 5], "int32");
    const mask = paddingMask(ids as tf.Tensor2D, 0);
    const x = tf.randomNormal([1, 5, 8]);
    const x2 = tf.concat([x.slice([0, 0, 0], [1, 3, 8]), tf.randomNormal([1, 2, 8])], 1);
    const a = block.apply(x, { mask }) as tf.Tensor;
    const b = block.apply(x2, { mask }) as tf.Tensor;
    assert.ok(maxAbs(a.slice([0, 0, 0], [1, 3, 8]), b.slice([0, 0, 0], [1, 3, 8])) < 1e-5);
    tf.dispose([ids, mask, x, x2, a, b]);
    block.dispose();
  });

  it("decoder block: [target, memory] → target shape; cross-attention reads the memory", () => {
    const block = new TransformerDecoderBlock({ numHeads: 2, dModel: 8, dropout: 0 });
    const x = tf.randomNormal([2, 4, 8]);
    const m1 = tf.randomNormal([2, 6, 8]);
    const m2 = tf.randomNormal([2, 6, 8]);
    const a = block.apply([x, m1]) as tf.Tensor;
    const b = block.apply([x, m2]) as tf.Tensor;
    assert.deepEqual(a.shape, [2, 4, 8]);
    assert.ok(maxAbs(a, b) > 1e-3);
    tf.dispose([x, m1, m2, a, b]);
    block.dispose();
  });

  it("a model of blocks saves and loads with equal outputs", async () => {
    const src = tf.input({ shape: [6, 8] });
    const tgt = tf.input({ shape: [4, 8] });
    const enc = new TransformerEncoderBlock({ numHeads: 2, dModel: 8, name: "enc_0" }).apply(src) as tf.SymbolicTensor;
    const dec = new TransformerDecoderBlock({ numHeads: 2, dModel: 8, name: "dec_0", norm: "pre" }).apply([tgt, enc]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [src, tgt], outputs: dec });
    const a = tf.randomNormal([2, 6, 8]);
    const b = tf.randomNormal([2, 4, 8]);
    const { maxDiff, loaded } = await roundTripLayersModel(model, [a, b]);
    assert.ok(maxDiff < 1e-6, `differs by ${maxDiff}`);
    const names = loaded.weights.map((w) => w.originalName);
    assert.ok(names.includes("dec_0/cross_attention/query_kernel"), names.join(", "));
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
  });

  it("learns to copy a shifted sequence (loss falls) without leaking tensors", () => {
    const block = new TransformerEncoderBlock({ numHeads: 2, dModel: 8, ffDim: 16, dropout: 0.1 });
    const x = tf.randomNormal([8, 6, 8]);
    const target = tf.concat([x.slice([0, 1, 0], [8, 5, 8]), tf.zeros([8, 1, 8])], 1);
    block.apply(x);
    const vars = block.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = tf.train.adam(0.01);
    const loss = (training: boolean) => tf.losses.meanSquaredError(target, block.apply(x, { training }) as tf.Tensor) as tf.Scalar;
    const first = tf.tidy(() => loss(false).dataSync()[0]);
    opt.minimize(() => loss(true), false, vars);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 60; i++) opt.minimize(() => loss(true), false, vars);
    assert.equal(tf.memory().numTensors, before);
    const last = tf.tidy(() => loss(false).dataSync()[0]);
    assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
    tf.dispose([x, target]);
    opt.dispose();
    block.dispose();
  });
});
