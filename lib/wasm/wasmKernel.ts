/**
 * The two things every course patch of the wasm backend needs: the part of the backend they
 * touch, and a way to swap one of its kernels, once per process.
 *
 * Once per process, not per module: tfjs keeps one kernel registry per process, and the same
 * lib file can be loaded twice into one (tsx in the specs, tslab's own compiler in notebooks).
 * A patch applied twice would wrap its own wrapper.
 */
import * as tf from "@tensorflow/tfjs";

/** What the course's kernels use of tfjs-backend-wasm's backend object (its typings do not export it). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /**
   * A view of a tensor's bytes in the wasm heap, not a copy. Take views after every
   * makeOutput: allocating may grow the heap, which detaches the views taken before.
   */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): boolean;
}

/** Runs `patch` unless a patch of this name already ran in this process; true when it ran and succeeded. */
export function patchOnce(name: string, patch: () => boolean): boolean {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  const key = Symbol.for(`course.wasm.${name}`);
  if (registry[key]) return false;
  if (!patch()) return false;
  registry[key] = true;
  return true;
}

/** Replaces the wasm kernel `kernelName` by `wrap(original)`; false when wasm has no such kernel. */
export function replaceWasmKernel(kernelName: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(kernelName, "wasm");
  if (original == null) return false;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
  return true;
}
