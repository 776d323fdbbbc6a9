import type { WrongSolution } from "./types";

const exercise = "autoencoders";

export const wrongAutoencoders: WrongSolution[] = [
  {
    exercise,
    gradeId: "ae-sparse-l1",
    mistake: "sums over the batch instead of averaging",
    code: `function sparseL1Penalty(activations: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.tidy(() => tf.mul(lambda, tf.sum(tf.abs(activations))) as tf.Scalar);
}`,
  },
  {
    exercise,
    gradeId: "ae-masking-noise",
    mistake: "keeps an entry with probability `fraction` (mask inverted)",
    code: `function maskingNoise(x: tf.Tensor, fraction: number, seed?: number): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, "float32", seed), fraction), x.dtype)));
}`,
  },
  {
    exercise,
    gradeId: "ae-vae-reparam",
    mistake: "uses the variance exp(log σ²) instead of σ",
    code: `function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(mu, tf.mul(tf.exp(logVar), eps)) as tf.Tensor2D);
}`,
  },
  {
    exercise,
    gradeId: "ae-vae-reparam",
    mistake: "right values through arraySync, so no gradient reaches μ and log σ²",
    code: `function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  const m = mu.arraySync(), lv = logVar.arraySync(), e = eps.arraySync();
  return tf.tensor2d(m.map((row, i) => row.map((v, j) => v + Math.exp(0.5 * lv[i][j]) * e[i][j])));
}`,
  },
  {
    exercise,
    gradeId: "ae-vae-kl",
    mistake: "sums the KL over the batch instead of averaging",
    code: `function vaeKlDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)))) as tf.Scalar);
}`,
  },
  {
    exercise,
    gradeId: "ae-threshold",
    mistake: "off by one: takes the next score up",
    code: `function anomalyThreshold(normalScores: number[], falsePositiveRate: number): number {
  const sorted = [...normalScores].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((1 - falsePositiveRate) * sorted.length))];
}`,
  },
  {
    exercise,
    gradeId: "ae-threshold",
    mistake: "sorts as strings (the default sort)",
    code: `function anomalyThreshold(normalScores: number[], falsePositiveRate: number): number {
  const sorted = [...normalScores].sort();
  const allowedAbove = Math.floor(falsePositiveRate * sorted.length + 1e-9);
  return sorted[Math.max(0, sorted.length - 1 - allowedAbove)];
}`,
  },
  {
    exercise,
    gradeId: "ae-auroc",
    mistake: "counts ties as losses and never checks for a missing class",
    code: `function auroc(scores: number[], labels: number[]): number {
  let wins = 0, pairs = 0;
  scores.forEach((sp, i) => { if (labels[i] !== 1) return; scores.forEach((sn, j) => { if (labels[j] !== 0) return; pairs++; if (sp > sn) wins++; }); });
  return wins / pairs;
}`,
  },
];
