/**
 * The part of the wasm backend the course's kernels touch. (Swapping a kernel, once per
 * process: ../patch.ts.)
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
