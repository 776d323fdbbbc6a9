import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import {
  binaryCrossEntropy,
  binaryCrossEntropyFromLogits,
  binaryCrossEntropyFromLogitsPerExample,
  meanSquaredError,
  meanSquaredErrorPerExample,
  sigmoidCrossEntropyWithLogits,
} from "../../../lib/losses/reconstruction";
import { activationStats, l1ActivityPenalty } from "../../../lib/losses/sparsity";
import { elboTerms, klDivergenceToStandardNormal, reparameterise } from "../../../lib/models/vae";
import { assertClose, assertClose as close } from "../../helpers/close";

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe("autoencoder losses", () => {
  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
  });

  it("binary cross-entropy: summed over pixels, averaged over the batch, against hand-computed numbers", () => {
    // Row 1: −[log 0.9 + log(1 − 0.2)], row 2: −[log 0.5 + log 0.5]
    const p = tf.tensor2d([[0.9, 0.2], [0.5, 0.5]]);
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const expected = (-(Math.log(0.9) + Math.log(0.8)) - 2 * Math.log(0.5)) / 2;
    close(value(binaryCrossEntropy(p, x)), expected);
    tf.dispose([p, x]);
  });

  it("binary cross-entropy from probabilities clamps each log at −100, as PyTorch's BCELoss, with finite gradients", () => {
    // p = 0 with x = 1, and p = 1 with x = 0: log 0 = −∞ clamped to −100 each; p = 1e-30: −log p = 69.08, under the clamp
    const p = tf.tensor2d([[0, 1, 1e-30]]);
    const x = tf.tensor2d([[1, 0, 1]]);
    close(value(binaryCrossEntropy(p, x)), 200 - Math.log(1e-30), 1e-5);
    const [dp, dx] = tf.grads((a: tf.Tensor, b: tf.Tensor) => binaryCrossEntropy(a, b))([p, x]);
    // PyTorch: ∂/∂p = (p − x) / max(p (1 − p), 1e-12); ∂/∂x = max(log(1 − p), −100) − max(log p, −100)
    assertClose(dp, [-1e12, 1e12, -1e12], 1e-5, "∂/∂p");
    assertClose(dx, [100, -100, -Math.log(1e-30)], 1e-5, "∂/∂x");
    // It grows with the error up to the clamp, where clipping p at 1e-7 stopped at 16.1 nats.
    const sure = (q: number) => value(binaryCrossEntropy(tf.tensor2d([[q]]), tf.tensor2d([[1]])));
    assert.ok(sure(1e-20) > sure(1e-10) && sure(1e-10) > sure(1e-5), "the loss should keep growing as p → 0");
    tf.dispose([p, x, dp, dx]);
  });

  it("the logits form equals BCE(σ(z)) and stays finite where σ(z) rounds to 0 or 1", () => {
    const z = tf.tensor2d([[2, -1, 0.3], [-4, 5, 0]]);
    const x = tf.tensor2d([[1, 0, 0.25], [0, 1, 0.5]]);
    close(value(binaryCrossEntropyFromLogits(z, x)), value(binaryCrossEntropy(tf.sigmoid(z), x)), 1e-4);
    const extreme = value(binaryCrossEntropyFromLogits(tf.tensor2d([[200, -200]]), tf.tensor2d([[0, 1]])));
    close(extreme, 400, 1e-4); // −log σ(−200) − log σ(−200) = 200 + 200
    const perExample = binaryCrossEntropyFromLogitsPerExample(z, x);
    assert.deepEqual(perExample.shape, [2]);
    tf.dispose([z, x, perExample]);
  });

  it("the logits form's written-out gradient is σ(z) − x in z and −z in x, as differentiating the formula gives", () => {
    const z = tf.tensor2d([[2, -1, 0.3], [-4, 5, 0]]);
    const x = tf.tensor2d([[1, 0, 0.25], [0, 1, 0.5]]);
    const dy = tf.tensor2d([[1, 2, 3], [0.5, -1, 2]]);
    const formula = (zz: tf.Tensor, xx: tf.Tensor) => tf.add(tf.sub(tf.relu(zz), tf.mul(zz, xx)), tf.log1p(tf.exp(tf.neg(tf.abs(zz)))));
    const ours = tf.grads((zz: tf.Tensor, xx: tf.Tensor) => tf.sum(tf.mul(sigmoidCrossEntropyWithLogits(xx, zz), dy)))([z, x]);
    const autodiff = tf.grads((zz: tf.Tensor, xx: tf.Tensor) => tf.sum(tf.mul(formula(zz, xx), dy)))([z, x]);
    for (let i = 0; i < 2; i++) {
      const [a, b] = [ours[i].dataSync(), autodiff[i].dataSync()];
      a.forEach((v, j) => close(v, b[j], 1e-5));
    }
    const expected = tf.mul(dy, tf.sub(tf.sigmoid(z), x)).dataSync();
    ours[0].dataSync().forEach((v, j) => close(v, expected[j], 1e-6));
    tf.dispose([z, x, dy, ...ours, ...autodiff]);
  });

  it("the logits form trains inside tf.tidy under minimize without freeing what its gradient needs", () => {
    const w = tf.variable(tf.tensor2d([[0.5, -0.5]]));
    const x = tf.tensor2d([[1, 0]]);
    const optimizer = tf.train.sgd(0.5);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) losses.push(value(optimizer.minimize(() => tf.tidy(() => binaryCrossEntropyFromLogits(w.mul(4), x)), true, [w])!));
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    assert.ok(losses[4] < losses[0], `loss should fall: ${losses}`);
    tf.dispose([w, x]);
    optimizer.dispose();
  });

  it("mean squared error per pixel and per example", () => {
    const a = tf.tensor2d([[0, 1], [1, 1]]);
    const b = tf.tensor2d([[0, 0], [0.5, 1]]);
    close(value(meanSquaredError(a, b)), (1 + 0.25) / 4);
    const per = meanSquaredErrorPerExample(a, b);
    assert.deepEqual(Array.from(per.dataSync()), [0.5, 0.125]);
    tf.dispose([a, b, per]);
  });

  it("mean squared error: its written-out gradients equal the formula's, for the prediction and the target", () => {
    const p = tf.randomNormal([3, 4, 5], 0, 1, "float32", 1);
    const t = tf.randomNormal([3, 4, 5], 0, 1, "float32", 2);
    const [dp, dt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(meanSquaredError(a, b), 3))([p, t]);
    const [rp, rt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.mean(tf.square(tf.sub(a, b))), 3))([p, t]);
    for (const [got, want] of [[dp, rp], [dt, rt]]) {
      const [g, w] = [got.dataSync(), want.dataSync()];
      w.forEach((v, i) => close(g[i], v, 1e-6));
    }
    tf.dispose([p, t, dp, dt, rp, rt]);
  });

  it("rejects a prediction and target of different shapes, naming both", () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    assert.throws(() => meanSquaredError(a, b), /\[2,3\].*\[2,4\]/);
    tf.dispose([a, b]);
  });

  it("L1 activity penalty λ Σ|a| per example, averaged over the batch", () => {
    const h = tf.tensor2d([[1, -2, 0], [0.5, 0, 0]]);
    // (|1| + |−2| + 0 + 0.5) / 2 examples = 1.75; × λ = 0.1
    close(value(l1ActivityPenalty(h, 0.1)), 0.175);
    close(value(l1ActivityPenalty(h, 0)), 0);
    assert.throws(() => l1ActivityPenalty(h, -1), /λ must be/);
    h.dispose();
  });

  it("activation statistics: mean |a|, near-zero share, dead units", () => {
    const stats = activationStats([0, 2, 0, 0.001, 4, 0], 3);
    close(stats.meanAbs, 6.001 / 6);
    close(stats.nearZeroShare, 4 / 6);
    close(stats.deadUnitShare, 2 / 3); // units 0 and 2 stay below 0.01 on both rows
  });

  it("KL(N(μ, σ²) ‖ N(0, 1)) in closed form against hand-computed numbers", () => {
    // μ = [1, 0], log σ² = [0, log 4]: ½[(1 + 1 − 1 − 0) + (0 + 4 − 1 − log 4)] = ½[1 + 3 − log 4]
    const mean = tf.tensor2d([[1, 0], [0, 0]]);
    const logVar = tf.tensor2d([[0, Math.log(4)], [0, 0]]);
    const kl = klDivergenceToStandardNormal(mean, logVar);
    const [first, second] = Array.from(kl.dataSync());
    close(first, 0.5 * (4 - Math.log(4)));
    close(second, 0); // q = p exactly
    tf.dispose([mean, logVar, kl]);
  });

  it("reparameterisation h = μ + exp(½ log σ²) ε", () => {
    const h = reparameterise(tf.tensor2d([[1, -1]]), tf.tensor2d([[Math.log(4), 0]]), tf.tensor2d([[0.5, 2]]));
    assert.deepEqual(Array.from(h.dataSync()).map((v) => +v.toFixed(5)), [2, 1]);
    h.dispose();
  });

  it("ELBO terms: loss = KL − E[log p(x|h)], each averaged over the batch", () => {
    const x = tf.tensor2d([[1, 0]]);
    const out = { mean: tf.tensor2d([[1, 0]]), logVar: tf.tensor2d([[0, 0]]), h: tf.tensor2d([[1, 0]]), logits: tf.tensor2d([[0, 0]]) };
    const t = elboTerms(x, out);
    close(t.reconstruction.dataSync()[0], 2 * Math.log(0.5));
    close(t.kl.dataSync()[0], 0.5);
    close(t.loss.dataSync()[0], 0.5 - 2 * Math.log(0.5));
    tf.dispose([x, out.mean, out.logVar, out.h, out.logits, t.loss, t.reconstruction, t.kl]);
  });
});
