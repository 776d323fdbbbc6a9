import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import {
  binEdges,
  entropyOfCounts,
  histogramCounts,
  histogramTotalVariation,
  scoreClassProbabilities,
  scoreWithClassifier,
  totalVariationDistance,
} from "../../lib/metrics/sampleQuality";
import { gaussianMixtureBinMass, gaussianMixtureDensity, normalCdf, sampleGaussianMixture, TOY_GAN_MIXTURE } from "../../lib/data/gaussianMixture";
import { assertNear as close } from "../helpers/close";

const oneHot = (cls: number[], classes = 10) => cls.flatMap((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)));

describe("judging GAN samples", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("confident, well-spread predictions: share 1, entropy ln 10, inception score 10", () => {
    const s = scoreClassProbabilities(oneHot([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 10);
    assert.equal(s.confidentShare, 1);
    close(s.classEntropy, Math.log(10), 1e-12, "entropy");
    close(s.inceptionScore, 10, 1e-9, "IS");
    assert.deepEqual(s.classCounts, new Array(10).fill(1));
  });

  it("mode collapse: every sample the same confident class → entropy 0, inception score 1", () => {
    const s = scoreClassProbabilities(oneHot([7, 7, 7, 7]), 10);
    assert.equal(s.classEntropy, 0);
    close(s.inceptionScore, 1, 1e-12, "IS");
    assert.equal(s.classCounts[7], 4);
  });

  it("hand-computed case: two classes, one confident and one unsure sample", () => {
    // rows (2 classes): [0.95, 0.05] and [0.6, 0.4]: marginal [0.775, 0.225]
    const s = scoreClassProbabilities([0.95, 0.05, 0.6, 0.4], 2);
    assert.equal(s.confidentShare, 0.5);
    assert.deepEqual(s.classCounts, [2, 0]);
    assert.equal(s.classEntropy, 0);
    const kl = (p: number[]) => p.reduce((acc, pi, c) => acc + pi * Math.log(pi / [0.775, 0.225][c]), 0);
    close(s.inceptionScore, Math.exp((kl([0.95, 0.05]) + kl([0.6, 0.4])) / 2), 1e-12, "IS");
    close(s.meanConfidence, 0.775, 1e-12, "mean confidence");
    close(entropyOfCounts([1, 1, 2]), -(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5)), 1e-12, "entropy");
  });

  it("scores a classifier's predictions on a batch of images without leaking tensors", () => {
    seed(1);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: "softmax" })] });
    const images = tf.randomUniform([50, 784]);
    const before = tf.memory().numTensors;
    const s = scoreWithClassifier(model, images, { batchSize: 16 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(s.count, 50);
    assert.equal(s.classCounts.reduce((a, b) => a + b, 0), 50);
    assert.ok(s.inceptionScore >= 1 && s.inceptionScore <= 10);
    images.dispose();
  });

  it("histograms count per bin and report what fell outside; TV distance is ½ Σ|p − q|", () => {
    const edges = binEdges(0, 4, 4); // [0, 1, 2, 3, 4]
    assert.deepEqual(edges, [0, 1, 2, 3, 4]);
    const h = histogramCounts([-1, 0, 0.5, 1, 3.99, 4, 7], edges);
    assert.deepEqual(h.counts, [2, 1, 0, 2]);
    assert.equal(h.below, 1);
    assert.equal(h.above, 1);
    assert.equal(totalVariationDistance([1, 1, 0], [0, 1, 1]), 0.5);
    assert.equal(totalVariationDistance([2, 2], [1, 1]), 0, "normalised before comparing");
    assert.equal(totalVariationDistance([1, 0], [0, 1]), 1);
    assert.throws(() => totalVariationDistance([1], [1, 2]), /bins/);
  });

  it("the toy mixture: density integrates to 1, bin masses add up, samples match their histogram (TV small)", () => {
    close(normalCdf(0), 0.5, 1e-7, "Φ(0)");
    close(normalCdf(1.96), 0.975, 1e-4, "Φ(1.96)");
    const xs = Array.from({ length: 4001 }, (_, i) => -10 + i * 0.005);
    const p = gaussianMixtureDensity(TOY_GAN_MIXTURE, xs);
    close(p.reduce((a, b) => a + b, 0) * 0.005, 1, 1e-3, "∫p");
    const edges = binEdges(-6, 6, 48);
    const mass = gaussianMixtureBinMass(TOY_GAN_MIXTURE, edges);
    close(mass.reduce((a, b) => a + b, 0), 1, 1e-4, "mass in [−6, 6]");
    seed(4);
    const samples = sampleGaussianMixture(TOY_GAN_MIXTURE, 20000);
    const tv = histogramTotalVariation(samples, mass, edges);
    assert.ok(tv < 0.03, `real samples vs their own density: TV ${tv}`);
    // A generator stuck on one mode is far away: about the weight of the modes it misses.
    const oneMode = sampleGaussianMixture({ weights: [1], means: [0.5], stds: [0.6] }, 20000);
    assert.ok(histogramTotalVariation(oneMode, mass, edges) > 0.5);
    // Samples off the edges are not ignored: they count as an "outside" bin.
    assert.ok(histogramTotalVariation(new Float32Array(1000).fill(50), mass, edges) > 0.99);
  });

  it("rejects a malformed mixture", () => {
    assert.throws(() => sampleGaussianMixture({ weights: [0.5, 0.6], means: [0, 1], stds: [1, 1] }, 3), /sum to 1/);
    assert.throws(() => gaussianMixtureDensity({ weights: [1], means: [0, 1], stds: [1] }, [0]), /equal/);
  });
});
