/**
 * The 1-D toy GAN of 2022-11-14 §4, trainable inside a page, shared by Node and the browser bundle.
 *
 *   G: z ∈ U(−1, 1) [b, 1] ─dense 32, LeakyReLU─dense 32, LeakyReLU─dense 1 (linear)─► x [b, 1]
 *   D: x [b, 1]            ─dense 32, LeakyReLU─dense 32, LeakyReLU─dense 1─► logit [b, 1]
 *
 * The lecture's pieces where they are core-only: the dense pass of ./denseStack.ts (what
 * tf.layers.dense does, op for op), the losses of lib/losses/gan.ts (D's cross-entropy, G's
 * non-saturating loss), the optimiser of lib/train/adam.ts (tf.train.adam), the target of
 * lib/data/gaussianMixture.ts. One round is GanTrainer's: a D step with G frozen (fakes made
 * outside the tape), then a G step with D frozen (only G's variables handed to Adam). GanTrainer
 * itself holds tf.layers models, which the page's runtime does not carry; hence this class.
 *
 * Every random number comes from one mulberry32(seed) stream in a fixed order: the initial weights
 * (Glorot uniform kernels, zero biases: tf.layers.dense's defaults), then per round the real batch,
 * the D step's noise, the G step's noise. A seed fixes the whole run, in Node and in a page alike.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32 } from "../../seed";
import { adam } from "../../train/adam";
import { setOptimizerLearningRate } from "../../train/lrSchedule";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "../../losses/gan";
import { GaussianMixture1D, gaussianMixtureBinMass, gaussianMixtureDensity, sampleGaussianMixture } from "../../data/gaussianMixture";
import { binEdges, histogramCounts, histogramTotalVariation } from "../../metrics/sampleQuality";
import { DecodedLayer, runStack } from "./denseStack";

export interface ToyGanConfig {
  /** Hidden widths of both players (the lecture: [32, 32]). */
  hidden: number[];
  /** LeakyReLU slope (0.2). */
  leak: number;
  /** Real and fake numbers per step (256). */
  batch: number;
  learningRate: number;
  beta1: number;
  mixture: GaussianMixture1D;
  seed: number;
}

/** What the picture needs after some rounds. */
export interface ToyGanFrame {
  round: number;
  /** G's density per bin of `edges` (its outputs at evenly spaced z, as a histogram): [bins]. */
  generated: Float32Array;
  /** D(x) = σ(logit) at each x of the grid: [grid]. */
  beliefs: Float32Array;
  /** Total-variation distance between G's histogram and the target's mass per bin (one extra bin outside). */
  tv: number;
  dLoss: number;
  gLoss: number;
}

/** The plot's axes: x over [−6, 6] in 48 bins (the lecture's), D and the densities on a 241-point grid. */
export const TOY_X_MIN = -6;
export const TOY_X_MAX = 6;
export const TOY_BINS = 48;
export const toyGrid = (): number[] => Array.from({ length: 241 }, (_, i) => TOY_X_MIN + i * 0.05);

type Dense = Extract<DecodedLayer, { op: "dense" }>;

/** A dense stack 1 → hidden… → 1 of trainable variables, Glorot-uniform kernels drawn from `rng`. */
function initialStack(hidden: number[], leak: number, rng: () => number): DecodedLayer[] {
  const widths = [1, ...hidden, 1];
  const layers: DecodedLayer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [fanIn, fanOut] = [widths[i], widths[i + 1]];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const kernel = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng() - 1) * limit);
    // In a tidy: a variable holds its own copy, and the initial tensors go.
    const [k, b] = tf.tidy(() => [tf.variable(tf.tensor2d(kernel, [fanIn, fanOut])), tf.variable(tf.zeros([fanOut]))]);
    layers.push({ op: "dense", kernel: k as tf.Variable<tf.Rank.R2>, bias: b as tf.Variable<tf.Rank.R1>, activation: "linear" });
    if (i + 2 < widths.length) layers.push({ op: "leakyRelu", alpha: leak });
  }
  return layers;
}

const variablesOf = (stack: DecodedLayer[]): tf.Variable[] =>
  stack.filter((l): l is Dense => l.op === "dense").flatMap((l) => [l.kernel as tf.Variable, l.bias as tf.Variable]);

export class ToyGan {
  readonly config: ToyGanConfig;
  readonly generator: DecodedLayer[];
  readonly discriminator: DecodedLayer[];
  round = 0;
  private readonly rng: () => number;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];
  private readonly gOptimizer: tf.Optimizer;
  private readonly dOptimizer: tf.Optimizer;
  private last = { dLoss: NaN, gLoss: NaN };

  constructor(config: ToyGanConfig) {
    if (!(Number.isInteger(config.batch) && config.batch >= 1 && config.batch <= 4096)) throw new Error(`ToyGan: batch must be an integer in 1..4096, got ${config.batch}`);
    if (!(config.learningRate > 0 && config.learningRate <= 0.1)) throw new Error(`ToyGan: learning rate must be in (0, 0.1], got ${config.learningRate}`);
    this.config = config;
    this.rng = mulberry32(config.seed);
    this.generator = initialStack(config.hidden, config.leak, this.rng);
    this.discriminator = initialStack(config.hidden, config.leak, this.rng);
    this.gVars = variablesOf(this.generator);
    this.dVars = variablesOf(this.discriminator);
    // Two optimisers, as GanTrainer has: each keeps Adam's moments for its own side only.
    this.gOptimizer = adam(config.learningRate, config.beta1);
    this.dOptimizer = adam(config.learningRate, config.beta1);
  }

  /** Both sides' step size from the next round on (tfjs's Adam reads the field each step, as GanTrainer.setLearningRate relies on). */
  setLearningRate(learningRate: number): void {
    if (!(learningRate > 0 && learningRate <= 0.1)) throw new Error(`ToyGan: learning rate must be in (0, 0.1], got ${learningRate}`);
    for (const o of [this.gOptimizer, this.dOptimizer]) setOptimizerLearningRate(o, learningRate);
  }

  /** z ~ U(−1, 1): [n, 1] */
  private noise(n: number): tf.Tensor2D {
    return tf.tensor2d(Float32Array.from({ length: n }, () => 2 * this.rng() - 1), [n, 1]);
  }

  /** One round: D step (G frozen), then G step (D frozen). Returns the two losses. */
  step(): { dLoss: number; gLoss: number } {
    const b = this.config.batch;
    const real = tf.tensor2d(sampleGaussianMixture(this.config.mixture, b, this.rng), [b, 1]); // [b, 1]
    const zD = this.noise(b);
    const fake = runStack(this.generator, zD); // outside the tape: no gradient reaches G
    const dCost = this.dOptimizer.minimize(() => discriminatorLoss(runStack(this.discriminator, real), runStack(this.discriminator, fake)), true, this.dVars)!;
    const zG = this.noise(b);
    const gCost = this.gOptimizer.minimize(() => nonSaturatingGeneratorLoss(runStack(this.discriminator, runStack(this.generator, zG))), true, this.gVars)!;
    const dLoss = dCost.dataSync()[0];
    const gLoss = gCost.dataSync()[0];
    tf.dispose([real, zD, fake, zG, dCost, gCost]);
    this.round++;
    this.last = { dLoss, gLoss };
    return this.last;
  }

  /** G at `count` evenly spaced z (midpoints of U(−1, 1)'s equal slices): its quantile function, sampled. */
  generatorOutputs(count = 2000): Float32Array {
    const z = tf.tensor2d(Float32Array.from({ length: count }, (_, i) => -1 + (2 * i + 1) / count), [count, 1]);
    const x = runStack(this.generator, z);
    const out = Float32Array.from(x.dataSync() as Float32Array); // read outside tidy
    tf.dispose([z, x]);
    return out;
  }

  /** D(x) on the points xs. */
  beliefs(xs: number[]): Float32Array {
    const p = tf.tidy(() => tf.sigmoid(runStack(this.discriminator, tf.tensor2d(xs, [xs.length, 1]))));
    const out = Float32Array.from(p.dataSync() as Float32Array);
    p.dispose();
    return out;
  }

  /** The picture's numbers now. */
  frame(): ToyGanFrame {
    const edges = binEdges(TOY_X_MIN, TOY_X_MAX, TOY_BINS);
    const outputs = this.generatorOutputs();
    const { counts } = histogramCounts(outputs, edges);
    const width = (TOY_X_MAX - TOY_X_MIN) / TOY_BINS;
    return {
      round: this.round,
      generated: Float32Array.from(counts, (c) => c / (outputs.length * width)),
      beliefs: this.beliefs(toyGrid()),
      tv: histogramTotalVariation(outputs, gaussianMixtureBinMass(this.config.mixture, edges), edges),
      ...this.last,
    };
  }

  /** Every weight, G's then D's, as plain numbers (for the Node/browser comparison). */
  weights(): Float32Array[] {
    return [...this.gVars, ...this.dVars].map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  dispose(): void {
    tf.dispose([...this.gVars, ...this.dVars]);
    this.gOptimizer.dispose();
    this.dOptimizer.dispose();
  }
}

/** The target density p_data on the grid (drawn as a line). */
export function targetDensity(mixture: GaussianMixture1D): Float32Array {
  return Float32Array.from(gaussianMixtureDensity(mixture, toyGrid()));
}
