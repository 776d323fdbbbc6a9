import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { buildDenseDiscriminator, buildDenseGenerator, generateGanSamples, sampleGanNoise } from "../../lib/models/gan";
import { buildDcganDiscriminator, buildDcganGenerator, conv2dTransposeViaConv, stridedConv2d, stridedConv2dTranspose } from "../../lib/models/dcgan";
import { maxAbsDifference as maxDiff } from "../helpers/close";

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe("GAN players: noise, generators, discriminators", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("samples Gaussian or uniform noise of the asked shape, reproducibly under seed()", () => {
    seed(3);
    const g = sampleGanNoise(4000, 5, "gaussian");
    assert.deepEqual(g.shape, [4000, 5]);
    const { mean, variance } = tf.moments(g);
    assert.ok(Math.abs(mean.dataSync()[0]) < 0.05 && Math.abs(variance.dataSync()[0] - 1) < 0.05, "N(0, 1)");
    const u = sampleGanNoise(4000, 5, "uniform");
    const [lo, hi] = [u.min().dataSync()[0], u.max().dataSync()[0]];
    assert.ok(lo >= -1 && hi <= 1 && lo < -0.99 && hi > 0.99, `U(−1, 1): [${lo}, ${hi}]`);
    seed(3);
    const again = sampleGanNoise(4000, 5, "gaussian");
    assert.equal(maxDiff(g, again), 0, "same seed, same noise");
    assert.throws(() => sampleGanNoise(2, 3, "cauchy" as never), /not "gaussian" or "uniform"/);
    assert.throws(() => sampleGanNoise(0, 3), /positive integer/);
    tf.dispose([g, mean, variance, u, again]);
  });

  it("dense G 100-256-784 gives pixels in [0, 1]; dense D 784-256-1 gives one logit per image", () => {
    seed(1);
    const G = buildDenseGenerator();
    const D = buildDenseDiscriminator();
    assert.equal(G.countParams(), 100 * 256 + 256 + 256 * 784 + 784);
    assert.equal(D.countParams(), 784 * 256 + 256 + 256 + 1);
    const x = generateGanSamples(G, 16, "uniform");
    assert.deepEqual(x.shape, [16, 784]);
    assert.ok(x.min().dataSync()[0] >= 0 && x.max().dataSync()[0] <= 1);
    const logits = D.predict(x) as tf.Tensor;
    assert.deepEqual(logits.shape, [16, 1]);
    tf.dispose([x, logits]);
  });

  it("the toy generator has a linear output (any real number)", () => {
    seed(1);
    const G = buildDenseGenerator({ noiseDim: 4, hidden: [32, 32], outputDim: 1, outputActivation: "linear" });
    const x = generateGanSamples(G, 200);
    assert.deepEqual(x.shape, [200, 1]);
    assert.ok(x.min().dataSync()[0] < 0 || x.max().dataSync()[0] > 1, "not squashed into [0, 1]");
    x.dispose();
  });

  it("strided convolution: same values and gradients as tf.conv2d, with the fast filter gradient", () => {
    seed(2);
    for (const size of [10, 11]) {
      // 11: (H − k) is odd, so the last row of x is never read and must get a zero gradient.
      const x = tf.randomNormal([2, size, size, 3]) as tf.Tensor4D;
      const w = tf.randomNormal([4, 4, 3, 5]) as tf.Tensor4D;
      const probe = tf.randomNormal([2, 4, 4, 5]);
      assert.equal(maxDiff(stridedConv2d(x, w, 2), tf.conv2d(x, w, 2, "valid")), 0);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(stridedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2), probe)))([x, w]);
      const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "valid"), probe)))([x, w]);
      assert.deepEqual(ours[0].shape, x.shape);
      assert.ok(maxDiff(ours[0], theirs[0]) < 1e-4 * (1 + maxAbs(theirs[0])), `∂/∂x, size ${size}`);
      assert.ok(maxDiff(ours[1], theirs[1]) < 1e-4 * (1 + maxAbs(theirs[1])), `∂/∂W, size ${size}`);
      tf.dispose([x, w, probe, ...ours, ...theirs]);
    }
  });

  it("strided transposed convolution: same values and gradients as tf.conv2dTranspose", () => {
    seed(2);
    const x = tf.randomNormal([2, 4, 4, 5]) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 3, 5]) as tf.Tensor4D; // [k, k, out, in]
    const outShape: [number, number, number, number] = [2, 10, 10, 3];
    const probe = tf.randomNormal(outShape);
    const reference = tf.conv2dTranspose(x, w, outShape, 2, "valid");
    assert.ok(maxDiff(conv2dTransposeViaConv(x, w, 2), reference) < 1e-4 * (1 + maxAbs(reference)), "forward");
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(stridedConv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, 2), probe)))([x, w]);
    const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, 2, "valid"), probe)))([x, w]);
    assert.ok(maxDiff(ours[0], theirs[0]) < 1e-4 * (1 + maxAbs(theirs[0])), "∂/∂x");
    assert.ok(maxDiff(ours[1], theirs[1]) < 1e-4 * (1 + maxAbs(theirs[1])), "∂/∂W");
    tf.dispose([x, w, probe, reference, ...ours, ...theirs]);
  });

  it("DCGAN: G maps z to 784 pixels in [0, 1] through 7×7 → 14×14 → 28×28; D gives a logit", () => {
    seed(1);
    const G = buildDcganGenerator({ channels: 16 });
    const D = buildDcganDiscriminator({ channels: 16 });
    const shapes = G.layers.map((l) => (l.outputShape as number[]).slice(1).join("×"));
    assert.ok(shapes.includes("7×7×16") && shapes.includes("14×14×8") && shapes.includes("28×28×1"), shapes.join(", "));
    const x = generateGanSamples(G, 8);
    assert.deepEqual(x.shape, [8, 784]);
    assert.ok(x.min().dataSync()[0] >= 0 && x.max().dataSync()[0] <= 1);
    const logits = D.predict(x) as tf.Tensor;
    assert.deepEqual(logits.shape, [8, 1]);
    tf.dispose([x, logits]);
  });
});
