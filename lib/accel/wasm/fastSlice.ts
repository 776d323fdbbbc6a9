/**
 * A slice that costs what it copies, on the wasm backend (Slice, and SplitV and Unpack, which slice).
 *
 * tfjs-backend-wasm 4.22's Slice kernel starts with `backend.readSync(x)`, which copies the
 * WHOLE input out of the wasm heap before picking the slice: cutting 64 rows out of a
 * [4096, 512] tensor took ~20 ms, and `tf.split`/`tf.unstack` of a sequence into its time
 * steps (every RNN) cost T such copies. This kernel reads the input through a view of the heap
 * instead (no copy), with the same slicing code otherwise. Results are identical.
 *
 * The view is taken after the output is allocated: allocating may grow the wasm memory, which
 * detaches views taken before.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import { WasmHeapBackend } from "./wasmKernel";

export function patchWasmSlice(): boolean {
  return patchOnce("wasm.slice", patchSliceKernels);
}

function patchSliceKernels(): boolean {
  const original = tf.getKernel("Slice", "wasm");
  if (original == null) return false;
  const slice = (x: tf.TensorInfo, begin: number[], size: number[], args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    if (x.dtype === "string" || x.shape.length > 4) return original.kernelFunc({ ...args, inputs: { x }, attrs: { begin, size } }) as tf.TensorInfo;
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(size, x.dtype);
    const xVals = backend.typedArrayFromHeap(x); // a view, taken after makeOutput
    copySlice(xVals, x.shape, backend.typedArrayFromHeap(out), begin, size);
    return out;
  };
  replaceKernel("wasm", "Slice", () => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    return slice(x, b, s, args);
  });
  // tf.split and tf.unstack: the shipped kernels call the slow slice directly, so they are redone here.
  replaceKernel("wasm", "SplitV", () => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[ax] = n;
      const piece = slice(x, [...begin], size, args);
      begin[ax] += n;
      return piece;
    });
  });
  replaceKernel("wasm", "Unpack", () => (args) => {
    const value = args.inputs.value as tf.TensorInfo;
    let { axis } = args.attrs as unknown as { axis: number };
    if (axis < 0) axis += value.shape.length;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const size = [...value.shape];
    size[axis] = 1;
    return Array.from({ length: value.shape[axis] }, (_, i) => {
      const begin = new Array(value.shape.length).fill(0);
      begin[axis] = i;
      const piece = slice(value, begin, size, args);
      return { dataId: piece.dataId, dtype: piece.dtype, shape: outShape };
    });
  });
  return true;
}

/** Copies the box [begin, begin + size) of a row-major array of `shape` into `out`, a contiguous run at a time. */
function copySlice(x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: number[], out: { set(v: ArrayLike<number>, o: number): void }, begin: number[], size: number[]): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1), 0);
    return;
  }
  const strides = tf.util.computeStrides(shape); // length rank - 1
  const inner = size[rank - 1];
  const outer = size.slice(0, rank - 1);
  const count = outer.reduce((a, b) => a * b, 1);
  const index = new Array(rank - 1).fill(0);
  let outOffset = 0;
  for (let n = 0; n < count; n++) {
    let offset = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) offset += (begin[d] + index[d]) * strides[d];
    out.set(x.subarray(offset, offset + inner), outOffset);
    outOffset += inner;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
}
