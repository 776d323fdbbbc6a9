/**
 * The native backend (tfjs-node built by `npm run setup:native`) trains the course's models to
 * the same numbers as wasm. Skips, saying why, when @tensorflow/tfjs-node is not installed.
 *
 * CI: npm run setup:native && npx mocha --no-config -r tsx/cjs --extension ts --timeout 120000 tests/lib/nativeBackend.spec.ts tests/lib/fusedLstm.spec.ts
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend, type BackendChoice } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { skipWithoutNative } from "./onNativeBackend";
import { makeCharLstm, makeDenseAutoencoder, makeEncoderBlock, makeMlpGan, type TrainStep } from "../../bench/models";

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

  const cases: [string, () => TrainStep, number][] = [
    ["dense autoencoder", () => makeDenseAutoencoder(32), 1e-4],
    ["MLP GAN", () => makeMlpGan(32), 1e-4],
    ["char LSTM (fused: BlockLSTM on native)", () => makeCharLstm({ batch: 8, steps: 16, units: 32, implementation: "fused" }), 1e-4],
    ["char LSTM (tf.layers.lstm)", () => makeCharLstm({ batch: 8, steps: 16, units: 32, implementation: "layers" }), 1e-4],
    ["transformer encoder block", () => makeEncoderBlock({ batch: 4, tokens: 16 }), 1e-4],
  ];
  for (const [name, make, tolerance] of cases) {
    it(`trains the ${name} to the same losses as wasm`, async function () {
      const steps = 8;
      const wasm = await lossesOn("wasm", make, steps);
      const native = await lossesOn("node", make, steps);
      assert.ok(wasm[steps - 1] < wasm[0], `training should lower the loss: ${wasm}`);
      for (let i = 0; i < steps; i++) {
        const rel = Math.abs(native[i] - wasm[i]) / Math.max(1e-6, Math.abs(wasm[i]));
        assert.ok(rel < tolerance, `step ${i}: native ${native[i]} vs wasm ${wasm[i]} (relative ${rel})`);
      }
    });
  }
});
