/**
 * The baseline every text model must beat: bag-of-words logistic regression.
 *
 * A sentence becomes a vector with one entry per word of the training vocabulary (1 if the word
 * occurs, else 0: word order is thrown away); a single linear layer and a sigmoid give
 * P(positive). Trained full-batch with Adam on the cross-entropy plus an L2 penalty
 * (../train/bagOfWordsTraining.ts).
 *
 * The vectors are almost all zeros (a sentence has ~15 of ~5,000 words), so the product x · w is
 * computed sparsely: look up the weights of the words present and add them up per sentence. That
 * is the same number, without a [sentences, words] matrix (whose backward pass is slow on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { preTokenize } from "../text/wordPiece";

/** Which words each sentence holds: word indices padded to the longest sentence, and a 0/1 mask. */
export interface SparseBag {
  /** [sentences, maxWords] int32 word indices (0 where padded) */
  wordIds: tf.Tensor2D;
  /** [sentences, maxWords] 1 = a word, 0 = padding */
  present: tf.Tensor2D;
}

export class BagOfWordsClassifier {
  private constructor(
    readonly words: readonly string[],
    private readonly index: Map<string, number>,
    /** weights: [words] */
    readonly weights: tf.Variable,
    /** bias: [1] */
    readonly bias: tf.Variable,
  ) {}

  /**
   * An untrained classifier (all weights 0) whose vocabulary is the words of `texts`, each kept
   * when it occurs in at least `minCount` of them.
   */
  static withVocabulary(texts: readonly string[], minCount = 1): BagOfWordsClassifier {
    const documentFrequency = new Map<string, number>();
    for (const t of texts) for (const w of new Set(preTokenize(t))) documentFrequency.set(w, (documentFrequency.get(w) ?? 0) + 1);
    const words = [...documentFrequency].filter(([, c]) => c >= minCount).map(([w]) => w).sort();
    const index = new Map(words.map((w, i) => [w, i]));
    const [w0, b0] = [tf.zeros([words.length]), tf.zeros([1])];
    const model = new BagOfWordsClassifier(words, index, tf.variable(w0), tf.variable(b0));
    tf.dispose([w0, b0]); // the variables hold their own reference
    return model;
  }

  /** The sparse word-presence vectors (each distinct known word once; unknown words are ignored). */
  featurize(texts: readonly string[]): SparseBag {
    const perText = texts.map((t) => [...new Set(preTokenize(t))].map((w) => this.index.get(w)).filter((j): j is number => j !== undefined));
    const width = Math.max(1, ...perText.map((ids) => ids.length));
    const ids = new Int32Array(texts.length * width);
    const present = new Float32Array(texts.length * width);
    perText.forEach((list, row) => list.forEach((j, k) => ((ids[row * width + k] = j), (present[row * width + k] = 1))));
    return { wordIds: tf.tensor2d(ids, [texts.length, width], "int32"), present: tf.tensor2d(present, [texts.length, width]) };
  }

  /** logits: [n] = Σ over the words present of their weight, plus the bias. */
  logits(x: SparseBag): tf.Tensor1D {
    return tf.tidy(() => {
      const w = tf.gather(this.weights, x.wordIds); // [n, maxWords]: the weight of each word present
      return tf.add(tf.sum(tf.mul(w, x.present), 1), this.bias) as tf.Tensor1D;
    });
  }

  /** P(positive) per text. */
  predictProba(texts: readonly string[]): Float32Array {
    const x = this.featurize(texts);
    const p = tf.tidy(() => tf.sigmoid(this.logits(x)));
    const out = p.dataSync() as Float32Array;
    tf.dispose([p, x.wordIds, x.present]);
    return out;
  }

  accuracy(texts: readonly string[], labels: readonly number[]): number {
    const p = this.predictProba(texts);
    let right = 0;
    labels.forEach((y, i) => (right += Number((p[i] >= 0.5 ? 1 : 0) === y)));
    return right / labels.length;
  }

  /** The words pushing hardest towards each class. */
  topWords(k = 10): { positive: string[]; negative: string[] } {
    const w = Array.from(this.weights.dataSync());
    const order = w.map((v, i) => i).sort((a, b) => w[b] - w[a]);
    return { positive: order.slice(0, k).map((i) => this.words[i]), negative: order.slice(-k).reverse().map((i) => this.words[i]) };
  }

  dispose(): void {
    tf.dispose([this.weights, this.bias]);
  }
}
