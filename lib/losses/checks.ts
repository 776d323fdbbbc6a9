/**
 * What every loss checks before it computes: that prediction and target have the same shape,
 * and that there is something to average. A mean over an empty batch has no value; rather than
 * return a number that means nothing (0 on one backend, stray memory on another), the losses
 * say what is wrong.
 */
import * as tf from "@tensorflow/tfjs";

/** Throws unless `a` (the prediction) and `b` (the target) have the same shape. */
export function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: prediction has shape [${a.shape}] but target has shape [${b.shape}]`);
  }
}

/** Throws when a tensor the loss averages over holds no values (an empty batch). */
export function checkNotEmpty(what: string, ...tensors: tf.Tensor[]): void {
  for (const t of tensors) {
    if (t.size === 0) throw new Error(`${what}: the batch is empty (shape [${t.shape}]); a mean over no examples has no value`);
  }
}
