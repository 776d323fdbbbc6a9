/**
 * Sums and means over the leading axes on the wasm backend, as one matrix product.
 *
 * Every bias gradient is such a sum (∂L/∂b = Σ_rows dy: [2048, 256] → [256] in a transformer
 * block's FFN), and batch norm's moments are means over [batch, height, width]. tfjs-backend-wasm
 * 4.22 reduces only over the innermost axes, so it first transposes the input, and its
 * transpose of a tall matrix is slow: 4.7 ms for that [2048, 256] sum, about a tenth of the
 * transformer block's step on wasm. Viewed as X [rows, cols], the sum over rows is
 * ones[1, rows] · X, one product on XNNPACK: 0.17 ms. XNNPACK accumulates each column over the
 * rows in order, as the shipped kernel does after its transpose (tests/lib/wasmSpeed.spec.ts checks both against the cpu backend).
 *
 * Other reductions (inner axes, all axes, int32) keep the shipped kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import { WasmHeapBackend } from "./wasmKernel";

/** Below this many elements the shipped kernel's transpose is cheap anyway. */
const MIN_ELEMENTS = 4096;

export function patchWasmReduce(): boolean {
  return patchOnce("wasm.reduce", () => {
    const matMul = tf.getKernel("BatchMatMul", "wasm");
    if (matMul == null) return false;
    const sum = replaceKernel("wasm", "Sum", (original) => leadingAxes(original, matMul.kernelFunc, "sum"));
    const mean = replaceKernel("wasm", "Mean", (original) => leadingAxes(original, matMul.kernelFunc, "mean"));
    return sum && mean;
  });
}

function leadingAxes(original: tf.KernelFunc, matMul: tf.KernelFunc, kind: "sum" | "mean"): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const n = x.shape.reduce((p, d) => p * d, 1);
    if (x.dtype !== "float32" || !leading || n < MIN_ELEMENTS) return original(args);

    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const cols = n / rows;
    const backend = args.backend as unknown as WasmHeapBackend;
    const weights = backend.makeOutput([1, rows], "float32"); // ones (sum) or 1/rows (mean)
    backend.typedArrayFromHeap(weights).fill(kind === "sum" ? 1 : 1 / rows);
    try {
      const out = matMul({
        inputs: { a: { ...weights, shape: [1, 1, rows] }, b: { ...x, shape: [1, rows, cols] } },
        attrs: { transposeA: false, transposeB: false },
        backend: args.backend,
      }) as tf.TensorInfo; // [1, 1, cols]
      const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
      return { ...out, shape: outShape };
    } finally {
      backend.disposeData(weights.dataId);
    }
  };
}
