/**
 * The project's training command for the GAN lecture's shipped checkpoints:
 *
 *   npm run train:gan -- classifier            MNIST classifier  → checkpoints/classifier/
 *   npm run train:gan -- gan [--samples N]     dense MNIST GAN   → checkpoints/gan/dense/  (generator only)
 *
 * Options: --seed N (default 7), --samples N (GAN training images, default 2,000,000; rounds = N / 128),
 * --epochs N (classifier, default 10). Each run writes recipe.json beside its weights: seed, steps, the exact
 * command, wall-clock time, backend and the figures it reached, so that the lecture can say where its
 * numbers come from and anyone can re-create them.
 */
import * as path from "path";
import { defineCommand, positiveNumber, REPO_ROOT, runCommand, UsageError, type ParsedValues } from "@ts-course/cli";
import { cpuSecondsSince, gitCommit, machineLoad } from "./recipe";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { loadMnist } from "../../lib/data/mnist";
import { buildMnistClassifier, mnistClassifierAccuracy } from "../../lib/models/classifier";
import { trainMnistClassifier } from "../../lib/train/classifierTraining";
import { buildDenseDiscriminator, buildDenseGenerator } from "../../lib/models/gan";
import { GanTrainer, mnistRealBatches, trainGan } from "../../lib/train/ganTraining";
import { scoreWithClassifier } from "../../lib/metrics/sampleQuality";
import { layersModelFiles, loadLayersModelFromDir } from "../../lib/models/saveLoad";
import { writeCheckpoint, writeRecipe } from "./checkpoint";

export const CLASSIFIER_DIR = path.join(REPO_ROOT, "checkpoints/classifier");
export const DENSE_GAN_DIR = path.join(REPO_ROOT, "checkpoints/gan/dense");

const command = defineCommand({
  name: "npm run train:gan",
  summary: "train the GAN lecture's shipped checkpoints: the MNIST classifier (its judge) or the dense GAN",
  usage: "classifier|gan [options]",
  options: {
    seed: { type: "string", value: "n", help: "seed (default 7)" },
    samples: { type: "string", value: "n", help: "gan: training images (default 2,000,000; rounds = n / 128)" },
    epochs: { type: "string", value: "n", help: "classifier: epochs (default 10)" },
  },
  positionals: { min: 1, max: 1 },
});

type Values = ParsedValues<typeof command.spec.options>;

/** Machine and load, and this process's CPU seconds since `start`. */
function machine(start: NodeJS.CpuUsage): Record<string, unknown> {
  return { ...machineLoad(), cpuSecondsOfThisProcess: Math.round(cpuSecondsSince(start)) };
}

async function trainClassifier(values: Values): Promise<void> {
  const seedValue = positiveNumber(values.seed, "seed") ?? 7;
  const epochs = positiveNumber(values.epochs, "epochs") ?? 10;
  const backend = await initBackend();
  seed(seedValue);
  const train = loadMnist("train");
  const test = loadMnist("test");
  const model = buildMnistClassifier();
  const batchSize = 128;
  const steps = Math.floor(train.count / batchSize) * epochs;
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  await trainMnistClassifier(model, train, { steps, batchSize, label: "classifier" });
  const seconds = (Date.now() - started) / 1000;
  const accuracy = mnistClassifierAccuracy(model, test);
  writeCheckpoint(CLASSIFIER_DIR, await layersModelFiles(model));
  writeRecipe(CLASSIFIER_DIR, {
    what: "MNIST classifier 784-256-10 (ReLU, dropout 0.2, softmax), Adam 1e-3, batch 128, sparse cross-entropy",
    command: `npm run train:gan -- classifier --seed ${seedValue} --epochs ${epochs}`,
    seed: seedValue,
    steps,
    batchSize,
    epochs,
    seconds: Math.round(seconds),
    machine: machine(cpuStart),
    backend: backend.summary,
    commit: gitCommit(),
    date: new Date().toISOString(),
    figures: { testAccuracy: accuracy },
  }, 2);
  console.log(`classifier: test accuracy ${accuracy.toFixed(4)} after ${steps} steps (${seconds.toFixed(0)} s) → ${CLASSIFIER_DIR}`);
}

async function trainDenseGan(values: Values): Promise<void> {
  const seedValue = positiveNumber(values.seed, "seed") ?? 7;
  const samples = positiveNumber(values.samples, "samples") ?? 2_000_000;
  const batchSize = 128;
  const steps = Math.round(samples / batchSize);
  const evalEvery = Math.max(1, Math.round(steps / 20));
  const backend = await initBackend();
  const classifier = await loadLayersModelFromDir(CLASSIFIER_DIR).catch(() => {
    throw new Error(`No classifier in ${CLASSIFIER_DIR}: run \`npm run train:gan -- classifier\` first`);
  });
  seed(seedValue);
  const train = loadMnist("train");
  const generator = buildDenseGenerator(); // G 100-256-784, sigmoid pixels
  const discriminator = buildDenseDiscriminator(); // D 784-256-1
  const trainer = new GanTrainer({ generator, discriminator, noise: "gaussian", generatorLoss: "non-saturating", learningRate: 2e-4, beta1: 0.5 });
  const progress: Record<string, number>[] = [];
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  const history = await trainGan(trainer, {
    steps,
    nextReal: mnistRealBatches(train, batchSize),
    label: "dense GAN",
    evalEvery,
    evaluate: (round) => {
      const fakes = trainer.sample(2000);
      const s = scoreWithClassifier(classifier, fakes);
      fakes.dispose();
      const row = { samples: round * batchSize, confidentShare: s.confidentShare, classEntropy: s.classEntropy, inceptionScore: s.inceptionScore };
      progress.push(row);
      return { confident: s.confidentShare, entropy: s.classEntropy, IS: s.inceptionScore };
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const fakes = trainer.sample(10000);
  const final = scoreWithClassifier(classifier, fakes);
  fakes.dispose();
  writeCheckpoint(DENSE_GAN_DIR, await layersModelFiles(generator));
  // Loss curves averaged over windows of 50 rounds: small enough to ship, fine enough to plot.
  const window = 50;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const curves: Record<string, number[]> = { dLoss: [], gLoss: [], dReal: [], dFake: [] };
  for (const key of Object.keys(curves) as (keyof typeof trainer.history)[]) {
    const xs = trainer.history[key];
    for (let i = 0; i < xs.length; i += window) curves[key].push(Number(mean(xs.slice(i, i + window)).toFixed(4)));
  }
  writeRecipe(path.dirname(DENSE_GAN_DIR), {
    what: "dense GAN: G 100-256-784 (LeakyReLU 0.2, sigmoid pixels), D 784-256-1 (LeakyReLU 0.2), Gaussian z, non-saturating loss, Adam 2e-4 β1 0.5 for each side, batch 128; generator weights in dense/",
    command: `npm run train:gan -- gan --seed ${seedValue} --samples ${samples}`,
    seed: seedValue,
    steps,
    batchSize,
    trainingSamples: steps * batchSize,
    seconds: Math.round(seconds),
    samplesPerSecond: Math.round((steps * batchSize) / history.seconds),
    machine: machine(cpuStart),
    backend: backend.summary,
    commit: gitCommit(),
    date: new Date().toISOString(),
    scoredBy: "checkpoints/classifier (see its recipe.json), 10,000 samples",
    figures: { confidentShare: final.confidentShare, classEntropy: final.classEntropy, inceptionScore: final.inceptionScore, classCounts: final.classCounts },
    progress,
    curvesWindow: window,
    curves,
  }, 2);
  console.log(
    `dense GAN: ${(100 * final.confidentShare).toFixed(1)}% confident, class entropy ${final.classEntropy.toFixed(3)} nats, ` +
      `IS ${final.inceptionScore.toFixed(2)} after ${steps * batchSize} samples (${seconds.toFixed(0)} s) → ${DENSE_GAN_DIR}`,
  );
  trainer.dispose();
}

if (require.main === module) {
  runCommand(command, async ({ values, positionals: [what] }) => {
    if (what === "classifier") await trainClassifier(values);
    else if (what === "gan") await trainDenseGan(values);
    else throw new UsageError(`train classifier or gan, not "${what}" (see --help)`);
    return 0;
  });
}
