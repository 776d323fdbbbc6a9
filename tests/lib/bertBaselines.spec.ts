import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { fitBagOfWords } from "../../lib/train/bagOfWordsTraining";

describe("bag-of-words logistic regression (the sentiment baseline)", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(1);
  });

  it("learns which words mean what, and generalises to new combinations, without leaking tensors", () => {
    const good = ["great", "lovely", "excellent", "tasty"];
    const bad = ["awful", "bland", "rude", "terrible"];
    const fill = ["the", "food", "was", "service", "really", "and"];
    // Both classes share the filler words (k = i / 2), so only the sentiment words carry the label.
    const make = (words: string[], label: number, i: number, k = Math.floor(i / 2)) => ({ text: `${fill[k % 6]} ${words[k % 4]} ${fill[(k + 3) % 6]} ${words[(k + 1) % 4]}`, label });
    const train = Array.from({ length: 40 }, (_, i) => (i % 2 ? make(good, 1, i) : make(bad, 0, i)));
    const before = tf.memory().numTensors;
    const { model, losses } = fitBagOfWords(train.map((d) => d.text), train.map((d) => d.label), { steps: 100 });
    assert.ok(losses[losses.length - 1] < 0.3 && losses[losses.length - 1] < losses[0], `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    assert.equal(model.accuracy(["Tasty and lovely!", "rude, bland service", "an unknown word"], [1, 0, 1]) >= 2 / 3, true);
    const p = model.predictProba(["excellent excellent", "terrible"]);
    assert.ok(p[0] > 0.5 && p[1] < 0.5);
    const top = model.topWords(4);
    assert.deepEqual([...top.positive].sort(), [...good].sort());
    assert.deepEqual([...top.negative].sort(), [...bad].sort());
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
