import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { seed } from "../../../lib/seed";
import { loadMnist } from "../../../lib/data/mnist";
import { generateShapes } from "../../../lib/data/shapes";
import { denseAutoencoder } from "../../../lib/models/autoencoder";
import { variationalAutoencoder } from "../../../lib/models/vae";
import { smallUNet } from "../../../lib/models/unet";
import { trainAutoencoder, reconstructionErrors, encodeAll } from "../../../lib/train/autoencoderTraining";
import { trainVae, evaluateElbo, decodeLatentGrid, vaeMeans } from "../../../lib/train/vaeTraining";
import { trainSegmentation, predictMasks } from "../../../lib/train/segmentationTraining";

const head = (xs: number[], n = 5) => xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
const tail = (xs: number[], n = 5) => xs.slice(-n).reduce((a, b) => a + b, 0) / n;

describe("autoencoder training (short runs)", function () {
  this.timeout(120000);
  const train = () => loadMnist("train", { limit: 2000 });

  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
  });

  it("a dense autoencoder lowers its loss and test error, without leaking tensors across steps", async () => {
    seed(0);
    const data = train();
    const ae = denseAutoencoder({ hiddenSizes: [64, 16] });
    const before = reconstructionErrors(ae, { images: data.images.subarray(0, 200 * 784), count: 200 }).mean;
    const counts: number[] = [];
    const h = await trainAutoencoder(ae, data, { steps: 60, batchSize: 64, quiet: true, evalEvery: 10, evaluate: () => (counts.push(tf.memory().numTensors), {}) });
    assert.ok(tail(h.losses) < 0.8 * head(h.losses), `loss ${head(h.losses)} → ${tail(h.losses)}`);
    const after = reconstructionErrors(ae, { images: data.images.subarray(0, 200 * 784), count: 200 }).mean;
    assert.ok(after < before, `MSE ${before} → ${after}`);
    assert.equal(new Set(counts).size, 1, `tensors per step: ${counts}`);
    ae.dispose();
  });

  it("the sparsity penalty lowers the code's mean |activation|", async () => {
    const meanAbs = async (lambda: number) => {
      seed(1);
      const data = train();
      const ae = denseAutoencoder({ hiddenSizes: [64, 32] });
      await trainAutoencoder(ae, data, { steps: 50, batchSize: 64, sparsityLambda: lambda, quiet: true });
      const codes = encodeAll(ae, { images: data.images.subarray(0, 200 * 784), count: 200 });
      ae.dispose();
      return codes.reduce((s, v) => s + Math.abs(v), 0) / codes.length;
    };
    const plain = await meanAbs(0);
    const sparse = await meanAbs(1);
    assert.ok(sparse < 0.5 * plain, `mean |a| ${plain} → ${sparse}`);
  });

  it("denoising training runs on masked inputs and leaks nothing", async () => {
    seed(2);
    const data = train();
    const ae = denseAutoencoder({ hiddenSizes: [64] });
    const counts: number[] = [];
    const h = await trainAutoencoder(ae, data, { steps: 30, batchSize: 64, maskFraction: 0.5, quiet: true, evalEvery: 10, evaluate: () => (counts.push(tf.memory().numTensors), {}) });
    assert.ok(tail(h.losses) < head(h.losses));
    assert.equal(new Set(counts).size, 1, `tensors per step: ${counts}`);
    ae.dispose();
  });

  it("a VAE raises its ELBO, keeps KL > 0, and leaks nothing", async () => {
    seed(3);
    const data = train();
    const vae = variationalAutoencoder({ hiddenSizes: [64], latentSize: 2 });
    const subset = { images: data.images.subarray(0, 300 * 784), count: 300 };
    const start = evaluateElbo(vae, subset).elbo;
    const tensors = tf.memory().numTensors;
    const h = await trainVae(vae, data, { steps: 60, batchSize: 64, quiet: true });
    assert.equal(tf.memory().numTensors, tensors, "no tensors left behind by training");
    const end = evaluateElbo(vae, subset);
    assert.ok(end.elbo > start, `ELBO ${start} → ${end.elbo}`);
    assert.ok(end.kl > 0);
    assert.equal(h.kl.length, 60);
    assert.equal(vaeMeans(vae, subset).length, 600);
    assert.equal(decodeLatentGrid(vae, 4).length, 16 * 784);
    vae.dispose();
  });

  it("a U-Net lowers its segmentation loss and leaks nothing", async () => {
    seed(4);
    const shapes = generateShapes(64, { size: 16 });
    const unet = smallUNet({ size: 16, baseFilters: 4, convsPerLevel: 1 });
    const tensors = tf.memory().numTensors;
    const h = await trainSegmentation(unet, shapes, { steps: 30, batchSize: 16, quiet: true });
    assert.equal(tf.memory().numTensors, tensors);
    assert.ok(tail(h.losses) < 0.8 * head(h.losses), `loss ${head(h.losses)} → ${tail(h.losses)}`);
    const masks = predictMasks(unet, shapes);
    assert.equal(masks.length, 64 * 16 * 16);
    unet.dispose();
  });
});
