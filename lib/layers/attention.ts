/**
 * Scaled dot-product attention (Vaswani et al., 2017), the operation inside every transformer:
 *
 *   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V
 *
 * where M is 0 where a query may look at a key and −∞ where it may not: exp(−∞) = 0, so a masked
 * key gets exactly zero weight whatever the scores (a large finite stand-in such as −1e9 stops
 * working in float32 once the scores are large: −1e9 + 40 rounds to −1e9 + 64). Masks in this
 * library are given the friendly way round, as m = 1 to keep and 0 to mask, and turned into
 * M = log m here, so that a padding mask and a causal mask combine by multiplication.
 *
 * A query whose keys are all masked (a row of padding, say) has nothing to attend to: softmax
 * of a row of −∞ is 0/0. Its weights are all 0 here, so its output is the zero vector and no
 * gradient flows through it.
 *
 * Shapes are [batch, heads, time, headDim]. The two products are batched matrix products; on
 * the wasm backend those are slow (about 0.5 GFLOP/s against 20+ for plain 2-D products,
 * ../../shared FACTS), so the library keeps them to exactly two per attention call, each over
 * all batch × heads at once, and scales Q (small) rather than the scores (large).
 */
import * as tf from "@tensorflow/tfjs";

export interface AttentionResult {
  /** output: [batch, heads, tq, headDim] */
  output: tf.Tensor4D;
  /** weights: [batch, heads, tq, tk], each row sums to 1 (or is all 0 where every key is masked) */
  weights: tf.Tensor4D;
}

/**
 * softmax(q kᵀ / √headDim, masked) · v.
 *
 * q: [batch, heads, tq, headDim], k and v: [batch, heads, tk, headDim].
 * mask (optional): broadcastable to [batch, heads, tq, tk]; 1 = may attend, 0 = masked.
 * dropoutRate (optional, training only): drops attention weights before they mix the values;
 * the returned `weights` are the ones before dropout.
 */
export function scaledDotProductAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor | null, dropoutRate = 0): AttentionResult {
  checkAttentionShapes(q, k, v, mask);
  return tf.tidy(() => {
    const { weights } = attentionWeights(q, k, mask == null ? null : maskTerms(mask));
    const mixing = dropoutRate > 0 ? tf.dropout(weights, dropoutRate) : weights;
    const output = tf.matMul(mixing, v) as tf.Tensor4D; // [b, h, tq, d]
    return { output, weights };
  });
}

/**
 * The same output, softmax(q kᵀ / √headDim, masked) · v, with its gradient written out, for
 * training: the attention weights stay inside (ask `scaledDotProductAttention` for them).
 *
 * Forward, with P the weights and O the output:  S = (q/√d) kᵀ + M,  P = softmax(S),  O = P v.
 * Backward, from ∂L/∂O = dO (as FlashAttention's, Dao et al. 2022):
 *
 *   dv = Pᵀ dO        dP = dO vᵀ        dS = P ⊙ (dP − D),  D = rowsum(dO ⊙ O)
 *   dq = dS k / √d    dk = dSᵀ q / √d
 *
 * D is softmax's rowsum(dP ⊙ P), which equals rowsum(dO ⊙ O) since O = P v: summed over
 * headDim instead of over the keys, it never reads a full [tq, tk] tensor. Softmax's backward
 * then makes two passes over the [batch, heads, tq, tk] scores instead of four.
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor | null): tf.Tensor4D {
  checkAttentionShapes(q, k, v, mask);
  const scale = 1 / Math.sqrt(q.shape[3]);
  // The mask is data, never differentiated: a constant of this call's function, not an input.
  const masking = mask == null ? null : maskTerms(mask);
  const withGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [query, key, value, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const { scaled, weights } = attentionWeights(query, key, masking);
    const output = tf.matMul(weights, value) as tf.Tensor4D; // [b, h, tq, d]
    save([scaled, key, value, weights, output]);
    return {
      value: output,
      gradFunc: (dy, [qs, kk, vv, p, o]) => {
        const dO = dy as tf.Tensor4D;
        const dV = tf.matMul(p, dO, true, false); // [b, h, tk, d]
        const dP = tf.matMul(dO, vv, false, true); // [b, h, tq, tk]
        const rowDot = tf.sum(tf.mul(dO, o), -1, true); // D: [b, h, tq, 1]
        const dS = tf.mul(p, tf.sub(dP, rowDot)); // [b, h, tq, tk]
        const dQ = tf.mul(tf.matMul(dS, kk), scale); // [b, h, tq, d]
        const dK = tf.matMul(dS, qs, true, false); // [b, h, tk, d]
        return [dQ, dK, dV];
      },
    };
  }) as (query: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D) => tf.Tensor4D;
  try {
    return withGradient(q, k, v);
  } finally {
    if (masking) tf.dispose([masking.bias, ...(masking.rowKept ? [masking.rowKept] : [])]);
  }
}

/** What a mask (1 = keep, 0 = masked; the mask's own, small shape) does to the scores and weights. */
type MaskTerms = {
  /** M = log m: 0 where kept, −∞ where masked (0 in rows where every key is masked, which rowKept zeroes instead) */
  bias: tf.Tensor;
  /** 1 for rows with a key left, 0 for rows with none: [..., tq or 1, 1]; absent when every row keeps a key */
  rowKept?: tf.Tensor;
};

function maskTerms(mask: tf.Tensor): MaskTerms {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const rowKept = tf.max(m, -1, true); // [..., tq or 1, 1]: 1 if the row keeps a key, else 0
    if (tf.min(rowKept).dataSync()[0] > 0) return { bias: tf.log(m) }; // every row keeps a key (a read of the mask's own small shape)
    return { bias: tf.log(tf.maximum(m, tf.sub(1, rowKept))), rowKept };
  });
}

/** q/√d: [b, h, tq, d], and the weights softmax((q/√d) kᵀ + M): [b, h, tq, tk], rows summing to 1 over the keys. */
function attentionWeights(q: tf.Tensor4D, k: tf.Tensor4D, masking: MaskTerms | null): { scaled: tf.Tensor4D; weights: tf.Tensor4D } {
  const scaled = tf.mul(q, 1 / Math.sqrt(q.shape[3])) as tf.Tensor4D; // [b, h, tq, d]
  let scores = tf.matMul(scaled, k, false, true); // [b, h, tq, tk]
  if (masking != null) scores = tf.add(scores, masking.bias);
  let weights = tf.softmax(scores, -1) as tf.Tensor4D;
  if (masking?.rowKept != null) weights = tf.mul(weights, masking.rowKept); // rows with every key masked: 0, not softmax's 0/0
  return { scaled, weights };
}

function checkAttentionShapes(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor | null): void {
  const s = (t: tf.Tensor) => `[${t.shape.join(", ")}]`;
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw new Error(`attention wants q, k, v of shape [batch, heads, time, headDim]; got q ${s(q)}, k ${s(k)}, v ${s(v)}`);
  }
  if (q.shape[3] !== k.shape[3]) throw new Error(`attention: q and k must share headDim; got q ${s(q)}, k ${s(k)}`);
  if (k.shape[2] !== v.shape[2]) throw new Error(`attention: k and v must have the same number of keys; got k ${s(k)}, v ${s(v)}`);
  if (q.shape[0] !== k.shape[0] || q.shape[1] !== k.shape[1] || k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) {
    throw new Error(`attention: batch and heads must agree; got q ${s(q)}, k ${s(k)}, v ${s(v)}`);
  }
  if (mask != null) {
    const target = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]];
    const m = mask.shape;
    if (m.length > 4) throw new Error(`attention mask ${s(mask)} has more than 4 dimensions`);
    const padded = [...new Array(4 - m.length).fill(1), ...m];
    padded.forEach((d, i) => {
      if (d !== 1 && d !== target[i]) {
        throw new Error(`attention mask ${s(mask)} does not broadcast to [batch, heads, tq, tk] = [${target.join(", ")}]`);
      }
    });
  }
}

/**
 * The causal ("look-ahead") mask: position i may attend to positions 0..i only.
 * Returns [1, 1, t, t], lower triangle of ones.
 */
export function causalMask(t: number): tf.Tensor4D {
  if (!(Number.isInteger(t) && t > 0)) throw new Error(`causalMask: length must be a positive integer, got ${t}`);
  return tf.tidy(() => tf.linalg.bandPart(tf.ones([t, t]), -1, 0).reshape([1, 1, t, t]) as tf.Tensor4D);
}

/**
 * The padding mask: no query may attend to a padding token.
 * tokenIds: [batch, t] → [batch, 1, 1, t], 1 where the token is real, 0 where it is `padId`.
 */
export function paddingMask(tokenIds: tf.Tensor2D, padId: number): tf.Tensor4D {
  if (tokenIds.rank !== 2) throw new Error(`paddingMask wants token ids of shape [batch, time], got [${tokenIds.shape.join(", ")}]`);
  const [b, t] = tokenIds.shape;
  return tf.tidy(() => tf.cast(tf.notEqual(tokenIds, padId), "float32").reshape([b, 1, 1, t]) as tf.Tensor4D);
}

/** Both at once, for a decoder that reads padded input: [batch, 1, t, t]. */
export function causalPaddingMask(tokenIds: tf.Tensor2D, padId: number): tf.Tensor4D {
  return tf.tidy(() => tf.mul(paddingMask(tokenIds, padId), causalMask(tokenIds.shape[1])) as tf.Tensor4D);
}
