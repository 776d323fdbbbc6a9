import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed, unseed, mulberry32 } from "../../lib/seed";
import { numberTranslationData, NUMBER_WORDS, Seq2SeqVocab } from "../../lib/data/translation";
import { Seq2SeqTransformer } from "../../lib/models/seq2seq";
import { translationBatch, translatePairs, exactMatch, trainTranslator } from "../../lib/train/translationTraining";
import { trainOnWindows } from "../../lib/train/languageModelTraining";

/** The training loops moved out of lecture 2022-10-29's cells (lib/train/translationTraining.ts, languageModelTraining.ts). */
describe("lecture training loops (translation, language-model windows)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });
  after(() => unseed());

  it("translation: padded batches, greedy translations, exact match, and a short run that lowers the loss without leaking tensors", async () => {
    seed(8);
    const data = numberTranslationData({ maxValue: 99, rng: mulberry32(3) });
    const task = { source: new Seq2SeqVocab(NUMBER_WORDS), target: new Seq2SeqVocab("0123456789".split("")), sourceLength: 3, targetLength: 3 };
    const b = translationBatch(task, data.train.slice(0, 4));
    assert.deepEqual([b.source.shape, b.targetIn.shape, b.targetOut.shape], [[4, 3], [4, 3], [4, 3]]);
    assert.equal((b.targetIn.arraySync() as number[][])[0][0], 1, "decoder input starts with [BOS] (id 1)");
    tf.dispose([b.source, b.targetIn, b.targetOut]);
    const translator = new Seq2SeqTransformer({ sourceVocabSize: task.source.size, targetVocabSize: task.target.size, maxSourceLen: 3, maxTargetLen: 3, dModel: 16, numHeads: 2, ffDim: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0 });
    translator.trainableVariables; // build
    const before = tf.memory().numTensors;
    const history = await trainTranslator(translator, task, data.train, { steps: 60, batchSize: 32, peakLearningRate: 1e-2, warmupSteps: 5, checkPairs: data.test.slice(0, 5), evalEvery: 30, quiet: true });
    assert.equal(tf.memory().numTensors, before, "tensors leaked by training");
    const early = history.losses.slice(0, 5).reduce((a, c) => a + c, 0) / 5, late = history.losses.slice(-5).reduce((a, c) => a + c, 0) / 5;
    assert.ok(late < 0.7 * early, `loss ${early} → ${late}`);
    assert.equal(history.evals.length, 2);
    const outs = translatePairs(translator, task, data.test.slice(0, 5));
    assert.equal(outs.length, 5);
    const score = exactMatch(translator, task, data.test);
    assert.ok(score >= 0 && score <= 1);
    assert.equal(tf.memory().numTensors, before, "tensors leaked by decoding");
  });

  it("language-model windows: the loss comes back in bits (nats ÷ ln 2), with the characters seen", async () => {
    seed(1);
    const text = Int32Array.from({ length: 500 }, (_, i) => i % 7);
    const shapes: number[][] = [];
    const run = await trainOnWindows(text, (inputs, targets) => { shapes.push(inputs.shape, targets.shape); return Math.LN2 * 3; }, { steps: 4, batchSize: 5, window: 16, quiet: true });
    assert.deepEqual(run.losses, [3, 3, 3, 3]);
    assert.equal(run.characters, 4 * 5 * 16);
    assert.deepEqual(shapes[0], [5, 16]);
    assert.deepEqual(shapes[1], [5, 16]);
  });
});
