/**
 * A few of the library's ops are written as the maths in plain TensorFlow.js ops and may also
 * run as one kernel, where the current backend has a kernel of the op's name in TensorFlow.js's
 * kernel registry (tf.registerKernel). lib/accel registers such kernels when the backend starts
 * (the native backend's fused dense product and whole-sequence LSTM); every other backend runs
 * the maths. The kernel gives the same numbers, to float32 rounding.
 */
import * as tf from "@tensorflow/tfjs";

/** True when the current backend has a kernel registered under `name`. */
export function backendHasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

/** Runs the current backend's kernel `name`; its outputs, as a list. Differentiable when a gradient of that name is registered. */
export function runBackendKernel(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}
