/**
 * Bits per character: how many bits a model needs, on average, to encode each next character
 * of a text with an ideal code built from its predicted probabilities:
 *
 *   bpc = −(1/N) Σ_t log₂ p(x_t | x_<t) = cross-entropy in nats / ln 2
 *
 * A uniform guess over V characters costs log₂ V bits (5.55 for 47 characters); a model that
 * knows the text costs fewer. Lower is better. The baseline every character model must beat:
 * the character bigram, p(x_t | x_{t-1}), counted on the training text.
 */
import * as tf from "@tensorflow/tfjs";
import { checkNotEmpty } from "../losses/checks";

/** Mean cross-entropy in bits. logits: [n, vocab] (unnormalised), targets: [n] int ids. */
export function bitsPerCharFromLogits(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  checkNotEmpty("bitsPerCharFromLogits", logits);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits); // [n, vocab]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targets, "int32"), logits.shape[1])), 1); // [n]
    return tf.div(tf.neg(tf.mean(picked)), Math.LN2) as tf.Scalar;
  });
}

/** The character bigram model p(b | a) = (count(a b) + α) / (count(a) + α V), add-α smoothed. */
export class CharBigramModel {
  readonly vocabSize: number;
  readonly alpha: number;
  /** log₂ p(b | a) at [a · V + b]. */
  private readonly logProb: Float64Array;
  /** log₂ p(b), for the first character of a text. */
  private readonly logUnigram: Float64Array;

  constructor(trainIds: ArrayLike<number>, vocabSize: number, alpha = 1) {
    if (!(alpha > 0)) throw new Error(`CharBigramModel: alpha must be > 0 (or unseen pairs get probability 0), got ${alpha}`);
    this.vocabSize = vocabSize;
    this.alpha = alpha;
    const V = vocabSize;
    const pairs = new Float64Array(V * V);
    const singles = new Float64Array(V);
    for (let t = 0; t < trainIds.length; t++) {
      const b = trainIds[t];
      if (!(b >= 0 && b < V)) throw new Error(`CharBigramModel: id ${b} at ${t} is outside 0..${V - 1}`);
      singles[b]++;
      if (t > 0) pairs[trainIds[t - 1] * V + b]++;
    }
    this.logProb = new Float64Array(V * V);
    for (let a = 0; a < V; a++) {
      let rowTotal = 0;
      for (let b = 0; b < V; b++) rowTotal += pairs[a * V + b];
      for (let b = 0; b < V; b++) this.logProb[a * V + b] = Math.log2((pairs[a * V + b] + alpha) / (rowTotal + alpha * V));
    }
    const total = trainIds.length;
    this.logUnigram = Float64Array.from(singles, (n) => Math.log2((n + alpha) / (total + alpha * V)));
  }

  /** p(· | previous) as an array of V probabilities. */
  next(previous: number): Float64Array {
    return Float64Array.from(this.logProb.subarray(previous * this.vocabSize, (previous + 1) * this.vocabSize), (l) => 2 ** l);
  }

  /** Held-out bits per character over ids[1..] (each character predicted from the one before it). */
  bitsPerChar(ids: ArrayLike<number>): number {
    let bits = 0;
    for (let t = 1; t < ids.length; t++) bits -= this.logProb[ids[t - 1] * this.vocabSize + ids[t]];
    return bits / (ids.length - 1);
  }

  /** Held-out bits per character of the unigram (no context at all), for comparison. */
  unigramBitsPerChar(ids: ArrayLike<number>): number {
    let bits = 0;
    for (let t = 0; t < ids.length; t++) bits -= this.logUnigram[ids[t]];
    return bits / ids.length;
  }
}
