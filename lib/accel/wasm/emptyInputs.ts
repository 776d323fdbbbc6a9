/**
 * Kernels given an empty tensor run on the cpu backend on wasm's behalf.
 *
 * tfjs-backend-wasm 4.22 reduces and multiplies empty tensors without initialising its output:
 * tf.sum(tf.zeros([0, 10])) gives ≈ 3.6e-41 (stray heap memory) where the cpu backend gives 0,
 * a product [2, 0]·[0, 3] is not all zeros, and transposing an empty 4-D tensor throws "divide
 * by zero". Rather than list which kernels go wrong, every wasm kernel with an empty input is
 * forwarded to the cpu backend's kernel of the same name, which defines them (sum 0, product
 * zeros, max −∞, …). Empty tensors are rare, so this costs a size check per kernel call.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import { forwardToCpu } from "./fallbackKernels";

export function forwardEmptyInputsToCpu(): boolean {
  return patchOnce("wasm.emptyInputs", () => {
    for (const { kernelName } of tf.getKernelsForBackend("wasm")) {
      const cpuKernel = tf.getKernel(kernelName, "cpu");
      if (cpuKernel == null) continue;
      const viaCpu = forwardToCpu(cpuKernel);
      replaceKernel("wasm", kernelName, (original) => (args) => (hasEmptyInput(args.inputs) ? viaCpu(args) : original(args)));
    }
    return true;
  });
}

function hasEmptyInput(inputs: tf.NamedTensorInfoMap): boolean {
  for (const name in inputs) {
    const t = inputs[name];
    if (t != null && t.shape.length > 0 && t.shape.includes(0)) return true;
  }
  return false;
}
