/**
 * Judging generated samples without looking at them.
 *
 * For digits, a classifier trained on real MNIST reads every sample and gives p(y | x):
 *   - confident share:  the fraction of samples whose top class has p ≥ 0.9 (does it look like *a* digit?)
 *   - class entropy:    entropy of the histogram of predicted classes, in nats (does G make *every* digit?
 *                       ln 10 ≈ 2.30 when all ten are equally common; mode collapse drives it down)
 *   - inception score:  exp(E_x KL(p(y|x) ‖ p(y))), with p(y) the mean prediction (Salimans et al. 2016,
 *                       here with an MNIST classifier instead of Inception): high when each sample is
 *                       confidently one class and the classes are spread. At most 10; real MNIST ≈ 9.9.
 *
 * For the 1-D toy GAN: the total-variation distance between histograms, ½ Σ_i |p_i − q_i| ∈ [0, 1].
 */
import * as tf from "@tensorflow/tfjs";

export interface ClassifierSampleScores {
  count: number;
  /** Fraction of samples with top-class probability ≥ threshold (0.9). */
  confidentShare: number;
  threshold: number;
  /** How many samples fall in each predicted class (argmax). */
  classCounts: number[];
  /** Entropy of classCounts / count, in nats. */
  classEntropy: number;
  inceptionScore: number;
  /** Mean top-class probability. */
  meanConfidence: number;
}

/** Scores from class probabilities, rows of `probs`: [count, classes] (each row sums to 1). */
export function scoreClassProbabilities(probs: Float32Array | number[], classes: number, threshold = 0.9): ClassifierSampleScores {
  const count = probs.length / classes;
  if (!Number.isInteger(count) || count === 0) throw new Error(`scoreClassProbabilities: ${probs.length} values are not rows of ${classes} classes`);
  const classCounts = new Array(classes).fill(0);
  const marginal = new Float64Array(classes);
  let confident = 0;
  let confidenceSum = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c];
      marginal[c] += p / count;
      if (p > probs[i * classes + best]) best = c;
    }
    const top = probs[i * classes + best];
    classCounts[best]++;
    confidenceSum += top;
    if (top >= threshold) confident++;
  }
  // IS = exp( mean_i Σ_c p(c|x_i) [log p(c|x_i) − log p(c)] ); 0·log 0 counts as 0.
  let klSum = 0;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c];
      if (p > 0) klSum += p * (Math.log(p) - Math.log(marginal[c]));
    }
  }
  return {
    count,
    confidentShare: confident / count,
    threshold,
    classCounts,
    classEntropy: entropyOfCounts(classCounts),
    inceptionScore: Math.exp(klSum / count),
    meanConfidence: confidenceSum / count,
  };
}

/** Runs the classifier over images [n, 784] (in batches, no leaks) and scores its predictions. */
export function scoreWithClassifier(classifier: tf.LayersModel, images: tf.Tensor, options: { batchSize?: number; threshold?: number } = {}): ClassifierSampleScores {
  const probs = tf.tidy(() => classifier.predict(images, { batchSize: options.batchSize ?? 500 }) as tf.Tensor2D); // [n, 10]
  const values = probs.dataSync() as Float32Array;
  const classes = probs.shape[1];
  probs.dispose();
  return scoreClassProbabilities(values, classes, options.threshold ?? 0.9);
}

/** Entropy (nats) of the distribution proportional to counts. */
export function entropyOfCounts(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total <= 0) throw new Error("entropyOfCounts: the counts are all zero");
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Bin edges: `bins` equal bins from min to max (bins + 1 numbers). */
export function binEdges(min: number, max: number, bins: number): number[] {
  if (!(max > min) || !(Number.isInteger(bins) && bins > 0)) throw new Error(`binEdges: need max > min and a positive whole number of bins (got ${min}, ${max}, ${bins})`);
  return Array.from({ length: bins + 1 }, (_, i) => min + ((max - min) * i) / bins);
}

/** Counts per bin [edges[i], edges[i+1]) (the last bin includes its right edge), plus what fell outside. */
export function histogramCounts(values: ArrayLike<number>, edges: ArrayLike<number>): { counts: number[]; below: number; above: number } {
  const bins = edges.length - 1;
  const counts = new Array(bins).fill(0);
  let below = 0;
  let above = 0;
  const lo = edges[0];
  const hi = edges[bins];
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) below++;
    else if (v > hi || Number.isNaN(v)) above++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { counts, below, above };
}

/** ½ Σ |p_i − q_i| after normalising both to sum 1: 0 for the same histogram, 1 for disjoint ones. */
export function totalVariationDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`totalVariationDistance: histograms of ${p.length} and ${q.length} bins`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || q[i] < 0) throw new Error("totalVariationDistance: negative bin");
    sp += p[i];
    sq += q[i];
  }
  if (!(sp > 0 && sq > 0)) throw new Error("totalVariationDistance: an empty histogram");
  let d = 0;
  for (let i = 0; i < p.length; i++) d += Math.abs(p[i] / sp - q[i] / sq);
  return d / 2;
}

/**
 * TV distance between the histogram of `samples` and a target's exact mass per bin (`targetMass`, one
 * number per bin of `edges`). Samples outside the edges, and target mass outside them, count as one
 * extra "outside" bin, so a generator cannot hide mass off the plot.
 */
export function histogramTotalVariation(samples: ArrayLike<number>, targetMass: ArrayLike<number>, edges: ArrayLike<number>): number {
  if (targetMass.length !== edges.length - 1) throw new Error(`histogramTotalVariation: ${targetMass.length} target bins for ${edges.length - 1} bins`);
  const { counts, below, above } = histogramCounts(samples, edges);
  let inside = 0;
  for (let i = 0; i < targetMass.length; i++) inside += targetMass[i];
  return totalVariationDistance([...counts, below + above], [...Array.from(targetMass), Math.max(0, 1 - inside)]);
}
