import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { mulberry32, seed } from "../../lib/seed";
import { BertClassifier, MiniBert } from "../../lib/models/bert";
import { bertBatch, disposeBertBatch, packSegments } from "../../lib/text/bertInputs";
import { WordPieceTokenizer } from "../../lib/text/wordPiece";
import { writeCheckpoint } from "../../tools/train/checkpoint";
import { maxAbsDifference } from "../helpers/close";
import {
  classifierAccuracy,
  disposePretrainingBatch,
  evaluatePretraining,
  fineTuneClassifier,
  makePretrainingBatch,
  pretrainStep,
  PretrainingStream,
} from "../../lib/train/bertTraining";

const SENTENCES = [
  "the cat sat on the mat.",
  "my cat is great.",
  "she loves food.",
  "the whale swam in the sea.",
  "the ship sailed on the sea.",
  "the dog ate the food.",
  "a man saw the whale.",
  "the sea is big and cold.",
];

describe("mini-BERT", function () {
  this.timeout(120000);
  let tok: WordPieceTokenizer;
  const small = { maxLength: 24, dModel: 32, numLayers: 1, numHeads: 2, dropout: 0 };

  before(async () => {
    await initBackend({ quiet: true });
    seed(1);
    tok = WordPieceTokenizer.train(SENTENCES.flatMap((s) => [s, s]), { vocabSize: 90 });
  });

  it("embeds a token as token row + position row + segment row", () => {
    const model = new MiniBert({ vocabSize: tok.size, ...small });
    const row = packSegments(tok, "my cat is great", "she loves food", 16);
    const position = row.ids.indexOf(tok.idOf("great")!);
    assert.ok(position > 0 && row.segments[position] === 0);
    const parts = model.embeddingParts(row.ids, row.segments, position);
    const E = model.tokenEmbedding.arraySync() as number[][];
    const P = model.positionEmbedding.arraySync() as number[][];
    const S = model.segmentEmbedding.arraySync() as number[][];
    for (let j = 0; j < small.dModel; j++) {
      assert.ok(Math.abs(parts.token[j] - E[row.ids[position]][j]) < 1e-7);
      assert.ok(Math.abs(parts.position[j] - P[position][j]) < 1e-7);
      assert.ok(Math.abs(parts.segment[j] - S[0][j]) < 1e-7);
      assert.ok(Math.abs(parts.sum[j] - (E[row.ids[position]][j] + P[position][j] + S[0][j])) < 1e-6);
    }
    // The same token in the second segment gets the other segment row.
    const second = packSegments(tok, "she loves food", "my cat is great", 16);
    const p2 = second.ids.indexOf(tok.idOf("great")!);
    const parts2 = model.embeddingParts(second.ids, second.segments, p2);
    for (let j = 0; j < small.dModel; j++) assert.ok(Math.abs(parts2.segment[j] - S[1][j]) < 1e-7);
    model.dispose();
  });

  it("gives hidden [b, t, d], MLM logits [n, vocab], NSP and classifier logits [b, 2]; padding does not change real tokens", () => {
    const model = new MiniBert({ vocabSize: tok.size, ...small });
    const rows = [packSegments(tok, "my cat is great", "she loves food", 16), packSegments(tok, "the sea", null, 16)];
    const batch = bertBatch(rows);
    const hidden = model.encode(batch);
    assert.deepEqual(hidden.shape, [2, 16, 32]);
    const logits = model.mlmLogits(hidden, [1, 2, 16 + 1]);
    assert.deepEqual(logits.shape, [3, tok.size]);
    const nsp = model.nspLogits(model.pool(hidden));
    assert.deepEqual(nsp.shape, [2, 2]);
    const clf = new BertClassifier(model);
    const c = clf.logits(batch);
    assert.deepEqual(c.shape, [2, 2]);
    // Same rows padded to 20: the outputs at real positions must not move.
    const longer = bertBatch([packSegments(tok, "my cat is great", "she loves food", 20), packSegments(tok, "the sea", null, 20)]);
    const h2 = model.encode(longer);
    const n = rows[1].mask.reduce((a, b) => a + b, 0);
    const diff = maxAbsDifference(hidden.slice([1, 0, 0], [1, n, 32]), h2.slice([1, 0, 0], [1, n, 32]));
    assert.ok(diff < 1e-4, `padding changed real outputs by ${diff}`);
    tf.dispose([hidden, logits, nsp, c, h2]);
    disposeBertBatch(batch);
    disposeBertBatch(longer);
    clf.dispose();
  });

  it("frees every tensor it made when disposed", () => {
    const before = tf.memory().numTensors;
    const model = new MiniBert({ vocabSize: tok.size, ...small });
    const copy = model.clone();
    new BertClassifier(copy).dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("lowers the masked-LM loss in a short pre-training run, without leaking tensors", () => {
    seed(2);
    const model = new MiniBert({ vocabSize: tok.size, ...small });
    const stream = new PretrainingStream(tok, SENTENCES, 24);
    const evalBatches = [stream.next(32, mulberry32(5))];
    const before = evaluatePretraining(model, evalBatches).mlmLoss;
    const optimizer = tf.train.adam(3e-3);
    pretrainStep(model, optimizer, stream.next(16)); // creates Adam's slots
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) pretrainStep(model, optimizer, stream.next(16));
    assert.equal(tf.memory().numTensors, tensors, "tensor count grew across pre-training steps");
    const after = evaluatePretraining(model, evalBatches).mlmLoss;
    assert.ok(after < before - 0.5, `MLM loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
    evalBatches.forEach(disposePretrainingBatch);
    optimizer.dispose();
    model.dispose();
  });

  it("builds pre-training batches whose labels are the unmasked tokens", () => {
    const p = makePretrainingBatch(tok, [{ a: "my cat is great", b: "she loves food", isNext: true }], 16, { rng: mulberry32(1), rate: 0.5 });
    const original = packSegments(tok, "my cat is great", "she loves food", 16).ids;
    const labels = Array.from(p.mlmLabels.dataSync());
    Array.from(p.flatPositions).forEach((pos, i) => assert.equal(labels[i], original[pos]));
    assert.deepEqual(Array.from(p.nspLabels!.dataSync()), [1]);
    disposePretrainingBatch(p);
  });

  it("fine-tunes a classifier on a toy task, and saves/loads a checkpoint exactly", async () => {
    seed(3);
    const model = new MiniBert({ vocabSize: tok.size, ...small });
    const data = SENTENCES.flatMap((s) => [{ text: s, label: s.includes("sea") ? 1 : 0 }]);
    const clf = new BertClassifier(model);
    const tensors = tf.memory().numTensors;
    const losses = await fineTuneClassifier(clf, tok, data, { epochs: 30, batchSize: 8, learningRate: 3e-3, maxLength: 16 });
    assert.equal(tf.memory().numTensors, tensors, "fine-tuning leaked tensors");
    assert.ok(losses[losses.length - 1] < losses[0], `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    assert.equal(classifierAccuracy(clf, tok, data, 16), 1);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-"));
    writeCheckpoint(dir, model.checkpointFiles());
    assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "weights.bin"], "the checkpoint's files, and no temporary file left");
    const loaded = MiniBert.load(dir);
    const batch = bertBatch([packSegments(tok, "my cat is great", "she loves food", 16)]);
    const d = maxAbsDifference(model.encode(batch), loaded.encode(batch));
    assert.equal(d, 0);
    disposeBertBatch(batch);
    loaded.dispose();
    clf.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});
