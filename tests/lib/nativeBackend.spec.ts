/**
 * The native backend (tfjs-node built by `npm run setup:native`) trains the course's own models
 * to the same numbers as wasm: from the same seeded weights and data, the losses of 8 steps agree
 * to a relative 1e-4 (float32 sums in another order: they agree to about 1e-6), with no tensor
 * leaks. Every native path of lib/accel/native runs here: dense layers (CourseDense, ReLU and
 * leaky-ReLU gradients), layer norm (CourseLayerNorm), the whole-sequence LSTM (BlockLSTM) and
 * Adam (ResourceApplyAdam). Skips, saying why, when @tensorflow/tfjs-node is not installed.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend, type BackendChoice } from "../../lib/accel/backend";
import { FusedLstm } from "../../lib/layers/fusedLstm";
import { TransformerEncoderBlock } from "../../lib/layers/transformerBlock";
import { binaryCrossEntropyFromLogits, meanSquaredError } from "../../lib/losses/reconstruction";
import { denseAutoencoder } from "../../lib/models/autoencoder";
import { CharLstm } from "../../lib/models/charLstm";
import { buildDenseDiscriminator, buildDenseGenerator } from "../../lib/models/gan";
import { seed } from "../../lib/seed";
import { adam } from "../../lib/train/adam";
import { CharLstmTrainer } from "../../lib/train/charLstmTraining";
import { GanTrainer } from "../../lib/train/ganTraining";
import { minimizeStep } from "../../lib/train/loop";
import { skipWithoutNative } from "./onNativeBackend";

/** One training step of a model on fixed data; returns the loss. */
interface TrainStep {
  step(): number;
  dispose(): void;
}

const variablesOf = (...layers: tf.layers.Layer[]) => layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));

function autoencoder(): TrainStep {
  const ae = denseAutoencoder({ hiddenSizes: [64, 16] }); // 784-64-16-64-784, ReLU
  const x = tf.randomUniform([32, 784], 0, 1, "float32", 1) as tf.Tensor2D;
  const optimizer = adam(1e-3);
  return {
    step: () => minimizeStep(optimizer, ae.trainableWeights(), () => binaryCrossEntropyFromLogits(ae.forward(x, true).logits, x)),
    dispose: () => (ae.dispose(), optimizer.dispose(), x.dispose()),
  };
}

function gan(): TrainStep {
  const trainer = new GanTrainer({ generator: buildDenseGenerator({ noiseDim: 16, hidden: [64] }), discriminator: buildDenseDiscriminator({ hidden: [64] }) });
  const real = tf.randomUniform([32, 784], 0, 1, "float32", 2);
  return {
    step: () => {
      const r = trainer.step(real);
      return r.dLoss + r.gLoss;
    },
    dispose: () => (trainer.dispose(), trainer.generator.dispose(), trainer.discriminator.dispose(), real.dispose()),
  };
}

function charLstm(): TrainStep {
  const model = new CharLstm({ vocabSize: 12, units: 32 });
  const trainer = new CharLstmTrainer(model);
  const ids = tf.randomUniform([8, 17], 0, 12, "int32", 3) as tf.Tensor2D;
  const [inputs, targets] = [ids.slice([0, 0], [8, 16]), ids.slice([0, 1], [8, 16])];
  return { step: () => trainer.trainStep(inputs, targets), dispose: () => (trainer.dispose(), model.dispose(), tf.dispose([ids, inputs, targets])) };
}

/** FusedLstm (BlockLSTM on native) or tf.layers.lstm with the same weights, under a dense read-out. */
function lstmLayer(kind: "fused" | "layers"): TrainStep {
  const rnn = kind === "fused" ? new FusedLstm({ units: 32, returnSequences: true }) : tf.layers.lstm({ units: 32, returnSequences: true, recurrentActivation: "sigmoid" });
  const head = tf.layers.dense({ units: 12 });
  const x = tf.randomNormal([8, 16, 12], 0, 1, "float32", 4);
  const y = tf.randomNormal([8, 16, 12], 0, 1, "float32", 5);
  const optimizer = adam(1e-2);
  const loss = () => meanSquaredError(head.apply(rnn.apply(x)) as tf.Tensor, y);
  tf.tidy(loss); // builds the weights
  return { step: () => minimizeStep(optimizer, variablesOf(rnn, head), loss), dispose: () => (optimizer.dispose(), rnn.dispose(), head.dispose(), tf.dispose([x, y])) };
}

function transformerBlock(): TrainStep {
  const block = new TransformerEncoderBlock({ numHeads: 4, dModel: 32, ffDim: 64, dropout: 0, norm: "post" });
  const x = tf.randomNormal([4, 16, 32], 0, 1, "float32", 6);
  const target = tf.randomNormal([4, 16, 32], 0, 1, "float32", 7);
  const optimizer = adam(1e-3);
  const loss = () => meanSquaredError(block.apply(x) as tf.Tensor, target);
  tf.tidy(loss); // builds the weights
  return { step: () => minimizeStep(optimizer, variablesOf(block), loss), dispose: () => (optimizer.dispose(), block.dispose(), tf.dispose([x, target])) };
}

/** Losses of `steps` training steps on one backend, from the same seeded weights and data. */
async function lossesOn(backend: BackendChoice, make: () => TrainStep, steps: number): Promise<number[]> {
  await initBackend({ quiet: true, force: backend });
  seed(42);
  const model = make();
  const losses = [model.step()]; // the first step also creates Adam's moment variables
  const before = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) losses.push(model.step());
  assert.equal(tf.memory().numTensors, before, `tensors leaked on ${backend}`);
  model.dispose();
  return losses;
}

describe("native backend (tfjs-node from npm run setup:native)", function () {
  let previous: BackendChoice | undefined;

  before(async function () {
    skipWithoutNative(this);
    previous = backendInfo()?.choice;
  });

  after(async function () {
    if (previous) await initBackend({ quiet: true, force: previous });
  });

  it("starts with COURSE_BACKEND=node semantics and runs TensorFlow's C++ kernels", async function () {
    const info = await initBackend({ quiet: true, force: "node" });
    assert.equal(info.tfName, "tensorflow");
    const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
    assert.match(binding.TF_Version, /^2\./);
    // Our single tfjs-core: the backend is registered in the engine the course's code uses.
    assert.ok(tf.engine().registryFactory.tensorflow != null, "tensorflow backend not in our engine");
  });

  const cases: [string, () => TrainStep][] = [
    ["dense autoencoder (lib/models/autoencoder.ts)", autoencoder],
    ["MLP GAN (lib/models/gan.ts, GanTrainer)", gan],
    ["char LSTM (lib/models/charLstm.ts: BlockLSTM on native)", charLstm],
    ["FusedLstm layer", () => lstmLayer("fused")],
    ["tf.layers.lstm", () => lstmLayer("layers")],
    ["transformer encoder block (lib/layers/transformerBlock.ts)", transformerBlock],
  ];
  for (const [name, make] of cases) {
    it(`trains the ${name} to the same losses as wasm`, async function () {
      const steps = 8;
      const wasm = await lossesOn("wasm", make, steps);
      const native = await lossesOn("node", make, steps);
      assert.ok(wasm[steps - 1] < wasm[0], `training should lower the loss: ${wasm}`);
      if (process.env.NATIVE_SPEC_VERBOSE) console.log(`      max relative difference ${Math.max(...native.map((v, i) => Math.abs(v - wasm[i]) / Math.max(1e-6, Math.abs(wasm[i])))).toExponential(1)}`);
      for (let i = 0; i < steps; i++) {
        const rel = Math.abs(native[i] - wasm[i]) / Math.max(1e-6, Math.abs(wasm[i]));
        assert.ok(rel < 1e-4, `step ${i}: native ${native[i]} vs wasm ${wasm[i]} (relative ${rel})`);
      }
    });
  }
});
