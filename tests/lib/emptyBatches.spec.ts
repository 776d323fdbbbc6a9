/**
 * Empty tensors and empty batches: every backend gives TensorFlow.js's defined values for
 * reductions and products over empty tensors (tfjs-backend-wasm 4.22 alone returned stray heap
 * memory; lib/accel/wasm/emptyInputs.ts), and the course's losses refuse an empty batch with a
 * message that says so, on every backend.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendChoice } from "../../lib/accel/backend";
import { binaryCrossEntropy, binaryCrossEntropyFromLogits, meanSquaredError } from "../../lib/losses/reconstruction";
import { discriminatorLoss, minimaxValue, nonSaturatingGeneratorLoss, saturatingGeneratorLoss } from "../../lib/losses/gan";
import { l1ActivityPenalty } from "../../lib/losses/sparsity";
import { elboTerms } from "../../lib/models/vae";
import { bitsPerCharFromLogits } from "../../lib/metrics/bitsPerChar";
import { sparseCrossEntropy } from "../../lib/train/bertTraining";
import { arrayMean } from "../../lib/train/batching";
import { psnr } from "../../lib/metrics/psnr";
import { keepBackend, nativeInstalled } from "./onNativeBackend";

const backends: BackendChoice[] = ["wasm", "cpu", ...(nativeInstalled() ? (["node"] as const) : [])];
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("empty tensors and empty batches", function () {
  keepBackend();

  for (const backend of backends) {
    describe(`on ${backend}`, () => {
      before(async () => {
        await initBackend({ quiet: true, force: backend });
      });

      it("reductions and products over empty tensors give defined values, not stray memory", () => {
        tf.tidy(() => {
          const empty = tf.zeros([0, 10]);
          assert.deepEqual(values(tf.sum(empty)), [0], "sum");
          assert.deepEqual(values(tf.sum(tf.zeros([0, 5000]), 0)), new Array(5000).fill(0), "sum over rows (wasm's fast path)");
          assert.deepEqual(values(tf.prod(empty)), [1], "prod");
          assert.deepEqual(values(tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3]))), new Array(6).fill(0), "[2, 0]·[0, 3]");
          assert.deepEqual(tf.transpose(tf.zeros([0, 2, 3, 4]), [0, 2, 1, 3]).shape, [0, 3, 2, 4], "4-D transpose");
          // The backends define these two differently (cpu: 0 and NaN; TensorFlow: NaN and −∞), but they define them.
          for (const v of values(tf.mean(empty, 0))) assert.ok(v === 0 || Number.isNaN(v), `mean over no rows: ${v}`);
          for (const v of values(tf.max(empty))) assert.ok(v === -Infinity || Number.isNaN(v), `max of nothing: ${v}`);
        });
      });

      it("the course's losses refuse an empty batch, naming the loss", () => {
        tf.tidy(() => {
          const none = tf.zeros([0, 4]);
          const noLogits = tf.zeros([0, 1]);
          const cases: [string, () => unknown][] = [
            ["binaryCrossEntropy", () => binaryCrossEntropy(none, none)],
            ["binaryCrossEntropyFromLogits", () => binaryCrossEntropyFromLogits(none, none)],
            ["meanSquaredError", () => meanSquaredError(none, none)],
            ["minimaxValue", () => minimaxValue(noLogits, noLogits)],
            ["minimaxValue", () => discriminatorLoss(noLogits, noLogits)],
            ["saturatingGeneratorLoss", () => saturatingGeneratorLoss(noLogits)],
            ["nonSaturatingGeneratorLoss", () => nonSaturatingGeneratorLoss(noLogits)],
            ["l1ActivityPenalty", () => l1ActivityPenalty(none, 0.1)],
            ["elboTerms", () => elboTerms(none as tf.Tensor2D, { logits: none, mean: tf.zeros([0, 2]), logVar: tf.zeros([0, 2]) } as never)],
            ["bitsPerCharFromLogits", () => bitsPerCharFromLogits(none as tf.Tensor2D, tf.zeros([0], "int32") as tf.Tensor1D)],
            ["sparseCrossEntropy", () => sparseCrossEntropy(none as tf.Tensor2D, tf.zeros([0], "int32") as tf.Tensor1D)],
          ];
          for (const [name, f] of cases) assert.throws(f, new RegExp(`^Error: ${name}: the batch is empty \\(shape \\[0,`), `${name} on an empty batch`);
        });
      });
    });
  }

  it("wasm gives exactly the cpu backend's values (it hands empty inputs to cpu's kernels)", async () => {
    const compute = () => tf.tidy(() => [tf.sum(tf.zeros([0, 10]), 0), tf.mean(tf.zeros([0, 10])), tf.max(tf.zeros([0, 3]), 0), tf.logSumExp(tf.zeros([0, 4]))].flatMap(values));
    await initBackend({ quiet: true, force: "cpu" });
    const cpu = compute();
    await initBackend({ quiet: true, force: "wasm" });
    assert.deepEqual(compute(), cpu);
  });

  it("so do the plain-number helpers: a mean of nothing and a PSNR of no pixels", () => {
    assert.throws(() => arrayMean([]), /arrayMean: no values to average/);
    assert.throws(() => psnr([], []), /psnr: the image has no pixels/);
  });
});
