/**
 * lib/layers/dense.ts's product, bias and ReLU as one TensorFlow kernel on the native backend.
 *
 *   y = act(x W + b)        x: [rows, in], W: [in, units], b: [units], act ∈ {linear, relu}
 *
 * TensorFlow's _FusedMatMul adds the bias and applies the activation while the product's output
 * is still in cache: one pass over y where separate ops make three (product, add, ReLU), and one
 * eager op where they make three. Measured on a [2048, 64] × [64, 256] layer: 1.3 ms against
 * 1.7 ms. Its gradient, written out (g = dy, or ReluGrad(dy, y) after a ReLU: y > 0 exactly
 * where x W + b > 0):
 *
 *   ∂L/∂x = g Wᵀ        ∂L/∂W = xᵀ g        ∂L/∂b = Σ_rows g
 *
 * _FusedMatMul names its fused steps in a list(string) attribute, which only the binding that
 * `npm run setup:native` builds can pass (tools/native/setup.ts, patchBinding). With the prebuilt
 * tfjs-node the kernel is not registered, and dense() runs the separate ops: same numbers.
 */
import * as tf from "@tensorflow/tfjs";
import { DENSE_KERNEL, type DenseActivation } from "../../layers/dense";
import { ACTIVATION_GRADIENT_KERNELS, registerNativeActivationGradients } from "./activationGradients";
import { patchOnce } from "../patch";
import { attr, nativeCapability, runOp } from "./tfOp";

/** Registers DENSE_KERNEL on the native backend when its binding passes list(string) attributes; true when it is there. */
export function registerNativeDense(): boolean {
  return nativeCapability("_FusedMatMul", () => {
    runFusedMatMul(tf.ones([1, 1]), tf.ones([1, 1]), tf.zeros([1]), "linear"); // the prebuilt binding throws: "A string was expected"
    registerKernel();
  });
}

function runFusedMatMul(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, activation: DenseActivation): tf.Tensor {
  // Attributes as in TensorFlow's op definition of _FusedMatMul (core/ops/nn_ops.cc).
  const attrs = [
    attr.float32("T"),
    attr.bool("transpose_a", false),
    attr.bool("transpose_b", false),
    attr.int("num_args", 1),
    attr.strings("fused_ops", activation === "relu" ? ["BiasAdd", "Relu"] : ["BiasAdd"]),
    attr.float("epsilon", 1e-4),
    attr.float("leakyrelu_alpha", 0.2),
  ];
  return runOp("_FusedMatMul", attrs, [x, kernel, bias]);
}

function registerKernel(): void {
  registerNativeActivationGradients(); // the ReLU case's gradient uses its ReluGrad kernel
  patchOnce("native.dense", () => {
    tf.registerKernel({
      kernelName: DENSE_KERNEL,
      backendName: "tensorflow",
      kernelFunc: ({ inputs, attrs }) =>
        runFusedMatMul(inputs.x as tf.Tensor, inputs.kernel as tf.Tensor, inputs.bias as tf.Tensor, (attrs as unknown as { activation: DenseActivation }).activation),
    });
    tf.registerGradient({
      kernelName: DENSE_KERNEL,
      inputsToSave: ["x", "kernel"],
      outputsToSave: [true],
      gradFunc: (dy, [x, kernel, y], attrs) => {
        const relu = (attrs as unknown as { activation: DenseActivation }).activation === "relu";
        const g = relu ? (tf.engine().runKernel(ACTIVATION_GRADIENT_KERNELS.relu, { dy: dy as tf.Tensor, x: y }) as tf.Tensor) : (dy as tf.Tensor);
        return {
          x: () => tf.matMul(g, kernel, false, true), // [rows, in]
          kernel: () => tf.matMul(x, g, true, false), // [in, units]
          bias: () => tf.sum(g, 0), // [units]
        };
      },
    });
    return true;
  });
}
