/**
 * Layer normalisation as the course's own TensorFlow ops on the native backend: one kernel for
 * the forward pass, one for the backward, where TensorFlow's ops take nine and twelve
 * (tools/native/kernels/layer_norm.cc, compiled into the binding by `npm run setup:native`).
 * lib/layers/layerNorm.ts uses them when they are present; the formulas are the same.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce } from "../tfPatch";
import { attr, nativeCapability, runOpOutputs } from "./tfOp";

/** True on the native backend when its binding carries CourseLayerNorm (the one setup:native builds); registers our gradient kernel the first time. */
export function nativeLayerNormAvailable(): boolean {
  return nativeCapability("CourseLayerNorm", () => {
    nativeLayerNorm(tf.ones([1, 2]), tf.ones([2]), tf.zeros([2]), 1e-5);
    registerGradKernel();
  });
}

/** x: [..., d], gamma and beta: [d] → [y, x̂, 1/√(σ² + ε)]: [..., d], [..., d], [..., 1] */
export function nativeLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [y, normalised, invStd] = runOpOutputs("CourseLayerNorm", [attr.float("epsilon", epsilon)], [x, gamma, beta], 3);
  return [y, normalised, invStd];
}

/**
 * [∂L/∂x, ∂L/∂γ, ∂L/∂β] from dy and the forward pass's x̂, 1/√(σ² + ε) and γ. A TensorFlow.js
 * kernel, so that a second derivative through it stops with a clear error instead of treating
 * the gradient as a constant.
 */
export function nativeLayerNormGrad(dy: tf.Tensor, normalised: tf.Tensor, invStd: tf.Tensor, gamma: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel(GRAD_KERNEL, { dy, normalised, invStd, gamma }, {}) as tf.Tensor[];
}

const GRAD_KERNEL = "CourseLayerNormGrad";

function registerGradKernel(): void {
  patchOnce("native.layerNormGrad", () => {
    tf.registerKernel({
      kernelName: GRAD_KERNEL,
      backendName: "tensorflow",
      kernelFunc: ({ inputs }) => runOpOutputs(GRAD_KERNEL, [], [inputs.dy, inputs.normalised, inputs.invStd, inputs.gamma] as tf.Tensor[], 3),
    });
    tf.registerGradient({
      kernelName: GRAD_KERNEL,
      gradFunc: () => {
        throw new Error(
          "second derivatives through a layer norm are not implemented for the native backend's layer-norm kernel " +
            "(lib/native/fusedLayerNorm.ts); run this on the wasm backend (COURSE_BACKEND=wasm)",
        );
      },
    });
    return true;
  });
}
