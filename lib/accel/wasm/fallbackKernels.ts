/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 does not register but the course's models
 * need for training, run on the pure-JS cpu backend instead:
 *
 *   UnsortedSegmentSum                     gradient of gather, so of every embedding layer
 *   Conv2DBackpropFilter                   gradient of conv2d's filter (conv nets, U-Net, DCGAN):
 *                                          NHWC runs on wasm as im2col + one product
 *                                          (convFilterGrad.ts); only NCHW goes to cpu
 *   DepthwiseConv2dNativeBackpropFilter    gradients of depthwise conv
 *   DepthwiseConv2dNativeBackpropInput
 *   Einsum
 *
 * A forwarded kernel copies its inputs out of the wasm heap, runs the cpu kernel, and copies
 * the outputs back: correct, and fast enough for the sizes a course uses. A kernel listed here
 * that a later wasm release does register is left alone.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dFilterGradIm2col } from "./convFilterGrad";

export const WASM_FALLBACK_KERNELS = [
  "UnsortedSegmentSum",
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "Einsum",
] as const;

// The slice of a backend this file relies on: both wasm and cpu backends have these.
interface RawBackend {
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

const forwarded = new Set<string>();

/** The kernels that now run on cpu on behalf of wasm. */
export function forwardedKernels(): string[] {
  return [...forwarded];
}

/** Registers a cpu-forwarding wasm kernel for each missing name; returns the names it added. */
export function registerWasmFallbacks(names: readonly string[] = WASM_FALLBACK_KERNELS): string[] {
  const added: string[] = [];
  for (const kernelName of names) {
    if (tf.getKernel(kernelName, "wasm") != null) continue;
    const cpuKernel = tf.getKernel(kernelName, "cpu");
    if (cpuKernel == null) throw new Error(`No cpu kernel "${kernelName}" to fall back on`);
    const viaCpu = forwardToCpu(cpuKernel);
    const kernelFunc: tf.KernelFunc =
      kernelName === "Conv2DBackpropFilter" ? (args) => conv2dFilterGradIm2col(args) ?? viaCpu(args) : viaCpu;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    added.push(kernelName);
    if (kernelName !== "Conv2DBackpropFilter") forwarded.add(kernelName); // that one runs on wasm (NHWC)
  }
  return added;
}

/** A wasm kernel that runs `cpuKernel` on copies of its inputs and copies the outputs back. */
export function forwardToCpu(cpuKernel: tf.KernelConfig): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as RawBackend;
    const cpu = tf.findBackend("cpu") as unknown as RawBackend;
    if (cpu == null) throw new Error("the cpu backend is not available for a wasm fallback kernel");
    // The cpu backend prints a "install tfjs-node" banner on its first write; as a helper of wasm it is noise.
    (cpu as unknown as { firstUse: boolean }).firstUse = false;

    const cpuInputs: tf.NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      cpuInputs[name] = { dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
    }
    try {
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu as unknown as tf.KernelBackend });
      const outs = Array.isArray(out) ? out : [out];
      const copied = outs.map((o) => {
        const dataId = wasm.write(cpu.readSync(o.dataId), o.shape, o.dtype);
        cpu.disposeData(o.dataId, true);
        return { dataId, shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? copied : copied[0];
    } finally {
      for (const t of Object.values(cpuInputs)) if (t) cpu.disposeData(t.dataId, true);
    }
  };
}
