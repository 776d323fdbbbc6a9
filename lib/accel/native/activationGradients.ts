/**
 * ReLU and leaky-ReLU gradients in one TensorFlow kernel each on the native backend.
 *
 * TensorFlow.js differentiates relu as dy · step(x); tfjs-node builds `step` out of six
 * TensorFlow ops (IsNan, Greater, Fill, Fill, Select, Select) and then multiplies: seven eager
 * ops, each ~0.1 ms on a [128, 784] activation, for what TensorFlow does in one (ReluGrad,
 * LeakyReluGrad: gradients where features > 0, else 0 or alpha·gradients). The gradient
 * registry is shared by every backend, so each replacement checks the backend when it runs
 * and hands the other backends TensorFlow.js's own gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceGradient } from "../patch";
import { attr, isNativeBackend, runOp } from "./tfOp";

interface Activation {
  /** TensorFlow.js's kernel, whose gradient is replaced. */
  kernel: string;
  /** Our kernel for its gradient, registered on the "tensorflow" backend only. */
  gradKernel: string;
  /** TensorFlow's op that computes it. */
  tfOp: string;
  attrs: (kernelAttrs: tf.NamedAttrMap) => ReturnType<typeof attr.float32>[];
}

/** Our kernels for the gradients (on "tensorflow" only, once registerNativeActivationGradients ran): inputs dy and x. */
export const ACTIVATION_GRADIENT_KERNELS = { relu: "CourseReluGrad", leakyRelu: "CourseLeakyReluGrad" } as const;

const ACTIVATIONS: Activation[] = [
  { kernel: "Relu", gradKernel: ACTIVATION_GRADIENT_KERNELS.relu, tfOp: "ReluGrad", attrs: () => [attr.float32("T")] },
  {
    kernel: "LeakyRelu",
    gradKernel: ACTIVATION_GRADIENT_KERNELS.leakyRelu,
    tfOp: "LeakyReluGrad",
    attrs: (a) => [attr.float32("T"), attr.float("alpha", (a as unknown as { alpha: number }).alpha)],
  },
];

export function registerNativeActivationGradients(): boolean {
  return patchOnce("native.activationGradients", () => {
    for (const a of ACTIVATIONS) register(a);
    return true;
  });
}

function register(a: Activation): void {
  const stock = tf.getGradient(a.kernel);
  if (stock == null) throw new Error(`TensorFlow.js has no gradient for ${a.kernel} to replace`);
  tf.registerKernel({
    kernelName: a.gradKernel,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, attrs }) => runOp(a.tfOp, a.attrs(attrs ?? {}), [inputs.dy as tf.Tensor, inputs.x as tf.Tensor]),
  });
  // The gradient of the gradient (second derivatives, e.g. a gradient penalty): linear in dy,
  // and zero almost everywhere in x.
  tf.registerGradient({
    kernelName: a.gradKernel,
    inputsToSave: ["x"],
    gradFunc: (ddx, [x], attrs) => ({
      dy: () => tf.engine().runKernel(a.gradKernel, { dy: ddx as tf.Tensor, x }, attrs) as tf.Tensor,
      x: () => tf.zerosLike(x),
    }),
  });
  replaceGradient({
    kernelName: a.kernel,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      if (!isNativeBackend()) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => tf.engine().runKernel(a.gradKernel, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
    },
  });
}
