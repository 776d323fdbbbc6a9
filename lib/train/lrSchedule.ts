/**
 * Learning-rate schedules. A small transformer trained for a few hundred steps gains several
 * points from warming up (Adam's early steps are noisy) and from decaying towards zero at the
 * end (the last steps average out the noise instead of adding to it).
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Linear warm-up from 0 to `peak` over `warmupSteps`, then a half cosine down to `floor` at
 * `totalSteps`. `step` counts from 0.
 *   lr(s) = peak · (s+1)/warmup                                   s < warmup
 *   lr(s) = floor + (peak − floor) · ½ (1 + cos(π · progress))    progress = (s − warmup)/(total − warmup)
 */
export function cosineWithWarmup(step: number, options: { peak: number; totalSteps: number; warmupSteps?: number; floor?: number }): number {
  const { peak, totalSteps } = options;
  const warmup = Math.min(options.warmupSteps ?? 0, totalSteps);
  const floor = options.floor ?? 0;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Sets the learning rate a tfjs optimiser uses from its next step on (they read the field at every step). */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { learningRate?: number };
  if (typeof o.learningRate !== "number") throw new Error(`${optimizer.getClassName()} has no learningRate to set`);
  o.learningRate = rate;
}
