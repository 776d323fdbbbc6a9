/**
 * The course's models as issue 9 defines them for speed measurements, built from tfjs layers
 * directly: each `make*` returns one full training step (forward, backward, Adam update) on a
 * fixed synthetic batch. bench/torch_bench.py builds the same models in PyTorch, with the same
 * sizes, losses and optimiser, so that the two columns of `npm run bench` compare like with like.
 *
 *   dense AE      784-256-64-256-784, ReLU, logits + sigmoid cross-entropy    batch 128 and 512
 *   MLP GAN       G 100-256-784, D 784-256-1, LeakyReLU 0.2, Adam 2e-4 β1 0.5  batch 128
 *   char LSTM     vocab 60 one-hot → LSTM 128 (sigmoid gates) → dense 60      64 steps, batch 64
 *   transformer   one post-norm encoder block, d 64, 4 heads, FFN 256, ReLU   64 tokens, batch 32
 *
 * The data are random (speed does not depend on the values); seeded, so runs are repeatable.
 */
import * as tf from "@tensorflow/tfjs";
import { FusedLstm } from "../lib/layers/fusedLstm";
import { adam as courseAdam } from "../lib/train/adam";
import { minimizeStep } from "../lib/train/loop";
import { meanSquaredError, sigmoidCrossEntropyWithLogits } from "../lib/losses/reconstruction";
import { attend } from "../lib/layers/attention";
import { TransformerEncoderBlock } from "../lib/layers/transformerBlock";
import { CharLstm } from "../lib/models/charLstm";
import { CharLstmTrainer } from "../lib/train/charLstmTraining";

export interface TrainStep {
  /** Training examples one step consumes (sequences for the LSTM, images for the others). */
  samplesPerStep: number;
  /** One optimisation step; returns the loss (read back, so the step has really finished). */
  step(): number;
  dispose(): void;
}

const SEED = 1234;

/** The course's Adam (tf.train.adam; one TensorFlow kernel per weight on native, lib/accel/native/adam.ts), with PyTorch's ε. */
function adam(lr = 1e-3, beta1 = 0.9): tf.Optimizer {
  return courseAdam(lr, beta1, 0.999, 1e-8);
}

function trainableWeights(...layers: tf.layers.Layer[]): tf.Variable[] {
  return layers.flatMap((l) => l.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}

/** Mean binary cross-entropy from logits, as PyTorch's BCEWithLogitsLoss: the course's loss, with its gradient written out. */
function bceWithLogits(targets: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.mean(sigmoidCrossEntropyWithLogits(targets, logits));
}

function disposeAll(optimizer: tf.Optimizer, tensors: tf.Tensor[], layers: tf.layers.Layer[]): void {
  optimizer.dispose();
  tf.dispose(tensors);
  for (const l of layers) for (const w of l.weights) (w as unknown as { val: tf.Variable }).val.dispose();
}

// ---------------------------------------------------------------------------------------------

export function makeDenseAutoencoder(batch: number): TrainStep {
  const sizes = [256, 64, 256, 784];
  const layers = sizes.map((units, i) =>
    tf.layers.dense({ units, activation: i < sizes.length - 1 ? "relu" : "linear", kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + i }) }),
  );
  const x = tf.randomUniform([batch, 784], 0, 1, "float32", SEED); // [batch, 784] pixels in [0, 1]
  let h: tf.SymbolicTensor | tf.Tensor = x;
  for (const l of layers) h = tf.tidy(() => l.apply(h as tf.Tensor) as tf.Tensor); // builds the weights
  tf.dispose(h as tf.Tensor);
  const vars = trainableWeights(...layers);
  const optimizer = adam();
  const loss = () => {
    let y: tf.Tensor = x;
    for (const l of layers) y = l.apply(y) as tf.Tensor; // logits [batch, 784]
    return bceWithLogits(x, y);
  };
  return {
    samplesPerStep: batch,
    step: () => minimizeStep(optimizer, vars, loss),
    dispose: () => disposeAll(optimizer, [x], layers),
  };
}

// ---------------------------------------------------------------------------------------------

export function makeMlpGan(batch = 128): TrainStep {
  const leaky = () => tf.layers.leakyReLU({ alpha: 0.2 });
  const g = [tf.layers.dense({ units: 256, inputShape: [100] }), leaky(), tf.layers.dense({ units: 784 })];
  const d = [tf.layers.dense({ units: 256, inputShape: [784] }), leaky(), tf.layers.dense({ units: 1 })];
  const run = (layers: tf.layers.Layer[], x: tf.Tensor) => layers.reduce((y, l) => l.apply(y) as tf.Tensor, x);
  const generate = (z: tf.Tensor) => tf.sigmoid(run(g, z)); // [batch, 784] pixels in [0, 1]
  tf.tidy(() => run(d, generate(tf.zeros([1, 100])))); // builds the weights

  const real = tf.randomUniform([batch, 784], 0, 1, "float32", SEED);
  const z = tf.randomNormal([batch, 100], 0, 1, "float32", SEED + 1);
  const ones = tf.ones([batch, 1]);
  const zeros = tf.zeros([batch, 1]);
  const gVars = trainableWeights(...g);
  const dVars = trainableWeights(...d);
  const gOpt = adam(2e-4, 0.5);
  const dOpt = adam(2e-4, 0.5);

  return {
    samplesPerStep: batch,
    step: () => {
      // Discriminator: real → 1, fake → 0; the fakes are constants here (no gradient into G).
      const fake = tf.tidy(() => generate(z));
      const dLoss = minimizeStep(dOpt, dVars, () => tf.add(bceWithLogits(ones, run(d, real)), bceWithLogits(zeros, run(d, fake))) as tf.Scalar);
      fake.dispose();
      // Generator, non-saturating loss: make D say 1 on fresh fakes.
      const gLoss = minimizeStep(gOpt, gVars, () => bceWithLogits(ones, run(d, generate(z))));
      return dLoss + gLoss;
    },
    dispose: () => {
      disposeAll(gOpt, [real, z, ones, zeros], g);
      disposeAll(dOpt, [], d);
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface CharLstmBenchConfig {
  vocab?: number;
  units?: number;
  steps?: number;
  batch?: number;
  /** "layers": tf.layers.lstm as shipped; "fused": lib/layers/fusedLstm.ts (same weights layout). */
  implementation?: "layers" | "fused";
}

export function makeCharLstm(config: CharLstmBenchConfig = {}): TrainStep {
  const { vocab = 60, units = 128, steps = 64, batch = 64, implementation = "layers" } = config;
  const rnn =
    implementation === "fused"
      ? new FusedLstm({ units, returnSequences: true })
      : tf.layers.lstm({ units, returnSequences: true, recurrentActivation: "sigmoid" });
  const head = tf.layers.dense({ units: vocab });
  const ids = tf.tidy(() => tf.randomUniform([batch, steps + 1], 0, vocab, "int32", SEED) as tf.Tensor2D);
  const x = tf.tidy(() => tf.oneHot(ids.slice([0, 0], [batch, steps]), vocab).toFloat()); // [batch, steps, vocab]
  const y = tf.tidy(() => tf.oneHot(ids.slice([0, 1], [batch, steps]), vocab).toFloat()); // next characters
  tf.tidy(() => head.apply(rnn.apply(x.slice([0, 0, 0], [1, 2, vocab])) as tf.Tensor) as tf.Tensor); // builds the weights
  const vars = trainableWeights(rnn, head);
  const optimizer = adam(1e-2);
  const loss = () => {
    const logits = head.apply(rnn.apply(x) as tf.Tensor) as tf.Tensor; // [batch, steps, vocab]
    return tf.losses.softmaxCrossEntropy(y.reshape([batch * steps, vocab]), logits.reshape([batch * steps, vocab])) as tf.Scalar;
  };
  return {
    samplesPerStep: batch,
    step: () => minimizeStep(optimizer, vars, loss),
    dispose: () => disposeAll(optimizer, [ids, x, y], [rnn, head]),
  };
}

// ---------------------------------------------------------------------------------------------

export interface EncoderBlockBenchConfig {
  dModel?: number;
  heads?: number;
  tokens?: number;
  batch?: number;
  ffn?: number;
}

/**
 * One post-norm encoder block (as PyTorch's nn.TransformerEncoderLayer with dropout 0): the
 * query, key and value projections are one [d, 3d] product (as in PyTorch), then
 * x1 = LN(x + MHA(x)), out = LN(x1 + FFN(x1)). Loss: mean squared error to a random target
 * (the library's, as the attention is: their gradients written out).
 */
export function makeEncoderBlock(config: EncoderBlockBenchConfig = {}): TrainStep {
  const { dModel = 64, heads = 4, tokens = 64, batch = 32, ffn = 256 } = config;
  const dk = dModel / heads;
  const qkv = tf.layers.dense({ units: 3 * dModel });
  const proj = tf.layers.dense({ units: dModel });
  const ff1 = tf.layers.dense({ units: ffn, activation: "relu" });
  const ff2 = tf.layers.dense({ units: dModel });
  const ln1 = tf.layers.layerNormalization({ epsilon: 1e-5 });
  const ln2 = tf.layers.layerNormalization({ epsilon: 1e-5 });
  const x = tf.randomNormal([batch, tokens, dModel], 0, 1, "float32", SEED) as tf.Tensor3D; // [batch, tokens, dModel]
  const target = tf.randomNormal([batch, tokens, dModel], 0, 1, "float32", SEED + 1);

  const forward = (input: tf.Tensor3D): tf.Tensor3D => {
    const b = input.shape[0];
    const flat = input.reshape([b * tokens, dModel]); // 2-D products are the fast path everywhere
    // [batch·tokens, 3·dModel] → q, k, v: [batch, heads, tokens, dk] (rank-4 transposes only:
    // wasm's rank-5 transpose is slow)
    const heads4 = (t: tf.Tensor) => t.reshape([b, tokens, heads, dk]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const [q, k, v] = tf.split(qkv.apply(flat) as tf.Tensor2D, 3, 1).map(heads4);
    // softmax(q kᵀ/√dk) v with its gradient written out: the library's, as PyTorch's block calls its scaled_dot_product_attention
    const context = attend(q, k, v); // [batch, heads, tokens, dk]
    const merged = context.transpose([0, 2, 1, 3]).reshape([b * tokens, dModel]);
    const x1 = ln1.apply(flat.add(proj.apply(merged) as tf.Tensor)) as tf.Tensor2D;
    const x2 = ln2.apply(x1.add(ff2.apply(ff1.apply(x1)) as tf.Tensor)) as tf.Tensor2D;
    return x2.reshape([b, tokens, dModel]);
  };
  tf.tidy(() => forward(x.slice([0, 0, 0], [1, tokens, dModel]))); // builds the weights
  const layers = [qkv, proj, ff1, ff2, ln1, ln2];
  const vars = trainableWeights(...layers);
  const optimizer = adam();
  const loss = () => meanSquaredError(forward(x), target);
  return {
    samplesPerStep: batch,
    step: () => minimizeStep(optimizer, vars, loss),
    dispose: () => disposeAll(optimizer, [x, target], layers),
  };
}

/** The same block as the course builds it (lib/layers/transformerBlock.ts, post-norm, no dropout). */
export function makeCourseEncoderBlock(config: EncoderBlockBenchConfig = {}): TrainStep {
  const { dModel = 64, heads = 4, tokens = 64, batch = 32, ffn = 256 } = config;
  const block = new TransformerEncoderBlock({ numHeads: heads, dModel, ffDim: ffn, dropout: 0, norm: "post" });
  const x = tf.randomNormal([batch, tokens, dModel], 0, 1, "float32", SEED);
  const target = tf.randomNormal([batch, tokens, dModel], 0, 1, "float32", SEED + 1);
  tf.tidy(() => block.apply(x.slice([0, 0, 0], [1, tokens, dModel])) as tf.Tensor);
  const vars = trainableWeights(block);
  const optimizer = adam();
  const loss = () => meanSquaredError(block.apply(x) as tf.Tensor, target);
  return {
    samplesPerStep: batch,
    step: () => minimizeStep(optimizer, vars, loss),
    dispose: () => disposeAll(optimizer, [x, target], [block]),
  };
}

/** The course's own char model (lib/models/charLstm.ts: ids in, its own step with gradient clipping). */
export function makeCourseCharLstm(config: { vocab?: number; units?: number; steps?: number; batch?: number } = {}): TrainStep {
  const { vocab = 60, units = 128, steps = 64, batch = 64 } = config;
  const model = new CharLstm({ vocabSize: vocab, units });
  const trainer = new CharLstmTrainer(model);
  const ids = tf.randomUniform([batch, steps + 1], 0, vocab, "int32", SEED) as tf.Tensor2D;
  const inputs = ids.slice([0, 0], [batch, steps]);
  const targets = ids.slice([0, 1], [batch, steps]);
  return {
    samplesPerStep: batch,
    step: () => trainer.trainStep(inputs, targets),
    dispose: () => {
      tf.dispose([ids, inputs, targets, ...model.variables]);
      trainer.dispose();
    },
  };
}
