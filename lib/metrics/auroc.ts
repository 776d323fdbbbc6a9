/**
 * The ROC curve and the area under it, for a score that should be higher on positives
 * (here: an anomaly score, the reconstruction error, with positive = anomaly).
 *
 * Each threshold t labels "score ≥ t" positive; the curve plots the true-positive rate
 * TPR = TP / P against the false-positive rate FPR = FP / N as t goes from +∞ down to −∞.
 * The area equals the probability that a random positive scores above a random negative
 * (ties count one half), the Mann-Whitney U statistic divided by P·N.
 */

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** The threshold at each point; the first is +∞ (nothing labelled positive). */
  thresholds: number[];
}

function check(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): { p: number; n: number } {
  if (scores.length !== positive.length) throw new Error(`roc: ${scores.length} scores but ${positive.length} labels`);
  let p = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) p++;
  const n = positive.length - p;
  if (p === 0 || n === 0) throw new Error(`roc: needs both positives and negatives (got ${p} positive, ${n} negative)`);
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) throw new Error(`roc: score ${i} is ${scores[i]}`);
  return { p, n };
}

/** The ROC curve: one point per distinct score, from (0, 0) to (1, 1). */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): RocCurve {
  const { p, n } = check(scores, positive);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (positive[i]) tp++;
    else fp++;
    // Equal scores are one threshold: emit a point only after the last of a tie.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[i]) {
      curve.fpr.push(fp / n);
      curve.tpr.push(tp / p);
      curve.thresholds.push(scores[i]);
    }
  }
  return curve;
}

/** Area under the ROC curve by the rank statistic (ties count ½). */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const { p, n } = check(scores, positive);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Average ranks (1-based) over ties, then U = Σ ranks of positives − P(P+1)/2.
  let rankSumPositive = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (positive[order[k]]) rankSumPositive += averageRank;
    start = end + 1;
  }
  return (rankSumPositive - (p * (p + 1)) / 2) / (p * n);
}

/** Area under a curve given by points (trapezoids), e.g. of rocCurve's output. */
export function areaUnderCurve(x: number[], y: number[]): number {
  if (x.length !== y.length) throw new Error(`areaUnderCurve: ${x.length} x values, ${y.length} y values`);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}
