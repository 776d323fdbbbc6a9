/**
 * Multi-head attention spelled out the slow, obvious way, as a check on the layer: one batch
 * element and one head at a time, with plain 2-D products and an explicit softmax.
 *
 *   for each example b and head i:
 *     Q_i = X_q W^Q[:, cols_i] + b^Q[cols_i]        (same for K_i and V_i from X_kv)
 *     A_i = softmax(Q_i K_iᵀ / √d_k  + mask)         rows sum to 1; masked keys 0 (all 0 when none is left)
 *     H_i = A_i V_i
 *   Y_b = [H_1 … H_h] W^O + b^O
 */
import * as tf from "@tensorflow/tfjs";
import { MultiHeadAttention } from "./multiHeadAttention";

/** query: [batch, tq, dModel], keyValue: [batch, tk, dModel], mask broadcastable to [batch, heads, tq, tk] (1 = keep). */
export function multiHeadAttentionReference(layer: MultiHeadAttention, query: tf.Tensor3D, keyValue: tf.Tensor3D, mask: tf.Tensor | null = null): tf.Tensor3D {
  const { wq, wk, wv, wo, bq, bk, bv, bo } = layer.projections();
  const h = layer.numHeads;
  const dk = layer.headDim;
  const [batch, tq] = query.shape;
  const tk = keyValue.shape[1];
  return tf.tidy(() => {
    const fullMask = mask == null ? null : tf.broadcastTo(mask, [batch, h, tq, tk]);
    const rows: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) {
      const xq = query.slice([b, 0, 0], [1, tq, layer.dModel]).reshape([tq, layer.dModel]) as tf.Tensor2D;
      const xkv = keyValue.slice([b, 0, 0], [1, tk, layer.dModel]).reshape([tk, layer.dModel]) as tf.Tensor2D;
      const heads: tf.Tensor2D[] = [];
      for (let i = 0; i < h; i++) {
        const cols = (w: tf.Tensor2D) => w.slice([0, i * dk], [layer.dModel, dk]);
        const bias = (v: tf.Tensor1D | undefined) => (v ? v.slice([i * dk], [dk]) : tf.zeros([dk]));
        const qi = tf.add(tf.matMul(xq, cols(wq)), bias(bq)); // [tq, dk]
        const ki = tf.add(tf.matMul(xkv, cols(wk)), bias(bk)); // [tk, dk]
        const vi = tf.add(tf.matMul(xkv, cols(wv)), bias(bv)); // [tk, dk]
        let scores = tf.div(tf.matMul(qi, tf.transpose(ki)), Math.sqrt(dk)); // [tq, tk]
        const keep = fullMask ? tf.notEqual(fullMask.slice([b, i, 0, 0], [1, 1, tq, tk]).reshape([tq, tk]), 0) : tf.onesLike(scores).cast("bool");
        scores = tf.where(keep, scores, tf.fill([tq, tk], -Infinity)); // masked: −∞
        const e = tf.exp(tf.sub(scores, tf.max(scores, 1, true)));
        const a = tf.where(keep, tf.div(e, tf.sum(e, 1, true)), tf.zerosLike(e)); // softmax over the kept keys; a row with none: 0
        heads.push(tf.matMul(a, vi) as tf.Tensor2D); // [tq, dk]
      }
      const concat = tf.concat(heads, 1); // [tq, dModel]
      rows.push(tf.add(tf.matMul(concat, wo), bo ?? tf.zeros([layer.dModel])) as tf.Tensor2D);
    }
    return tf.stack(rows) as tf.Tensor3D; // [batch, tq, dModel]
  });
}
