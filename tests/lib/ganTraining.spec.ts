import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { loadMnist } from "../../lib/data/mnist";
import { buildDenseDiscriminator, buildDenseGenerator } from "../../lib/models/gan";
import { buildDcganDiscriminator, buildDcganGenerator } from "../../lib/models/dcgan";
import { changedWeightValues, GanTrainer, holdThenDecay, mnistRealBatches, snapshotWeights, trainableVariables, trainGan, weightsIdentical } from "../../lib/train/ganTraining";
import { sampleGaussianMixture, TOY_GAN_MIXTURE } from "../../lib/data/gaussianMixture";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function toyPair(noiseDim = 4) {
  return {
    generator: buildDenseGenerator({ noiseDim, hidden: [16], outputDim: 1, outputActivation: "linear" }),
    discriminator: buildDenseDiscriminator({ inputDim: 1, hidden: [16] }),
  };
}
const toyReal = (n: number) => tf.tensor2d(sampleGaussianMixture(TOY_GAN_MIXTURE, n), [n, 1]);

describe("alternating GAN training", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  for (const kind of ["dense", "dcgan"] as const) {
    it(`${kind}: a D step leaves G's weights bit for bit, a G step leaves D's; the stepping side moves`, () => {
      seed(5);
      const generator = kind === "dense" ? buildDenseGenerator({ hidden: [32] }) : buildDcganGenerator({ channels: 8 });
      const discriminator = kind === "dense" ? buildDenseDiscriminator({ hidden: [32] }) : buildDcganDiscriminator({ channels: 8 });
      const trainer = new GanTrainer({ generator, discriminator });
      const real = tf.randomUniform([16, 784]);

      const g0 = snapshotWeights(generator);
      const d0 = snapshotWeights(discriminator);
      trainer.discriminatorStep(real);
      const g1 = snapshotWeights(generator);
      const d1 = snapshotWeights(discriminator);
      assert.ok(weightsIdentical(g0, g1), "G changed during the D step");
      assert.equal(changedWeightValues(g0, g1), 0);
      assert.ok(changedWeightValues(d0, d1) > 0, "D did not move in its own step");

      trainer.generatorStep(16);
      const g2 = snapshotWeights(generator);
      const d2 = snapshotWeights(discriminator);
      assert.ok(weightsIdentical(d1, d2), "D changed during the G step");
      assert.ok(changedWeightValues(g1, g2) > 0, "G did not move in its own step");
      trainer.dispose();
      real.dispose();
    });
  }

  it("hands each optimiser only its own side's variables", () => {
    const { generator, discriminator } = toyPair();
    const g = new Set(trainableVariables(generator).map((v) => v.name));
    const d = trainableVariables(discriminator).map((v) => v.name);
    assert.equal(g.size, 4);
    assert.equal(d.length, 4);
    assert.ok(d.every((name) => !g.has(name)));
  });

  it("leaks no tensors across alternating steps (dense and DCGAN)", () => {
    seed(6);
    for (const [generator, discriminator] of [
      [buildDenseGenerator({ hidden: [32] }), buildDenseDiscriminator({ hidden: [32] })],
      [buildDcganGenerator({ channels: 8 }), buildDcganDiscriminator({ channels: 8 })],
    ]) {
      const trainer = new GanTrainer({ generator, discriminator, noise: "uniform" });
      const real = tf.randomUniform([8, 784]);
      trainer.step(real); // Adam creates its moment variables on the first step
      const before = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) trainer.step(real);
      assert.equal(tf.memory().numTensors, before, `${generator.name}: tensors grew over 10 rounds`);
      assert.equal(trainer.history.dLoss.length, 11);
      trainer.dispose();
      real.dispose();
    }
  });

  it("D steps alone (G frozen) push L_D well below 2 ln 2 and D(x) above D(G(z))", () => {
    seed(7);
    const trainer = new GanTrainer({ ...toyPair(), learningRate: 5e-3 });
    const first = [];
    const last = [];
    for (let i = 0; i < 150; i++) {
      const real = toyReal(128);
      const s = trainer.discriminatorStep(real);
      real.dispose();
      if (i < 5) first.push(s.dLoss);
      if (i >= 145) last.push(s);
    }
    assert.ok(Math.abs(mean(first) - 2 * Math.LN2) < 0.35, `starts near 2 ln 2, got ${mean(first)}`);
    assert.ok(mean(last.map((s) => s.dLoss)) < 0.9, `L_D after 150 D steps: ${mean(last.map((s) => s.dLoss))}`);
    assert.ok(mean(last.map((s) => s.dReal)) > mean(last.map((s) => s.dFake)) + 0.2, "D tells real from fake");
    trainer.dispose();
  });

  it("G steps alone (D frozen) push the non-saturating G loss down", () => {
    seed(8);
    const trainer = new GanTrainer({ ...toyPair(), learningRate: 5e-3 });
    for (let i = 0; i < 100; i++) {
      const real = toyReal(128);
      trainer.discriminatorStep(real); // a D that has learned something to fool
      real.dispose();
    }
    const losses: number[] = [];
    for (let i = 0; i < 100; i++) losses.push(trainer.generatorStep(128).gLoss);
    assert.ok(mean(losses.slice(-10)) < mean(losses.slice(0, 10)) - 0.2, `G loss ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
    trainer.dispose();
  });

  it("keeps an exponential moving average of G's weights in a second generator: θ̄ ← d·θ̄ + (1 − d)·θ", () => {
    seed(10);
    const { generator, discriminator } = toyPair();
    const averaged = toyPair().generator;
    const trainer = new GanTrainer({ generator, discriminator, averagedGenerator: averaged, averageDecay: 0.9, learningRate: 1e-2 });
    const start = generator.getWeights().map((w) => w.dataSync().slice());
    assert.ok(averaged.getWeights().every((w, i) => w.dataSync().every((v, k) => v === start[i][k])), "the average starts at G");
    const real = toyReal(64);
    trainer.discriminatorStep(real);
    trainer.generatorStep(64);
    const now = generator.getWeights().map((w) => w.dataSync());
    averaged.getWeights().forEach((w, i) => {
      const got = w.dataSync();
      got.forEach((v, k) => assert.ok(Math.abs(v - (0.9 * start[i][k] + 0.1 * now[i][k])) < 1e-6, `weight ${i}[${k}]`));
    });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) trainer.step(real);
    assert.equal(tf.memory().numTensors, before, "the averaging leaks tensors");
    const s = trainer.sampleAveraged(7);
    assert.deepEqual(s.shape, [7, 1]);
    tf.dispose([s, real]);
    assert.throws(() => new GanTrainer({ generator, discriminator, averagedGenerator: buildDenseGenerator({ noiseDim: 4, hidden: [8], outputDim: 1 }) }), /do not match/);
    trainer.dispose();
  });

  it("setLearningRate changes both sides' step size (a decay schedule), holdThenDecay holds then falls linearly", () => {
    const trainer = new GanTrainer({ ...toyPair(), learningRate: 1e-3 });
    assert.equal(trainer.learningRate, 1e-3);
    trainer.setLearningRate(2e-4);
    assert.equal(trainer.learningRate, 2e-4);
    assert.throws(() => trainer.setLearningRate(0), /> 0/);
    const schedule = holdThenDecay(1e-3, 1e-5, 101, 0.5);
    assert.equal(schedule(0), 1e-3);
    assert.equal(schedule(49), 1e-3);
    assert.ok(Math.abs(schedule(100) - 1e-5) < 1e-12);
    assert.ok(schedule(75) < 1e-3 && schedule(75) > 1e-5);
    trainer.dispose();
  });

  it("trainGan runs rounds on MNIST batches, records history and evaluations", async () => {
    seed(9);
    const set = loadMnist("train", { limit: 256 });
    const trainer = new GanTrainer({ generator: buildDenseGenerator({ hidden: [32] }), discriminator: buildDenseDiscriminator({ hidden: [32] }) });
    const next = mnistRealBatches(set, 32);
    const first = next();
    assert.deepEqual(first.shape, [32, 784]);
    first.dispose();
    // One round first: it creates Adam's moment variables (and, in a fresh process, the backend's
    // cached constants), which stay. After it, training must leave the tensor count flat.
    await trainGan(trainer, { steps: 1, nextReal: next, quiet: true });
    const before = tf.memory().numTensors;
    const history = await trainGan(trainer, { steps: 12, nextReal: next, quiet: true, evalEvery: 5, evaluate: (round) => ({ round }) });
    assert.deepEqual(history.evals.map((e) => e.round), [5, 10, 12]);
    assert.equal(trainer.history.gLoss.length, 13);
    assert.ok(trainer.history.dReal.every((p) => p > 0 && p < 1));
    assert.equal(tf.memory().numTensors - before, 0, `tensors grew by ${tf.memory().numTensors - before}`);
    trainer.dispose();
  });
});
