import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoPath } from "@ts-course/cli";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { loadMnist } from "../../lib/data/mnist";
import { buildMnistClassifier, mnistClassifierAccuracy } from "../../lib/models/classifier";
import { trainMnistClassifier } from "../../lib/train/classifierTraining";
import { loadLayersModelFromDir } from "../../lib/models/saveLoad";

const CHECKPOINT = repoPath("checkpoints", "classifier");

describe("MNIST classifier (the GAN lecture's judge)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("maps [batch, 784] to class probabilities [batch, 10] that sum to 1", () => {
    seed(1);
    const model = buildMnistClassifier();
    assert.equal(model.countParams(), 784 * 256 + 256 + 256 * 10 + 10);
    const p = model.predict(tf.randomUniform([5, 784])) as tf.Tensor;
    assert.deepEqual(p.shape, [5, 10]);
    const sums = p.sum(-1).dataSync();
    sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
    p.dispose();
  });

  it("learns: 100 steps on 3,000 digits lift test accuracy from chance to above 0.8, without leaking tensors", async () => {
    seed(2);
    const train = loadMnist("train", { shuffle: true, limit: 3000 });
    const test = loadMnist("test", { limit: 1000 });
    const model = buildMnistClassifier({ hidden: [64] });
    const before = mnistClassifierAccuracy(model, test);
    await trainMnistClassifier(model, train, { steps: 20, quiet: true });
    const tensors = tf.memory().numTensors;
    const history = await trainMnistClassifier(model, train, { steps: 80, quiet: true }); // continues: compiled once
    assert.equal(tf.memory().numTensors, tensors, "tensors grew during training");
    const after = mnistClassifierAccuracy(model, test);
    assert.ok(before < 0.3, `untrained accuracy ${before}`);
    assert.ok(after > 0.8, `accuracy after 100 steps ${after}`);
    assert.ok(history.losses[history.losses.length - 1] < history.losses[0]);
  });

  it("the shipped checkpoint loads and reaches ≥ 0.98 on the 10,000 test digits, as its recipe says", async () => {
    assert.ok(fs.existsSync(path.join(CHECKPOINT, "model.json")), `missing ${CHECKPOINT}: run \`npm run train:gan -- classifier\``);
    const recipe = JSON.parse(fs.readFileSync(path.join(CHECKPOINT, "recipe.json"), "utf8"));
    const model = await loadLayersModelFromDir(CHECKPOINT);
    const accuracy = mnistClassifierAccuracy(model, loadMnist("test"));
    assert.ok(accuracy >= 0.98, `checkpoint test accuracy ${accuracy}`);
    assert.ok(Math.abs(accuracy - recipe.figures.testAccuracy) < 1e-9, `recipe says ${recipe.figures.testAccuracy}, measured ${accuracy}`);
    assert.match(recipe.command, /npm run train:gan -- classifier/);
    model.dispose();
  });
});
