/**
 * lib/accel/native/plainDense.ts: on the native backend tf.layers.dense on a 2-D input is a plain
 * product and bias add (no fused matMul, no reshapes), with the same outputs and gradients as
 * the formula; other inputs keep tfjs-layers' own code. Skips without tfjs-node.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { assertClose } from "../helpers/close";
import { onNativeBackend } from "./onNativeBackend";


describe("plain dense layers on the native backend (lib/accel/native/plainDense.ts)", function () {
  onNativeBackend();

  for (const activation of ["linear", "relu", "sigmoid"] as const) {
    it(`${activation}: same output and weight gradients as x·W + b, without fused matMul and its reshapes`, async () => {
      const layer = tf.layers.dense({ units: 3, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: "ones" });
      const x = tf.randomNormal([5, 4], 0, 1, "float32", 2);
      layer.apply(x); // builds the weights
      const [w, b] = layer.getWeights();
      const act = (t: tf.Tensor) => (activation === "relu" ? tf.relu(t) : activation === "sigmoid" ? tf.sigmoid(t) : t);
      const vars = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
      let grads: tf.NamedTensorMap = {};
      const profile = await tf.profile(() => {
        const r = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, vars);
        r.value.dispose();
        grads = r.grads;
      });
      const reference = tf.grads((ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(act(tf.add(tf.matMul(x, ww), bb)))))([w, b]);
      assertClose(layer.apply(x) as tf.Tensor, act(tf.add(tf.matMul(x, w), b)), 1e-5, "output");
      assertClose(grads[vars[0].name], reference[0], 1e-5, "dW");
      assertClose(grads[vars[1].name], reference[1], 1e-5, "db");
      const kernels = profile.kernels.map((k) => k.name);
      assert.ok(!kernels.includes("_FusedMatMul"), `fused path ran: ${kernels}`);
      // the fused path reshapes both operands to 3-D; what remains is the bias gradient's
      assert.ok(kernels.filter((k) => k === "Reshape").length <= 3, `reshapes: ${kernels}`);
    });
  }

  it("leaves 3-D inputs to tfjs-layers (a dense layer over the last axis)", () => {
    const layer = tf.layers.dense({ units: 2, kernelInitializer: "ones", biasInitializer: "zeros" });
    const y = layer.apply(tf.ones([2, 3, 4])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 3, 2]);
    assert.deepEqual(Array.from(y.dataSync()), new Array(12).fill(4));
  });
});
