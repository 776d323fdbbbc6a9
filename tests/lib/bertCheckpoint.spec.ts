/**
 * The mini-BERT checkpoints the lecture loads: they must load, match their vocabulary, and their
 * recipes must say what was run (a run that ended before its schedule's end says so in its command).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { BertClassifier, MiniBert } from "../../lib/models/bert";
import { SPECIAL_TOKENS, WordPieceTokenizer } from "../../lib/text/wordPiece";

const PRETRAINED = "checkpoints/mini-bert";
const REVIEWS = "checkpoints/mini-bert/reviews";

const readRecipe = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "recipe.json"), "utf8"));
const readVocab = (dir: string) => WordPieceTokenizer.fromVocabText(fs.readFileSync(path.join(dir, "vocab.txt"), "utf8"));

describe("mini-BERT checkpoints", function () {
  this.timeout(60000);
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("the MLM + NSP checkpoint loads, fits its vocabulary, and its recipe states the steps run", () => {
    const recipe = readRecipe(PRETRAINED);
    const vocab = readVocab(PRETRAINED);
    assert.deepEqual(vocab.vocab.slice(0, SPECIAL_TOKENS.length), [...SPECIAL_TOKENS]);
    assert.equal(recipe.model.vocabSize, vocab.size);
    const before = tf.memory().numTensors;
    const model = MiniBert.load(PRETRAINED);
    assert.equal(model.config.vocabSize, vocab.size);
    assert.equal(model.parameterCount(), recipe.parameters);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, "loading then disposing leaks no tensor");

    assert.equal(recipe.final.step, recipe.steps, "final figures are those of the last step run");
    assert.equal(recipe.history[recipe.history.length - 1].step, recipe.steps);
    assert.ok(recipe.steps <= recipe.stepsPlanned);
    if (recipe.steps < recipe.stepsPlanned) {
      assert.match(recipe.command, new RegExp(`--stop-after ${recipe.steps}\\b`), "a run cut short says where in its command");
      assert.ok(typeof recipe.note === "string" && recipe.note.length > 0, "and explains it in a note");
    }
    assert.ok(recipe.final.maskedAccuracy >= 3 * recipe.unigramBaseline.accuracy, "the lecture's MLM target (≥ 3× unigram) holds for the shipped weights");
  });

  it("the reviews source model loads with its classification head and the same vocabulary", () => {
    const recipe = readRecipe(REVIEWS);
    assert.equal(recipe.complete, true);
    assert.deepEqual(readVocab(REVIEWS).vocab, readVocab(PRETRAINED).vocab, "both checkpoints use the course tokenizer");
    const classifier = BertClassifier.load(REVIEWS);
    assert.equal(classifier.numClasses, 2);
    classifier.dispose();
  });
});
