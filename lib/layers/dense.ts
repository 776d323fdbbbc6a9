/**
 * A dense (fully connected) layer's arithmetic on a batch of rows:
 *
 *   y = act(x W + b)        x: [rows, in], W: [in, units], b: [units] → y: [rows, units]
 *
 * with act the identity ("linear") or ReLU. Differentiated by TensorFlow.js as written:
 *
 *   ∂L/∂x = g Wᵀ        ∂L/∂W = xᵀ g        ∂L/∂b = Σ_rows g        (g = ∂L/∂y through act)
 *
 * A backend may run it as one kernel named DENSE_KERNEL instead (../kernels.ts); the native
 * backend does, where TensorFlow fuses product, bias and ReLU.
 */
import * as tf from "@tensorflow/tfjs";
import { backendHasKernel, runBackendKernel } from "../kernels";

export type DenseActivation = "linear" | "relu";

/** The kernel's name: inputs x, kernel, bias; attribute activation. */
export const DENSE_KERNEL = "CourseDense";

/** x: [rows, in], kernel: [in, units], bias: [units] or null → act(x·kernel + bias): [rows, units] */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, activation: DenseActivation = "linear"): tf.Tensor2D {
  checkShapes(x, kernel, bias);
  if (bias != null && backendHasKernel(DENSE_KERNEL)) return runBackendKernel(DENSE_KERNEL, { x, kernel, bias }, { activation })[0] as tf.Tensor2D;
  return tf.tidy(() => {
    let y = tf.matMul(x, kernel); // [rows, units]
    if (bias != null) y = tf.add(y, bias);
    return (activation === "relu" ? tf.relu(y) : y) as tf.Tensor2D;
  });
}

function checkShapes(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): void {
  const fits = x.rank === 2 && kernel.rank === 2 && x.shape[1] === kernel.shape[0] && (bias == null || (bias.rank === 1 && bias.shape[0] === kernel.shape[1]));
  if (!fits) {
    const s = (t: tf.Tensor | null) => (t == null ? "none" : `[${t.shape.join(", ")}]`);
    throw new Error(`dense wants x [rows, in], kernel [in, units], bias [units]; got x ${s(x)}, kernel ${s(kernel)}, bias ${s(bias)}`);
  }
}
