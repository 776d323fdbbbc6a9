import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed, mulberry32 } from "../../lib/seed";
import { NUMBER_WORDS, numberToWords, numberTranslationData, Seq2SeqVocab } from "../../lib/data/translation";
import { padIdBatch, Seq2SeqTransformer } from "../../lib/models/seq2seq";

describe("toy translation data and the seq2seq transformer", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(4);
  });

  it("writes numbers in words", () => {
    assert.equal(numberToWords(0), "zero");
    assert.equal(numberToWords(13), "thirteen");
    assert.equal(numberToWords(40), "forty");
    assert.equal(numberToWords(105), "one hundred five");
    assert.equal(numberToWords(4207), "four thousand two hundred seven");
    assert.equal(numberToWords(99999), "ninety nine thousand nine hundred ninety nine");
    assert.throws(() => numberToWords(1.5), /not an integer/);
    for (let n = 0; n < 2000; n += 37) for (const w of numberToWords(n).split(" ")) assert.ok(NUMBER_WORDS.includes(w), w);
  });

  it("splits numbers into disjoint, seeded train and test sets", () => {
    const a = numberTranslationData({ maxValue: 999, rng: mulberry32(1) });
    const b = numberTranslationData({ maxValue: 999, rng: mulberry32(1) });
    assert.equal(a.train.length + a.test.length, 1000);
    assert.equal(a.test.length, 100);
    assert.deepEqual(a.test.map((p) => p.value), b.test.map((p) => p.value));
    const trainValues = new Set(a.train.map((p) => p.value));
    assert.ok(a.test.every((p) => !trainValues.has(p.value)));
    const p = a.train[0];
    assert.equal(p.target.join(""), String(p.value));
    assert.equal(p.source.join(" "), numberToWords(p.value));
  });

  it("vocabulary: specials first, [BOS]/[EOS]/padding, decode stops at [EOS]", () => {
    const v = new Seq2SeqVocab("0123456789".split(""));
    assert.deepEqual(v.tokens.slice(0, 3), ["[PAD]", "[BOS]", "[EOS]"]);
    const ids = v.encode(["4", "2"], { bos: true, eos: true, length: 6 });
    assert.deepEqual(ids, [1, v.id("4"), v.id("2"), 2, 0, 0]);
    assert.deepEqual(v.decode(ids), ["4", "2"]);
    assert.throws(() => v.encode(["x"]), /unknown token "x"/);
    assert.throws(() => v.encode(["1", "2"], { length: 1 }), /do not fit/);
  });

  it("the model gives [b, tt, vocab] logits, learns a tiny copy task (loss falls), decodes greedily, no leaks", () => {
    const model = new Seq2SeqTransformer({ sourceVocabSize: 8, targetVocabSize: 8, maxSourceLen: 4, maxTargetLen: 5, dModel: 16, numHeads: 2, ffDim: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0 });
    // copy task: target = source (ids 3..7), with [BOS]=1, [EOS]=2, [PAD]=0
    const rng = mulberry32(9);
    const seqs = Array.from({ length: 32 }, () => Array.from({ length: 1 + Math.floor(rng() * 3) }, () => 3 + Math.floor(rng() * 5)));
    const src = padIdBatch(seqs, 4);
    const tin = padIdBatch(seqs.map((s) => [1, ...s]), 5);
    const tout = padIdBatch(seqs.map((s) => [...s, 2]), 5);
    const { memory, sourceMask } = model.encode(src);
    const logits = model.decode(tin, memory, sourceMask);
    assert.deepEqual(logits.shape, [32, 5, 8]);
    tf.dispose([memory, sourceMask, logits]);
    const vars = model.trainableVariables;
    assert.equal(vars.reduce((n, v) => n + v.size, 0), model.paramCount);
    const opt = tf.train.adam(0.01);
    const first = tf.tidy(() => model.loss(src, tin, tout, false).dataSync()[0]);
    const step = () => tf.dispose(opt.minimize(() => model.loss(src, tin, tout, true), true, vars) ?? []);
    step();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 80; i++) step();
    assert.equal(tf.memory().numTensors, n, "tensors leaked while training");
    const last = tf.tidy(() => model.loss(src, tin, tout, false).dataSync()[0]);
    assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
    const decoded = model.greedyDecode(src);
    assert.equal(decoded.length, 32);
    const exact = decoded.filter((d, i) => d.join() === seqs[i].join()).length;
    assert.ok(exact >= 16, `only ${exact}/32 copied exactly`);
    assert.equal(tf.memory().numTensors, n);
    tf.dispose([src, tin, tout]);
    opt.dispose();
    model.dispose();
  });
});
