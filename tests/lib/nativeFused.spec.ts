/**
 * The native backend's fused kernels: lib/accel/native/fusedDense.ts (lib/layers/dense.ts as
 * TensorFlow's _FusedMatMul, which needs the binding's list(string) patch) and
 * lib/accel/native/fusedLayerNorm.ts (the course's CourseLayerNorm ops,
 * tools/native/kernels/layer_norm.cc). Each must be present in the binding `npm run setup:native`
 * builds, run as one kernel, and give the formula's values and gradients. Skips without tfjs-node.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { dense, DENSE_KERNEL } from "../../lib/layers/dense";
import { backendHasKernel } from "../../lib/kernels";
import { nativeLayerNorm, nativeLayerNormAvailable } from "../../lib/accel/native/fusedLayerNorm";
import { attr, runOpOutputs } from "../../lib/accel/native/tfOp";
import { assertClose } from "../helpers/close";
import { onNativeBackend } from "./onNativeBackend";

/** Names of the TensorFlow.js kernels `f` runs. */
async function kernelsOf(f: () => void): Promise<string[]> {
  return (await tf.profile(f)).kernels.map((k) => k.name);
}

describe("fused kernels on the native backend", function () {
  onNativeBackend();

  describe("dense(): product, bias and ReLU in one TensorFlow kernel", () => {
    it("is registered with the binding setup:native builds", () => {
      assert.ok(backendHasKernel(DENSE_KERNEL), "the binding does not pass list(string) attributes: was it built by tools/native/setup.ts?");
    });

    for (const activation of ["linear", "relu"] as const) {
      it(`${activation}: the formula's output and gradients for x, W and b, in one kernel forward`, async () => {
        const x = tf.randomNormal([6, 5], 0, 1, "float32", 1) as tf.Tensor2D;
        const w = tf.randomNormal([5, 4], 0, 1, "float32", 2) as tf.Tensor2D;
        const b = tf.randomNormal([4], 0, 1, "float32", 3) as tf.Tensor1D;
        const probe = tf.randomNormal([6, 4], 0, 1, "float32", 4);
        const formula = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
          const y = tf.add(tf.matMul(xx, ww), bb);
          return activation === "relu" ? tf.relu(y) : y;
        };
        const weighted = (f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, bb, c), probe));
        const fused = (a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) => dense(a as tf.Tensor2D, bb as tf.Tensor2D, c as tf.Tensor1D, activation);
        assertClose(fused(x, w, b), formula(x, w, b), 1e-5, "output");
        const ours = tf.grads(weighted(fused))([x, w, b]);
        const reference = tf.grads(weighted(formula))([x, w, b]);
        ["dx", "dW", "db"].forEach((name, i) => assertClose(ours[i], reference[i], 1e-5, name));
        const kernels = await kernelsOf(() => fused(x, w, b).dispose());
        assert.deepEqual(kernels, [DENSE_KERNEL]);
      });
    }

    it("without a bias: the plain product", async () => {
      const x = tf.ones([2, 3]) as tf.Tensor2D;
      const w = tf.ones([3, 2]) as tf.Tensor2D;
      assert.deepEqual(Array.from(dense(x, w, null).dataSync()), [3, 3, 3, 3]);
      assert.deepEqual(await kernelsOf(() => dense(x, w, null).dispose()), ["BatchMatMul"]);
    });

    it("names the shapes that do not fit", () => {
      assert.throws(() => dense(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([4, 2]) as tf.Tensor2D, tf.ones([2]) as tf.Tensor1D), /x \[2, 3\], kernel \[4, 2\], bias \[2\]/);
      assert.throws(() => dense(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D, tf.ones([3]) as tf.Tensor1D), /bias \[3\]/);
    });

    it("tf.layers.dense uses it: a ReLU layer is one kernel forward", async () => {
      const layer = tf.layers.dense({ units: 3, activation: "relu" });
      const x = tf.randomNormal([4, 2]);
      layer.apply(x);
      assert.deepEqual(await kernelsOf(() => (layer.apply(x) as tf.Tensor).dispose()).then((k) => k.filter((n) => n !== "Identity")), [DENSE_KERNEL]);
    });
  });

  describe("CourseLayerNorm: layer normalisation in one kernel each way", () => {
    it("is compiled into the binding setup:native builds", () => {
      assert.ok(nativeLayerNormAvailable(), "CourseLayerNorm is missing: was the binding built by tools/native/setup.ts?");
    });

    it("gives the formula's value and gradients (rank 3, d = 64), one kernel forward and one backward", async () => {
      const x = tf.randomNormal([4, 7, 64], 2, 3, "float32", 5);
      const gamma = tf.randomNormal([64], 1, 0.3, "float32", 6);
      const beta = tf.randomNormal([64], 0, 0.3, "float32", 7);
      const dy = tf.randomNormal([4, 7, 64], 0, 1, "float32", 8);
      const formula = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      };
      const weighted = (f: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), dy));
      const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => nativeLayerNorm(a, g, b, 1e-5);
      assertClose(ours(x, gamma, beta), formula(x, gamma, beta), 1e-5, "value");
      const grads = tf.grads(weighted(ours))([x, gamma, beta]);
      const reference = tf.grads(weighted(formula))([x, gamma, beta]);
      ["dx", "dgamma", "dbeta"].forEach((name, i) => assertClose(grads[i], reference[i], 1e-4, name));
      const kernels = await kernelsOf(() => tf.dispose(tf.grads(weighted(ours))([x, gamma, beta])));
      assert.ok(kernels.includes("CourseLayerNormGrad"), `backward ran ${kernels}`);
      assert.ok(!kernels.includes("Mean") && !kernels.includes("Rsqrt"), `the op-by-op path ran: ${kernels}`);
    });

    it("names what is wrong when gamma does not fit x, from inside the kernel", () => {
      assert.throws(() => nativeLayerNorm(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4]), 1e-5), /CourseLayerNorm: gamma and beta must be \[4\], got \[3\]/);
      assert.throws(
        () => runOpOutputs("CourseLayerNormGrad", [], [tf.zeros([2, 4]), tf.zeros([2, 4]), tf.zeros([3, 1]), tf.ones([4])], 3),
        /do not belong together/,
      );
      assert.throws(() => runOpOutputs("CourseLayerNorm", [attr.float("epsilon", 1e-5)], [tf.zeros([2, 0]), tf.ones([0]), tf.zeros([0])], 3), /non-empty last axis/);
    });

    it("a second derivative through it stops with a clear error, not a silent constant", () => {
      const x = tf.randomNormal([3, 8], 0, 1, "float32", 9);
      const gamma = tf.ones([8]);
      const beta = tf.zeros([8]);
      const firstGradNorm = (a: tf.Tensor) => tf.sum(tf.square(tf.grad((b: tf.Tensor) => tf.sum(tf.square(nativeLayerNorm(b, gamma, beta, 1e-5))))(a)));
      assert.throws(() => tf.grad(firstGradNorm)(x), /second derivatives through a layer norm are not implemented for the native backend/);
    });

    it("tf.layers.layerNormalization uses it (lib/accel/layerNormalization.ts), not the ops", async () => {
      const layer = tf.layers.layerNormalization({ epsilon: 1e-5 });
      const x = tf.randomNormal([4, 16], 0, 1, "float32", 11);
      layer.apply(x);
      const kernels = await kernelsOf(() => (layer.apply(x) as tf.Tensor).dispose());
      assert.ok(!kernels.some((k) => ["Mean", "Rsqrt", "Sub", "Tile", "Mul"].includes(k)), `the op-by-op path ran: ${kernels}`);
      tf.dispose([x, ...layer.getWeights()]);
    });

    it("leaks no tensors across training steps of tf.layers.layerNormalization", () => {
      const layer = tf.layers.layerNormalization({ epsilon: 1e-5 });
      const x = tf.randomNormal([8, 16], 0, 1, "float32", 10);
      layer.apply(x);
      const vars = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
      const optimizer = tf.train.sgd(0.1);
      const step = () => {
        const cost = optimizer.minimize(() => tf.mean(tf.square(tf.sub(layer.apply(x) as tf.Tensor, 1))) as tf.Scalar, true, vars)!;
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      };
      step();
      const before = tf.memory().numTensors;
      const losses = [1, 2, 3, 4, 5].map(step);
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
      assert.ok(losses[4] < losses[0], `the loss should fall: ${losses}`);
      optimizer.dispose();
      tf.dispose([x, ...vars]);
    });
  });
});
