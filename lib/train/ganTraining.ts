/**
 * Alternating GAN training. One round is two steps:
 *
 *   1. D step, G frozen:  fakes = G(z) are computed outside the gradient tape, then D's weights
 *      (and only D's) move down the gradient of L_D = −E[log D(x)] − E[log(1 − D(G(z)))].
 *   2. G step, D frozen:  the loss is computed through D (G(z) → D → loss), but only G's weights
 *      are handed to the optimiser, so D's weights stay exactly as they were.
 *
 * "Frozen" is enforced by the variable list passed to `optimizer.minimize`: the optimiser can only
 * change the variables it is given. `snapshotWeights` + `weightsIdentical` check it bit for bit.
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "./adam";
import { setOptimizerLearningRate } from "./lrSchedule";
import { GanNoiseKind, sampleGanNoise } from "../models/gan";
import { discriminatorLoss, generatorLoss, GeneratorLossKind } from "../losses/gan";
import { MnistSet, mnistImages } from "../data/mnist";
import { minimizeStep, trainLoop, TrainHistory } from "./loop";
import { ShuffledBatches } from "./shuffledBatches";

export interface GanTrainerConfig {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Where z comes from (default "gaussian"). */
  noise?: GanNoiseKind;
  /** Default "non-saturating". */
  generatorLoss?: GeneratorLossKind;
  /** Adam learning rate for both players (default 2e-4, as in DCGAN). */
  learningRate?: number;
  /** Adam β1 (default 0.5: less momentum keeps the game from overshooting). */
  beta1?: number;
  /**
   * A second generator of the same architecture whose weights follow an exponential moving average of G's,
   * updated after every G step: θ̄ ← decay·θ̄ + (1 − decay)·θ (Yazıcı et al. 2019). The players tend to
   * circle the equilibrium; the average of the circle sits nearer its centre than any point on it.
   * It is never trained itself, and sampleAveraged() draws from it.
   */
  averagedGenerator?: tf.LayersModel;
  /** Default 0.999: an average over roughly the last 1,000 rounds. */
  averageDecay?: number;
}

/** One number per round: losses, and D's mean verdict on the real and the fake batch of its step. */
export interface GanHistory {
  dLoss: number[];
  gLoss: number[];
  /** mean D(x) over the real batch. */
  dReal: number[];
  /** mean D(G(z)) over the fake batch of the D step. */
  dFake: number[];
}

export interface GanRoundStats {
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
}

/** The variables behind a model's trainable weights: what one side's optimiser may change. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export class GanTrainer {
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly noise: GanNoiseKind;
  readonly lossKind: GeneratorLossKind;
  readonly noiseDim: number;
  readonly history: GanHistory = { dLoss: [], gLoss: [], dReal: [], dFake: [] };
  private readonly dOptimizer: tf.Optimizer;
  private readonly gOptimizer: tf.Optimizer;
  private readonly dVars: tf.Variable[];
  private readonly gVars: tf.Variable[];
  readonly averagedGenerator: tf.LayersModel | null;
  private readonly averageDecay: number;

  constructor(config: GanTrainerConfig) {
    this.generator = config.generator;
    this.discriminator = config.discriminator;
    this.noise = config.noise ?? "gaussian";
    this.lossKind = config.generatorLoss ?? "non-saturating";
    const noiseDim = this.generator.inputs[0].shape[1];
    if (noiseDim == null) throw new Error("GanTrainer: the generator's input needs a fixed length (inputShape: [noiseDim])");
    this.noiseDim = noiseDim;
    const lr = config.learningRate ?? 2e-4;
    const beta1 = config.beta1 ?? 0.5;
    // Two optimisers: each keeps Adam moments for its own side's variables only.
    this.dOptimizer = adam(lr, beta1);
    this.gOptimizer = adam(lr, beta1);
    this.dVars = trainableVariables(this.discriminator);
    this.gVars = trainableVariables(this.generator);
    this.averagedGenerator = config.averagedGenerator ?? null;
    this.averageDecay = config.averageDecay ?? 0.999;
    if (this.averagedGenerator) {
      const shapes = (m: tf.LayersModel) => m.weights.map((w) => w.shape.join("×")).join(",");
      if (shapes(this.averagedGenerator) !== shapes(this.generator)) {
        throw new Error(`GanTrainer: averagedGenerator's weights (${shapes(this.averagedGenerator)}) do not match the generator's (${shapes(this.generator)})`);
      }
      this.averagedGenerator.setWeights(this.generator.getWeights()); // the average starts where G starts
    }
  }

  /** D step with G frozen. real: [batch, ...]; fakes come from a fresh z of the same batch size. */
  discriminatorStep(real: tf.Tensor): { dLoss: number; dReal: number; dFake: number } {
    const batch = real.shape[0];
    // G runs outside the tape: no gradient can reach its weights, and it costs only a forward pass.
    const fake = tf.tidy(() => this.generator.apply(sampleGanNoise(batch, this.noiseDim, this.noise), { training: true }) as tf.Tensor);
    let stats: tf.Tensor | null = null;
    const cost = this.dOptimizer.minimize(
      () => {
        const realLogits = this.discriminator.apply(real, { training: true }) as tf.Tensor; // [batch, 1]
        const fakeLogits = this.discriminator.apply(fake, { training: true }) as tf.Tensor; // [batch, 1]
        stats = tf.keep(tf.stack([tf.mean(tf.sigmoid(realLogits)), tf.mean(tf.sigmoid(fakeLogits))])); // [2]
        return discriminatorLoss(realLogits, fakeLogits);
      },
      true,
      this.dVars, // only D's variables: G is frozen
    );
    const dLoss = cost!.dataSync()[0];
    const [dReal, dFake] = (stats as unknown as tf.Tensor).dataSync();
    tf.dispose([fake, cost!, stats as unknown as tf.Tensor]);
    return { dLoss, dReal, dFake };
  }

  /** G step with D frozen: the loss flows through D, but only G's variables are updated. */
  generatorStep(batch: number): { gLoss: number } {
    // Only G's variables are updated: D is frozen.
    const gLoss = minimizeStep(this.gOptimizer, this.gVars, () => {
      const z = sampleGanNoise(batch, this.noiseDim, this.noise); // [batch, noiseDim]
      const fakeLogits = this.discriminator.apply(this.generator.apply(z, { training: true }), { training: true }) as tf.Tensor; // [batch, 1]
      return generatorLoss(this.lossKind, fakeLogits);
    });
    if (this.averagedGenerator) this.updateAverage();
    return { gLoss };
  }

  /** θ̄ ← decay·θ̄ + (1 − decay)·θ for every weight of the averaged generator. */
  private updateAverage(): void {
    const decay = this.averageDecay;
    const current = this.generator.weights;
    this.averagedGenerator!.weights.forEach((avg, i) => {
      tf.tidy(() => {
        avg.write(tf.add(tf.mul(avg.read(), decay), tf.mul(current[i].read(), 1 - decay)));
      });
    });
  }

  /** n samples from the averaged generator (inference mode): [n, ...]. The caller disposes. */
  sampleAveraged(count: number): tf.Tensor {
    if (!this.averagedGenerator) throw new Error("sampleAveraged: this trainer has no averagedGenerator (pass one in its config)");
    const averaged = this.averagedGenerator;
    return tf.tidy(() => averaged.predict(sampleGanNoise(count, this.noiseDim, this.noise)) as tf.Tensor);
  }

  /** One round: a D step on `real`, then a G step with the same batch size; recorded in `history`. */
  step(real: tf.Tensor): GanRoundStats {
    const d = this.discriminatorStep(real);
    const g = this.generatorStep(real.shape[0]);
    const stats = { ...d, ...g };
    this.history.dLoss.push(stats.dLoss);
    this.history.gLoss.push(stats.gLoss);
    this.history.dReal.push(stats.dReal);
    this.history.dFake.push(stats.dFake);
    return stats;
  }

  /**
   * Sets both sides' Adam step size from the next step on (for a decay schedule). tfjs 4.22 has no public
   * setter, but its Adam reads the protected `learningRate` field on every step, so writing it is enough.
   */
  setLearningRate(learningRate: number): void {
    if (!(learningRate > 0)) throw new Error(`setLearningRate: the learning rate must be > 0, got ${learningRate}`);
    for (const optimizer of [this.dOptimizer, this.gOptimizer]) setOptimizerLearningRate(optimizer, learningRate);
  }

  /** The step size both sides use now. */
  get learningRate(): number {
    return (this.dOptimizer as unknown as { learningRate: number }).learningRate;
  }

  /** n samples from G in inference mode: [n, ...]. The caller disposes. */
  sample(count: number): tf.Tensor {
    return tf.tidy(() => this.generator.predict(sampleGanNoise(count, this.noiseDim, this.noise)) as tf.Tensor);
  }

  dispose(): void {
    this.dOptimizer.dispose();
    this.gOptimizer.dispose();
  }
}

/** Every weight of a model (trainable or not) as raw bytes, in order: for bit-for-bit comparisons. */
export function snapshotWeights(model: tf.LayersModel): Uint8Array[] {
  return model.weights.map((w) => {
    const values = w.read().dataSync() as Float32Array;
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  });
}

/** True when two snapshots are the same bytes (no float tolerance: frozen means frozen). */
export function weightsIdentical(a: Uint8Array[], b: Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((bytes, i) => bytes.length === b[i].length && Buffer.compare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)) === 0);
}

/** How many weight values (float32 numbers) differ in their bits between two snapshots: 0 for a frozen model. */
export function changedWeightValues(a: Uint8Array[], b: Uint8Array[]): number {
  if (a.length !== b.length) throw new Error(`changedWeightValues: snapshots of ${a.length} and ${b.length} weights`);
  let changed = 0;
  a.forEach((bytes, i) => {
    if (bytes.length !== b[i].length) throw new Error(`changedWeightValues: weight ${i} has ${bytes.length} and ${b[i].length} bytes`);
    for (let k = 0; k < bytes.length; k += 4) {
      if (bytes[k] !== b[i][k] || bytes[k + 1] !== b[i][k + 1] || bytes[k + 2] !== b[i][k + 2] || bytes[k + 3] !== b[i][k + 3]) changed++;
    }
  });
  return changed;
}

export interface GanRunOptions {
  /** Rounds (one D step + one G step each); use scaledSteps in lectures. */
  steps: number;
  /** A fresh real batch for each round: [batch, ...]. trainGan disposes it. */
  nextReal: () => tf.Tensor;
  label?: string;
  quiet?: boolean;
  /** Called every `evalEvery` rounds and after the last one: draw samples, score them; numbers returned are recorded and shown. */
  evaluate?: (round: number) => Record<string, number> | void | Promise<Record<string, number> | void>;
  evalEvery?: number;
  /** Step size for round i (0-based), set before the round: a decay schedule. Default: leave it alone. */
  learningRate?: (round: number) => number;
}

/**
 * Learning rate constant for the first `holdFraction` of `rounds`, then decaying linearly to `final`.
 * Late decay damps the players' chase (they circle the equilibrium instead of settling), freezing a good state.
 */
export function holdThenDecay(initial: number, final: number, rounds: number, holdFraction = 0.5): (round: number) => number {
  const hold = Math.floor(rounds * holdFraction);
  return (round) => (round < hold ? initial : initial + ((final - initial) * (round - hold)) / Math.max(1, rounds - 1 - hold));
}

/** Runs `steps` rounds of alternating training with progress shown; losses land in trainer.history too. */
export async function trainGan(trainer: GanTrainer, options: GanRunOptions): Promise<TrainHistory> {
  const evaluate = options.evaluate;
  return trainLoop({
    steps: options.steps,
    label: options.label ?? "GAN",
    quiet: options.quiet,
    evalEvery: options.evalEvery,
    step: (i) => {
      if (options.learningRate) trainer.setLearningRate(options.learningRate(i));
      const real = options.nextReal();
      try {
        return trainer.step(real).dLoss;
      } finally {
        real.dispose();
      }
    },
    evaluate: evaluate
      ? async (i) => {
          // (TypeScript 5.0, which tslab compiles with, keeps `void` in `x ?? {}`: cast first.)
          const figures = (await evaluate(i + 1)) as Record<string, number> | undefined;
          return figures ?? {};
        }
      : undefined,
  });
}

/** Real MNIST batches for a GAN, reshuffled every epoch (seeded): each call gives x [batchSize, 784]. */
export function mnistRealBatches(set: MnistSet, batchSize: number): () => tf.Tensor2D {
  const batches = new ShuffledBatches(set.count, batchSize, (idx) => mnistImages(set, idx), { dropLast: true });
  return () => batches.next(); // the caller (trainGan's step) disposes it
}
