/**
 * Training a mini-BERT: pre-training (masked LM + next-sentence prediction), fine-tuning a
 * classifier, and the figures that judge them.
 *
 *   pre-training loss = cross-entropy of the original token at each masked position (mean)
 *                     + cross-entropy of "is b the sentence after a?" (mean over rows)
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "./adam";
import { SentencePair, makeSentencePairs } from "../data/sentencePairs";
import { batchIndices } from "../data/batches";
import { BertClassifier, MiniBert } from "../models/bert";
import { random } from "../seed";
import { BertBatch, bertBatch, disposeBertBatch, packSegments } from "../text/bertInputs";
import { maskTokens, MaskingOptions } from "../text/masking";
import { WordPieceTokenizer } from "../text/wordPiece";
import { minimizeStep } from "./loop";
import { setOptimizerLearningRate } from "./lrSchedule";
import { checkNotEmpty } from "../losses/checks";

export interface PretrainingBatch {
  /** The corrupted rows ([MASK]s in place), segments and padding mask. */
  batch: BertBatch;
  /** Masked positions as row × time + column, and the original tokens there. */
  flatPositions: Int32Array;
  /** [n] int32 */
  mlmLabels: tf.Tensor1D;
  /** [b] int32, 1 = b follows a; null when the rows are single segments (no NSP loss). */
  nspLabels: tf.Tensor1D | null;
  /** How many masked positions used each action (for checking the 80/10/10 split). */
  actions: { mask: number; random: number; keep: number };
}

export type MaskingSettings = Omit<MaskingOptions, "maskId" | "vocabSize" | "isSpecial">;

/** Packs sentence pairs (or single sentences, b = null) and masks them for pre-training. */
export function makePretrainingBatch(
  tokenizer: WordPieceTokenizer,
  pairs: readonly { a: string; b: string | null; isNext?: boolean }[],
  maxLength: number,
  masking: MaskingSettings = {},
): PretrainingBatch {
  const rows = [];
  const positions: number[] = [];
  const labels: number[] = [];
  const actions = { mask: 0, random: 0, keep: 0 };
  for (let i = 0; i < pairs.length; i++) {
    const packed = packSegments(tokenizer, pairs[i].a, pairs[i].b, maxLength);
    const masked = maskTokens(packed.ids, { ...masking, maskId: tokenizer.maskId, vocabSize: tokenizer.size, isSpecial: (id) => tokenizer.isSpecial(id) });
    rows.push({ ...packed, ids: masked.input });
    masked.positions.forEach((p) => positions.push(i * maxLength + p));
    labels.push(...masked.labels);
    masked.actions.forEach((a) => actions[a]++);
  }
  const withNsp = pairs.every((p) => p.b != null && p.isNext != null);
  return {
    batch: bertBatch(rows),
    flatPositions: Int32Array.from(positions),
    mlmLabels: tf.tensor1d(labels, "int32"),
    nspLabels: withNsp ? tf.tensor1d(pairs.map((p) => (p.isNext ? 1 : 0)), "int32") : null,
    actions,
  };
}

export function disposePretrainingBatch(p: PretrainingBatch): void {
  disposeBertBatch(p.batch);
  tf.dispose([p.mlmLabels, ...(p.nspLabels ? [p.nspLabels] : [])]);
}

/** Mean cross-entropy of integer labels under logits [n, classes]. */
export function sparseCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  checkNotEmpty("sparseCrossEntropy", logits);
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar);
}

/** The pre-training losses for one batch (tensors; the caller disposes or minimises). */
export function pretrainingLoss(model: MiniBert, p: PretrainingBatch, training: boolean): { loss: tf.Scalar; mlm: tf.Scalar; nsp: tf.Scalar | null } {
  const hidden = model.encode(p.batch, { training }); // [b, t, d]
  const mlm = sparseCrossEntropy(model.mlmLogits(hidden, p.flatPositions), p.mlmLabels);
  const nsp = p.nspLabels ? sparseCrossEntropy(model.nspLogits(model.pool(hidden)), p.nspLabels) : null;
  return { loss: nsp ? (tf.add(mlm, nsp) as tf.Scalar) : mlm, mlm, nsp };
}

/**
 * Draws pre-training batches from running text: NSP pairs (half consecutive sentences, half a
 * random partner) from `sentences` in reading order, masked afresh each time.
 */
export class PretrainingStream {
  constructor(
    readonly tokenizer: WordPieceTokenizer,
    readonly sentences: readonly string[],
    readonly maxLength = 48,
    readonly masking: MaskingSettings = {},
  ) {
    if (sentences.length < 3) throw new Error(`PretrainingStream needs at least 3 sentences, got ${sentences.length}`);
  }

  next(batchSize: number, rng: () => number = random): PretrainingBatch {
    const pairs: SentencePair[] = makeSentencePairs(this.sentences, batchSize, rng);
    return makePretrainingBatch(this.tokenizer, pairs, this.maxLength, { ...this.masking, rng });
  }
}

export interface StepResult {
  loss: number;
  mlm: number;
  nsp: number;
}

/** One optimiser step of MLM + NSP; returns the losses as numbers. Disposes the batch. */
export function pretrainStep(model: MiniBert, optimizer: tf.Optimizer, p: PretrainingBatch): StepResult {
  let mlmT: tf.Scalar | null = null;
  let nspT: tf.Scalar | null = null;
  const loss = optimizer.minimize(
    () => {
      const out = pretrainingLoss(model, p, true);
      mlmT = tf.keep(out.mlm);
      nspT = out.nsp ? tf.keep(out.nsp) : null;
      return out.loss;
    },
    true,
    model.trainableVariables(),
  )!;
  const result = { loss: loss.dataSync()[0], mlm: mlmT!.dataSync()[0], nsp: nspT ? (nspT as tf.Scalar).dataSync()[0] : NaN };
  tf.dispose([loss, mlmT!, ...(nspT ? [nspT] : [])]);
  disposePretrainingBatch(p);
  return result;
}

export interface MlmEvaluation {
  /** Share of masked positions whose top-scoring token is the original one. */
  maskedAccuracy: number;
  /** Share of rows whose next-sentence guess is right (NaN without pairs). */
  nspAccuracy: number;
  mlmLoss: number;
  maskedCount: number;
}

/** Masked-token and next-sentence accuracy over fixed batches (no dropout). Does not dispose them. */
export function evaluatePretraining(model: MiniBert, batches: readonly PretrainingBatch[]): MlmEvaluation {
  let right = 0;
  let count = 0;
  let nspRight = 0;
  let nspCount = 0;
  let lossSum = 0;
  for (const p of batches) {
    const [predicted, nspPredicted, loss] = tf.tidy(() => {
      const hidden = model.encode(p.batch);
      const logits = model.mlmLogits(hidden, p.flatPositions);
      const nsp = p.nspLabels ? tf.argMax(model.nspLogits(model.pool(hidden)), 1) : tf.zeros([0], "int32");
      return [tf.argMax(logits, 1), nsp, tf.mul(sparseCrossEntropy(logits, p.mlmLabels), p.flatPositions.length)];
    });
    const labels = p.mlmLabels.dataSync();
    const guesses = predicted.dataSync();
    for (let i = 0; i < labels.length; i++) right += Number(guesses[i] === labels[i]);
    count += labels.length;
    lossSum += loss.dataSync()[0];
    if (p.nspLabels) {
      const truth = p.nspLabels.dataSync();
      const g = nspPredicted.dataSync();
      for (let i = 0; i < truth.length; i++) nspRight += Number(g[i] === truth[i]);
      nspCount += truth.length;
    }
    tf.dispose([predicted, nspPredicted, loss]);
  }
  return { maskedAccuracy: right / count, nspAccuracy: nspCount ? nspRight / nspCount : NaN, mlmLoss: lossSum / count, maskedCount: count };
}

/**
 * The unigram baseline for masked tokens: always guess the most frequent ordinary token of the
 * training text. Returns that token and its accuracy on the evaluation batches' masked positions.
 */
export function unigramBaseline(tokenizer: WordPieceTokenizer, trainingText: readonly string[], batches: readonly PretrainingBatch[]): { token: string; accuracy: number } {
  const counts = new Map<number, number>();
  for (const s of trainingText) for (const id of tokenizer.encode(s)) counts.set(id, (counts.get(id) ?? 0) + 1);
  let best = -1;
  let bestCount = -1;
  for (const [id, c] of counts) if (c > bestCount && !tokenizer.isSpecial(id)) [best, bestCount] = [id, c];
  let right = 0;
  let total = 0;
  for (const p of batches) {
    const labels = p.mlmLabels.dataSync();
    for (let i = 0; i < labels.length; i++) right += Number(labels[i] === best);
    total += labels.length;
  }
  return { token: tokenizer.tokenOf(best), accuracy: right / total };
}

/** Linear warm-up over `warmup` steps, then linear decay to 10% at `total` (BERT's schedule, floored). */
export function warmupLinearDecay(step: number, total: number, peak: number, warmup: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const frac = (step - warmup) / Math.max(1, total - warmup);
  return peak * Math.max(0.1, 1 - 0.9 * frac);
}

// ---------------------------------------------------------------- fine-tuning

export interface LabelledText {
  text: string;
  label: number;
}

/**
 * Packs single sentences for classification: "[CLS] text [SEP]", padded only as far as the
 * longest row of this batch needs (at most maxLength): most review sentences are short, and
 * every padded column would cost as much as a real one.
 */
export function classificationBatch(tokenizer: WordPieceTokenizer, items: readonly LabelledText[], maxLength: number): { batch: BertBatch; labels: tf.Tensor1D } {
  const encoded = items.map((it) => tokenizer.encode(it.text));
  const width = Math.min(maxLength, Math.max(3, 2 + Math.max(...encoded.map((ids) => ids.length))));
  return {
    batch: bertBatch(encoded.map((ids) => packSegments(tokenizer, ids, null, width))),
    labels: tf.tensor1d(items.map((it) => it.label), "int32"),
  };
}

export interface FineTuneOptions {
  epochs?: number; // 10
  /** Stop after this many steps instead (e.g. scaledSteps(epochs × batches per epoch) for shortened runs). */
  steps?: number;
  batchSize?: number; // 32
  learningRate?: number; // 5e-4
  maxLength?: number; // 40
  /** Fraction of the steps spent warming the learning rate up (default 0.1). */
  warmupFraction?: number;
  rng?: () => number;
  /** Called after every step (e.g. to move a progress bar). */
  onStep?: (step: number, totalSteps: number, loss: number) => void;
}

/** Fine-tunes every encoder weight and the head on labelled sentences; returns the loss per step. */
export async function fineTuneClassifier(classifier: BertClassifier, tokenizer: WordPieceTokenizer, data: readonly LabelledText[], options: FineTuneOptions = {}): Promise<number[]> {
  if (data.length === 0) throw new Error("fineTuneClassifier: no labelled sentences to train on");
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 32;
  const maxLength = options.maxLength ?? 40;
  const peak = options.learningRate ?? 5e-4;
  const stepsPerEpoch = Math.ceil(data.length / batchSize);
  const total = options.steps ?? epochs * stepsPerEpoch;
  const warmup = Math.max(1, Math.round((options.warmupFraction ?? 0.1) * total));
  const optimizer = adam(peak);
  const variables = classifier.trainableVariables();
  const losses: number[] = [];
  let step = 0;
  let lastYield = Date.now();
  while (step < total) {
    for (const idx of batchIndices(data.length, batchSize, { rng: options.rng })) {
      if (step >= total) break;
      setOptimizerLearningRate(optimizer, warmupLinearDecay(step++, total, peak, warmup));
      const { batch, labels } = classificationBatch(tokenizer, idx.map((i) => data[i]), maxLength);
      losses.push(minimizeStep(optimizer, variables, () => sparseCrossEntropy(classifier.logits(batch, { training: true }), labels)));
      labels.dispose();
      disposeBertBatch(batch);
      options.onStep?.(step, total, losses[losses.length - 1]);
      if (Date.now() - lastYield > 200) {
        await new Promise((resolve) => setImmediate(resolve)); // let a notebook show progress
        lastYield = Date.now();
      }
    }
  }
  optimizer.dispose();
  return losses;
}

/** Share of sentences classified right (no dropout), in batches of 100. */
export function classifierAccuracy(classifier: BertClassifier, tokenizer: WordPieceTokenizer, data: readonly LabelledText[], maxLength = 40): number {
  let right = 0;
  for (let start = 0; start < data.length; start += 100) {
    const part = data.slice(start, start + 100);
    const { batch, labels } = classificationBatch(tokenizer, part, maxLength);
    const predicted = tf.tidy(() => tf.argMax(classifier.logits(batch), 1));
    const g = predicted.dataSync();
    const y = labels.dataSync();
    for (let i = 0; i < y.length; i++) right += Number(g[i] === y[i]);
    tf.dispose([predicted, labels]);
    disposeBertBatch(batch);
  }
  return right / data.length;
}

// ---------------------------------------------------------------- the course's corpora

/** The course tokenizer's recipe: WordPiece on Moby Dick and the 3,000 review sentences' text (no labels), 4,000 entries. */
export function trainCourseTokenizer(mobyDick: string, reviewTexts: readonly string[], vocabSize = 4000): WordPieceTokenizer {
  return WordPieceTokenizer.train([mobyDick, ...reviewTexts], { vocabSize });
}

/**
 * Moby Dick's sentences split for pre-training: the first 90% train, the last 10% are held out
 * to measure masked-token accuracy (a contiguous tail, so no held-out sentence is a neighbour of
 * a training one except at the cut).
 */
export function splitPretrainingSentences(sentences: readonly string[], heldOutFraction = 0.1): { train: string[]; test: string[] } {
  const cut = Math.round(sentences.length * (1 - heldOutFraction));
  return { train: sentences.slice(0, cut), test: sentences.slice(cut) };
}
