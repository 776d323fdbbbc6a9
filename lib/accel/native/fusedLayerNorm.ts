/**
 * Layer normalisation as the course's own TensorFlow ops on the native backend: one kernel for
 * the forward pass, one for the backward, where TensorFlow's ops take nine and twelve
 * (tools/native/kernels/layer_norm.cc, compiled into the binding by `npm run setup:native`).
 * The formulas are lib/layers/layerNorm.ts's; ../layerNormalization.ts uses these when present.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce } from "../patch";
import { attr, nativeCapability, runOpOutputs } from "./tfOp";

/** True on the native backend when its binding carries CourseLayerNorm (the one setup:native builds); registers our gradient kernel the first time. */
export function nativeLayerNormAvailable(): boolean {
  return nativeCapability("CourseLayerNorm", () => {
    forward(tf.ones([1, 2]), tf.ones([2]), tf.zeros([2]), 1e-5);
    registerGradKernel();
  });
}

/** x: [..., d], gamma and beta: [d] → [..., d], differentiable (CourseLayerNormGrad). */
export function nativeLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return withGradient(epsilon)(x, gamma, beta);
}

const byEpsilon = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

function withGradient(epsilon: number) {
  let f = byEpsilon.get(epsilon);
  if (f == null) {
    f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const [y, normalised, invStd] = forward(x, gamma, beta, epsilon);
      save([normalised, invStd, gamma]);
      return { value: y, gradFunc: (dy, saved) => backward(dy as tf.Tensor, saved[0], saved[1], saved[2]) };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    byEpsilon.set(epsilon, f);
  }
  return f;
}

/** x: [..., d], gamma and beta: [d] → [y, x̂, 1/√(σ² + ε)]: [..., d], [..., d], [..., 1] */
function forward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [y, normalised, invStd] = runOpOutputs("CourseLayerNorm", [attr.float("epsilon", epsilon)], [x, gamma, beta], 3);
  return [y, normalised, invStd];
}

/**
 * [∂L/∂x, ∂L/∂γ, ∂L/∂β] from dy and the forward pass's x̂, 1/√(σ² + ε) and γ. A TensorFlow.js
 * kernel, so that a second derivative through it stops with a clear error instead of treating
 * the gradient as a constant.
 */
function backward(dy: tf.Tensor, normalised: tf.Tensor, invStd: tf.Tensor, gamma: tf.Tensor): tf.Tensor[] {
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
            "(lib/accel/native/fusedLayerNorm.ts); run this on the wasm backend (COURSE_BACKEND=wasm)",
        );
      },
    });
    return true;
  });
}
