/**
 * Running one TensorFlow op by name on the native backend (tfjs-node, "tensorflow").
 *
 * tfjs-node executes every kernel as a TensorFlow eager op (TFE_Execute) through its binding;
 * the same door takes any op in TensorFlow's registry, including fused ones TensorFlow.js never
 * calls (ResourceApplyAdam, ReluGrad). Attributes follow the op's definition in TensorFlow's
 * `ops.pbtxt`; resource handles come back as tensors of dtype "string" (tfjs-node's convention).
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-node's NodeJSKernelBackend and its binding that lib/accel/native uses (tfjs-node's typings export neither). */
export interface NativeBackend {
  binding: {
    TF_FLOAT: number;
    TF_INT32: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_ATTR_SHAPE: number;
    createTensor(shape: number[], dtype: number, values: Int32Array): number;
    deleteTensor(id: number): void;
    executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): unknown[];
  };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
  getDTypeInteger(dtype: tf.DataType): number;
  getInputTensorIds(tensors: tf.TensorInfo[]): number[];
  createOutputTensor(metadata: unknown): tf.Tensor;
  incRef(dataId: tf.DataId): void;
}

export interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/** True when the current backend runs TensorFlow's C++ kernels (tfjs-node or tfjs-node-gpu). */
export function isNativeBackend(): boolean {
  return tf.getBackend() === "tensorflow";
}

function native(): NativeBackend {
  if (!isNativeBackend()) throw new Error(`native TensorFlow op requested on the "${tf.getBackend()}" backend`);
  return tf.backend() as unknown as NativeBackend;
}

/** Attribute builders, named after TensorFlow's attribute kinds. */
export const attr = {
  float32: (name: string): OpAttr => ({ name, type: native().binding.TF_ATTR_TYPE, value: native().binding.TF_FLOAT }),
  int: (name: string, value: number): OpAttr => ({ name, type: native().binding.TF_ATTR_INT, value }),
  float: (name: string, value: number): OpAttr => ({ name, type: native().binding.TF_ATTR_FLOAT, value }),
  bool: (name: string, value: boolean): OpAttr => ({ name, type: native().binding.TF_ATTR_BOOL, value }),
  string: (name: string, value: string): OpAttr => ({ name, type: native().binding.TF_ATTR_STRING, value }),
  /** list(string): only the binding built by `npm run setup:native` takes it (tools/native/setup.ts, patchBinding). */
  strings: (name: string, value: string[]): OpAttr => ({ name, type: native().binding.TF_ATTR_STRING, value }),
  shape: (name: string, value: number[]): OpAttr => ({ name, type: native().binding.TF_ATTR_SHAPE, value }),
};

/** Runs op `name` and returns its only output. */
export function runOp(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor {
  return native().executeSingleOutput(name, attrs, inputs);
}

/** Runs op `name` and returns its `numOutputs` outputs. */
export function runOpOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[] {
  return native().executeMultipleOutputs(name, attrs, inputs, numOutputs);
}

const capabilities = new Map<string, { backend: tf.KernelBackend; present: boolean }>();

/**
 * Whether the native backend can do `name` (an op of the course's kernels, an attribute kind),
 * found out by running `probe` once per backend instance: true when it runs without throwing.
 * False on every other backend. A probe may end by registering what depends on the capability:
 * it runs once, and only on success gets that far.
 */
export function nativeCapability(name: string, probe: () => void): boolean {
  if (!isNativeBackend()) return false;
  const backend = tf.backend();
  let known = capabilities.get(name);
  if (known?.backend !== backend) {
    let present = true;
    try {
      tf.tidy(probe);
    } catch {
      present = false;
    }
    known = { backend, present };
    capabilities.set(name, known);
  }
  return known.present;
}

/** Runs op `name` for its effect (ops with no outputs, like AssignVariableOp). */
export function runOpForEffect(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): void {
  native().executeMultipleOutputs(name, attrs, inputs, 0);
}
