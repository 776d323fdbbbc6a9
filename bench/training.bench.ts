/**
 * Training throughput of the course's models (bench/models.ts): samples per second of a full
 * step (forward, backward, Adam), on every TensorFlow.js backend, beside PyTorch.
 */
import type { BenchCase, BenchSuite } from "./types";
import { makeCharLstm, makeCourseCharLstm, makeCourseEncoderBlock, makeDenseAutoencoder, makeEncoderBlock, makeMlpGan, type TrainStep } from "./models";

function trainingCase(name: string, make: () => TrainStep, skip?: BenchCase["skip"], pytorch?: string): BenchCase {
  return {
    name,
    pytorch,
    unit: "samples/s",
    skip,
    setup: () => {
      const model = make();
      return {
        run: () => {
          const loss = model.step();
          if (!Number.isFinite(loss)) throw new Error(`${name}: loss became ${loss}`);
          return model.samplesPerStep;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}

// The pure-JS cpu backend needs 10+ s per LSTM or transformer step (so minutes per case):
// those are measured on the fast backends only; the dense models show cpu's speed.
const notOnCpu = (backend: string) => (backend === "cpu" ? "10+ s per step on the pure-JS backend" : null);

export const suite: BenchSuite = {
  title: "Training step, samples/s (higher is better)",
  perBackend: true,
  cases: [
    trainingCase("dense AE b128", () => makeDenseAutoencoder(128)),
    trainingCase("dense AE b512", () => makeDenseAutoencoder(512)),
    trainingCase("MLP GAN b128", () => makeMlpGan(128)),
    trainingCase("char LSTM b64", () => makeCharLstm({ implementation: "fused" }), notOnCpu),
    trainingCase("char LSTM b64 (tf.layers.lstm)", () => makeCharLstm({ implementation: "layers" }), notOnCpu, "char LSTM b64"),
    trainingCase("char LSTM b64 (lib CharLstm)", () => makeCourseCharLstm(), notOnCpu, "char LSTM b64"),
    trainingCase("transformer block b32", () => makeEncoderBlock(), notOnCpu),
    trainingCase("transformer block b32 (lib TransformerEncoderBlock)", () => makeCourseEncoderBlock(), notOnCpu, "transformer block b32"),
  ],
};
