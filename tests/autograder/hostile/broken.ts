import { HostileSubmission } from "./types";

/** Not malice, just broken work: each must cost its own tests only, with a message that says why. */
export const broken: HostileSubmission = {
  name: "broken",
  threat: "a syntax error, a missing function, a crash, a wrong shape, NaN, and metadata games",
  honest: ["ae-auroc", "tr-text", "tr-lstm-cell", "tr-attention", "tr-positional", "tr-mlm-masking", "gan-g-minimax", "gan-g-nonsat"],
  cells: {
    "ae-sparse-l1": `function sparseL1Penalty(activations: tf.Tensor2D, lambda: number: tf.Scalar {
  return tf.mean(activations);
}`,
    "ae-masking-noise": `function maskingNoize(x: tf.Tensor, fraction: number): tf.Tensor {
  return x;
}`,
    "ae-vae-reparam": `throw new Error("boom at load");
const reparameterize = (mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D) => tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps));`,
    "ae-vae-kl": `function vaeKlDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor {
  // per example, never averaged: shape [batch] instead of []
  return tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1));
}`,
    "ae-threshold": `function anomalyThreshold(normalScores: number[], falsePositiveRate: number): number {
  return NaN;
}`,
  },
  edit: (nbs) => {
    // Inflate the points of a cell, add a "bonus" graded cell, and strip the grade mark of a correct cell.
    for (const cell of nbs.autoencoders.cells) {
      const course = cell.metadata.course as Record<string, unknown> | undefined;
      if (course?.grade_id === "ae-auroc") course.points = 1000;
    }
    nbs.autoencoders.cells.push({ cell_type: "code", metadata: { course: { grade_id: "bonus", points: 100 } }, source: "function bonus() { return 100; }" });
    for (const cell of nbs.gans.cells) {
      const course = cell.metadata.course as Record<string, unknown> | undefined;
      if (course?.grade_id === "gan-d-loss") {
        delete cell.metadata.course;
        cell.source = "function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {\n  return tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar);\n}";
      }
    }
  },
  messages: {
    "ae-sparse-l1": "syntax error at line 1",
    "ae-masking-noise": "maskingNoise is not defined",
    "ae-vae-reparam": "boom at load",
    "ae-vae-kl": "should be a scalar",
    "ae-threshold": "NaN",
    "gan-d-loss": "no such cell",
  },
};
