/**
 * The training runs of lecture 2022-10-29 part 2, section 7, as functions: a short live MLM + NSP
 * pre-training, "fine-tune then score" for one classifier, and the three-seed transfer comparison.
 * The notebook keeps the choices (data, seeds, recipes) and the reading of the figures.
 */
import type { MiniBert, BertClassifier } from "../models/bert";
import type { WordPieceTokenizer } from "../text/wordPiece";
import { scaledSteps } from "../config";
import { seed } from "../seed";
import { trainTestSplit } from "../data/batches";
import { adam } from "./adam";
import { trainLoop } from "./loop";
import { Progress } from "./progress";
import { setOptimizerLearningRate } from "./lrSchedule";
import { PretrainingStream, pretrainStep, warmupLinearDecay, fineTuneClassifier, classifierAccuracy, LabelledText } from "./bertTraining";

/** A few steps of MLM + NSP pre-training under the command's schedule (warm-up, then linear decay), compressed. */
export async function livePretraining(model: MiniBert, stream: PretrainingStream, options: { steps: number; batchSize: number; peak: number; warmupSteps: number }): Promise<{ mlm: number[]; nsp: number[]; seconds: number }> {
  const optimizer = adam(options.peak);
  const mlm: number[] = [], nsp: number[] = [];
  try {
    const history = await trainLoop({
      steps: options.steps,
      label: "live pre-training (MLM + NSP)",
      step: (i) => {
        setOptimizerLearningRate(optimizer, warmupLinearDecay(i, options.steps, options.peak, options.warmupSteps));
        const r = pretrainStep(model, optimizer, stream.next(options.batchSize));
        mlm.push(r.mlm);
        nsp.push(r.nsp);
        return r.loss;
      },
    });
    return { mlm, nsp, seconds: history.seconds };
  } finally {
    optimizer.dispose();
  }
}

export interface FineTuneRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  maxLength: number;
}

/** Fine-tunes `classifier` on `train` (epochs scaled by COURSE_TRAIN_SCALE), scores it on `test`, disposes it. */
export async function fineTuneAndScore(classifier: BertClassifier, tokenizer: WordPieceTokenizer, train: readonly LabelledText[], test: readonly LabelledText[], recipe: FineTuneRecipe, label: string): Promise<number> {
  const steps = scaledSteps(recipe.epochs * Math.ceil(train.length / recipe.batchSize));
  const progress = new Progress(steps, { label: `${label}, ${train.length} labels` });
  await fineTuneClassifier(classifier, tokenizer, train, {
    steps, batchSize: recipe.batchSize, learningRate: recipe.learningRate, maxLength: recipe.maxLength,
    onStep: (done, _total, loss) => progress.set(done, { loss }),
  });
  const accuracy = classifierAccuracy(classifier, tokenizer, test, recipe.maxLength);
  classifier.dispose({ keepEncoder: false });
  return accuracy;
}

export interface TransferRun {
  seed: number;
  scratch: number;
  transferred: number;
}

/**
 * For each seed: draw `labels` stratified labelled sentences from `pool`, fine-tune a model from
 * scratch and one from the source checkpoint on them with the same recipe, score both on `test`.
 */
export async function transferComparison(
  options: { seeds: number[]; labels: number; pool: readonly LabelledText[]; test: readonly LabelledText[]; tokenizer: WordPieceTokenizer; recipe: FineTuneRecipe },
  makeScratch: () => BertClassifier,
  loadSource: () => BertClassifier,
): Promise<TransferRun[]> {
  const runs: TransferRun[] = [];
  for (const runSeed of options.seeds) {
    seed(800 + runSeed);
    const labelled = trainTestSplit(options.pool, options.labels / options.pool.length, { stratify: (s) => s.label }).test;
    const run: TransferRun = { seed: runSeed, scratch: NaN, transferred: NaN };
    for (const kind of ["scratch", "transferred"] as const) {
      seed(900 + runSeed);
      const classifier = kind === "scratch" ? makeScratch() : loadSource();
      run[kind] = await fineTuneAndScore(classifier, options.tokenizer, labelled, options.test, options.recipe, `seed ${runSeed}, ${kind}`);
    }
    runs.push(run);
  }
  return runs;
}
