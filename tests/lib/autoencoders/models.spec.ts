import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { seed } from "../../../lib/seed";
import { denseAutoencoder } from "../../../lib/models/autoencoder";
import { variationalAutoencoder } from "../../../lib/models/vae";
import { smallUNet } from "../../../lib/models/unet";
import { sameConv2d } from "../../../lib/models/sameConv2d";

describe("autoencoder models", () => {
  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
    seed(0);
  });

  it("dense autoencoder: the decoder mirrors the encoder; shapes and parameter count", () => {
    const ae = denseAutoencoder({ hiddenSizes: [128, 32] });
    assert.equal(ae.describe(), "784-128-32-128-784");
    const expected = 784 * 128 + 128 + 128 * 32 + 32 + 32 * 128 + 128 + 128 * 784 + 784;
    assert.equal(ae.countParams(), expected);
    assert.equal(ae.trainableWeights().reduce((s, v) => s + v.size, 0), expected);
    const x = tf.rand([5, 784], () => Math.random()) as tf.Tensor2D;
    const { code, logits } = ae.forward(x);
    assert.deepEqual(code.shape, [5, 32]);
    assert.deepEqual(logits.shape, [5, 784]);
    const r = ae.reconstruct(x);
    const v = r.dataSync();
    assert.ok(v.every((p) => p > 0 && p < 1), "sigmoid output in (0, 1)");
    assert.throws(() => ae.encode(tf.zeros([2, 100]) as tf.Tensor2D), /expected \[batch, 784\], got \[2,100\]/);
    tf.dispose([x, code, logits, r]);
    ae.dispose();
  });

  it("overcomplete, one hidden layer: code wider than the input", () => {
    const ae = denseAutoencoder({ hiddenSizes: [1000] });
    assert.equal(ae.describe(), "784-1000-784");
    const h = ae.encode(tf.zeros([1, 784]) as tf.Tensor2D);
    assert.deepEqual(h.shape, [1, 1000]);
    h.dispose();
    ae.dispose();
  });

  it("dropout acts on hidden units while training only", () => {
    const ae = denseAutoencoder({ hiddenSizes: [64], dropout: 0.5 });
    const x = tf.ones([8, 784]) as tf.Tensor2D;
    const a = ae.encode(x, false).dataSync();
    const b = ae.encode(x, false).dataSync();
    assert.deepEqual(a, b, "inference is deterministic");
    const t = ae.encode(x, true).dataSync();
    const zeroedInTraining = Array.from(t).filter((v, i) => v === 0 && a[i] !== 0).length;
    const active = Array.from(a).filter((v) => v !== 0).length;
    assert.ok(zeroedInTraining > 0.3 * active && zeroedInTraining < 0.7 * active, `dropped ${zeroedInTraining} of ${active}`);
    x.dispose();
    ae.dispose();
  });

  it("VAE: μ and log σ² of the latent size, a sample per input, decoded images in (0, 1)", () => {
    const vae = variationalAutoencoder({ hiddenSizes: [64], latentSize: 2 });
    const x = tf.rand([3, 784], () => Math.random()) as tf.Tensor2D;
    const out = vae.forward(x);
    assert.deepEqual(out.mean.shape, [3, 2]);
    assert.deepEqual(out.logVar.shape, [3, 2]);
    assert.deepEqual(out.h.shape, [3, 2]);
    assert.deepEqual(out.logits.shape, [3, 784]);
    const samples = vae.sample(4);
    assert.deepEqual(samples.shape, [4, 784]);
    assert.ok(samples.dataSync().every((p) => p > 0 && p < 1));
    tf.dispose([x, out.mean, out.logVar, out.h, out.logits, samples]);
    vae.dispose();
  });

  it("U-Net: one logit per pixel at the input's resolution", () => {
    const unet = smallUNet({ size: 16, baseFilters: 4, depth: 2 });
    const y = unet.logits(tf.zeros([2, 16, 16, 1]) as tf.Tensor4D);
    assert.deepEqual(y.shape, [2, 16, 16, 1]);
    assert.match(unet.describe(), /up\+skip/);
    assert.throws(() => unet.logits(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D), /expected \[batch, 16, 16, 1\]/);
    assert.throws(() => smallUNet({ size: 30, depth: 2 }), /divisible/);
    y.dispose();
    unet.dispose();
  });

  it("sameConv2d has tf.conv2d's values and gradients (checked on the cpu backend's own gradient)", async () => {
    const xs = Array.from({ length: 2 * 6 * 6 * 3 }, () => Math.random() - 0.5);
    const ws = Array.from({ length: 3 * 3 * 3 * 4 }, () => Math.random() - 0.5);
    const dys = Array.from({ length: 2 * 6 * 6 * 4 }, () => Math.random() - 0.5);
    const run = (conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 6, 6, 3]);
        const w = tf.tensor4d(ws, [3, 3, 3, 4]);
        const dy = tf.tensor4d(dys, [2, 6, 6, 4]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy));
        const [gx, gw] = tf.grads(f)([x, w]);
        return [conv(x, w), gx, gw].map((t) => Array.from(t.dataSync()));
      });
    const mine = run(sameConv2d);
    await tf.setBackend("cpu");
    const reference = run((x, w) => tf.conv2d(x, w, 1, "same"));
    await tf.setBackend("wasm");
    ["value", "∂/∂x", "∂/∂W"].forEach((what, k) => {
      const worst = Math.max(...mine[k].map((v, i) => Math.abs(v - reference[k][i])));
      assert.ok(worst < 1e-4, `${what} differs by ${worst}`);
    });
  });
});
