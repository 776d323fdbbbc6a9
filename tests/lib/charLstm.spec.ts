import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed, mulberry32 } from "../../lib/seed";
import { CharLstm, randomWindows, sampleFromLogits, windowsAt } from "../../lib/models/charLstm";
import { CharLstmTrainer, clipByGlobalNorm } from "../../lib/train/charLstmTraining";
import { bitsPerCharFromLogits, CharBigramModel } from "../../lib/metrics/bitsPerChar";
import { CharVocab } from "../../lib/text/charVocab";
import { fusedLstmStep, type LstmState } from "../../lib/layers/lstmCell";

describe("char-LSTM language model and bits per character", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(2);
  });

  it("bits per character from logits: uniform logits cost log2 V bits; a sure right guess costs ~0", () => {
    const uniform = bitsPerCharFromLogits(tf.zeros([4, 8]) as tf.Tensor2D, tf.tensor1d([0, 3, 5, 7], "int32"));
    assert.ok(Math.abs(uniform.dataSync()[0] - 3) < 1e-5);
    const sure = bitsPerCharFromLogits(tf.tensor2d([[20, 0], [0, 20]]), tf.tensor1d([0, 1], "int32"));
    assert.ok(sure.dataSync()[0] < 1e-6);
  });

  it("the bigram baseline: exact on a deterministic text, log2 V for an unseen pair with α smoothing", () => {
    const ids = Array.from({ length: 3001 }, (_, i) => i % 3); // 0 1 2 0 1 2 ...
    const model = new CharBigramModel(ids, 3, 1e-6);
    assert.ok(model.bitsPerChar([0, 1, 2, 0]) < 1e-4);
    const plusOne = new CharBigramModel([0, 1], 2, 1);
    // p(1 | 0) = (1 + 1) / (1 + 2) = 2/3; p(0 | 1) = 1/2
    assert.ok(Math.abs(plusOne.bitsPerChar([0, 1]) - -Math.log2(2 / 3)) < 1e-9);
    assert.ok(Math.abs(plusOne.bitsPerChar([1, 0]) - 1) < 1e-9);
    const p = plusOne.next(0);
    assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
  });

  it("windows: targets are the inputs shifted by one", () => {
    const ids = Int32Array.from({ length: 20 }, (_, i) => i);
    const { inputs, targets } = windowsAt(ids, [0, 5], 4);
    assert.deepEqual(inputs.arraySync(), [[0, 1, 2, 3], [5, 6, 7, 8]]);
    assert.deepEqual(targets.arraySync(), [[1, 2, 3, 4], [6, 7, 8, 9]]);
    assert.throws(() => windowsAt(ids, [16], 4), /runs past the text/);
    tf.dispose([inputs, targets]);
  });

  it("learns a repetitive text: held-out bits per char fall below the bigram's, no tensor leaks", () => {
    // "abcab" repeated: the bigram is unsure after "b" (c or a?), two characters of context are not
    const text = "abcab".repeat(200);
    const vocab = CharVocab.fromText(text);
    const ids = vocab.encode(text);
    const model = new CharLstm({ vocabSize: vocab.size, units: 16 });
    const trainer = new CharLstmTrainer(model, { learningRate: 0.03 });
    const bigram = new CharBigramModel(ids, vocab.size).bitsPerChar(ids);
    const before = model.bitsPerChar(ids, { window: 10 });
    const rng = mulberry32(1);
    const step = () => {
      const w = randomWindows(ids, 16, 10, rng);
      const loss = trainer.trainStep(w.inputs, w.targets);
      tf.dispose([w.inputs, w.targets]);
      return loss;
    };
    step();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 60; i++) step();
    assert.equal(tf.memory().numTensors, tensors, "tensors leaked during training");
    const after = model.bitsPerChar(ids, { window: 10 });
    assert.ok(after < before - 0.5, `bits/char ${before} → ${after}`);
    assert.ok(after < bigram, `LSTM ${after} not below the bigram ${bigram}`);
    const sampled = vocab.decode(model.sample(vocab.encode("ab"), 20, 0.5, mulberry32(3)));
    assert.equal(sampled.length, 20);
    assert.equal(tf.memory().numTensors, tensors);
    trainer.dispose();
    model.dispose();
  });

  it("training's whole-window LSTM and sampling's one step at a time compute the same logits", () => {
    const model = new CharLstm({ vocabSize: 7, units: 8 });
    const ids = [3, 1, 4, 1, 5, 2];
    const window = tf.tensor2d([ids], [1, ids.length], "int32");
    const whole = model.forward(window).logits.arraySync(); // [T, V]: batch 1
    let state: LstmState = { h: tf.zeros([1, 8]), c: tf.zeros([1, 8]) };
    ids.forEach((id, t) => {
      state = fusedLstmStep(tf.add(tf.gather(model.W, [id]), model.b) as tf.Tensor2D, state, model.U as tf.Tensor2D);
      const logits = tf.add(tf.matMul(state.h, model.Wy), model.by).dataSync();
      logits.forEach((v, j) => assert.ok(Math.abs(v - whole[t][j]) < 1e-5, `step ${t}, logit ${j}: ${v} vs ${whole[t][j]}`));
    });
    model.dispose();
  });

  it("sampling: temperature 0 is argmax, high temperature spreads out", () => {
    const logits = [0, 2, 1];
    assert.equal(sampleFromLogits(logits, 0), 1);
    const rng = mulberry32(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[sampleFromLogits(logits, 100, rng)]++;
    counts.forEach((c) => assert.ok(c > 800, `counts ${counts}`));
    const cold = [0, 0, 0];
    for (let i = 0; i < 1000; i++) cold[sampleFromLogits(logits, 0.1, rng)]++;
    assert.ok(cold[1] > 990);
  });

  it("gradient clipping keeps the direction and caps the global norm", () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) }; // norm 5
    const c = clipByGlobalNorm(g, 1);
    assert.ok(Math.abs(c.a.dataSync()[0] - 0.6) < 1e-6 && Math.abs(c.b.dataSync()[0] - 0.8) < 1e-6);
    const same = clipByGlobalNorm(g, 10);
    assert.deepEqual(Array.from(same.a.dataSync()), [3, 0]);
  });
});
