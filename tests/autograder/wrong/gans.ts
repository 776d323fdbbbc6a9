import type { WrongSolution } from "./types";

const exercise = "gans";

export const wrongGans: WrongSolution[] = [
  {
    exercise,
    gradeId: "gan-d-loss",
    mistake: "takes the log of σ(a): −∞ and NaN for confident logits",
    code: `function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.add(tf.mean(tf.log(tf.sigmoid(realLogits))), tf.mean(tf.log(tf.sub(1, tf.sigmoid(fakeLogits)))))) as tf.Scalar);
}`,
  },
  {
    exercise,
    gradeId: "gan-g-minimax",
    mistake: "sign error: minimises −log(1 − D(G(z)))",
    code: `function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(fakeLogits)) as tf.Scalar);
}`,
  },
  {
    exercise,
    gradeId: "gan-g-minimax",
    mistake: "right values, but through arraySync: no gradient",
    code: `function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  const a = fakeLogits.dataSync();
  let s = 0;
  for (const x of a) s -= Math.log1p(Math.exp(x));
  return tf.scalar(s / a.length);
}`,
  },
  {
    exercise,
    gradeId: "gan-g-nonsat",
    mistake: "log of σ(a) again: infinite at −100",
    code: `function generatorLossNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.log(tf.sigmoid(fakeLogits)))) as tf.Scalar);
}`,
  },
  {
    exercise,
    gradeId: "gan-step",
    mistake: "no frozen weights: each step updates every variable",
    code: `function ganTrainingStep(generator: tf.LayersModel, discriminator: tf.LayersModel, gOptimizer: tf.Optimizer, dOptimizer: tf.Optimizer, real: tf.Tensor2D, noise: tf.Tensor2D): { dLoss: number; gLoss: number } {
  const all = [...generator.trainableWeights, ...discriminator.trainableWeights].map((w) => w.read() as tf.Variable);
  const d = dOptimizer.minimize(() => discriminatorLoss(discriminator.apply(real) as tf.Tensor, discriminator.apply(generator.apply(noise) as tf.Tensor) as tf.Tensor), true, all)!;
  const g = gOptimizer.minimize(() => generatorLossNonSaturating(discriminator.apply(generator.apply(noise) as tf.Tensor) as tf.Tensor), true, all)!;
  const out = { dLoss: d.dataSync()[0], gLoss: g.dataSync()[0] };
  d.dispose(); g.dispose();
  return out;
}`,
  },
  {
    exercise,
    gradeId: "gan-step",
    mistake: "G step before D step",
    code: `function ganTrainingStep(generator: tf.LayersModel, discriminator: tf.LayersModel, gOptimizer: tf.Optimizer, dOptimizer: tf.Optimizer, real: tf.Tensor2D, noise: tf.Tensor2D): { dLoss: number; gLoss: number } {
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const g = gOptimizer.minimize(() => generatorLossNonSaturating(discriminator.apply(generator.apply(noise) as tf.Tensor) as tf.Tensor), true, gVars)!;
  const d = dOptimizer.minimize(() => discriminatorLoss(discriminator.apply(real) as tf.Tensor, discriminator.apply(generator.apply(noise) as tf.Tensor) as tf.Tensor), true, dVars)!;
  const out = { dLoss: d.dataSync()[0], gLoss: g.dataSync()[0] };
  d.dispose(); g.dispose();
  return out;
}`,
  },
];
