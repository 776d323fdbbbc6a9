/**
 * Training throughput of the course's models (bench/models.ts): samples per second of a full
 * step (forward, backward, Adam), on every TensorFlow.js backend, beside PyTorch.
 */
import type { BenchCase, BenchSuite } from "./types";
import { makeCharLstm, makeCourseEncoderBlock, makeDenseAutoencoder, makeEncoderBlock, makeMlpGan, type TrainStep } from "./models";

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

// The pure-JS cpu backend needs seconds per LSTM step; the layers-API LSTM is measured on the fast backends only.
const notOnCpu = (backend: string) => (backend === "cpu" ? "minutes on the pure-JS backend" : null);

export const suite: BenchSuite = {
  title: "Training step, samples/s (higher is better)",
  perBackend: true,
  cases: [
    trainingCase("dense AE b128", () => makeDenseAutoencoder(128)),
    trainingCase("dense AE b512", () => makeDenseAutoencoder(512)),
    trainingCase("MLP GAN b128", () => makeMlpGan(128)),
    trainingCase("char LSTM b64", () => makeCharLstm({ implementation: "fused" })),
    trainingCase("char LSTM b64 (tf.layers.lstm)", () => makeCharLstm({ implementation: "layers" }), notOnCpu, "char LSTM b64"),
    trainingCase("transformer block b32", () => makeEncoderBlock()),
    trainingCase("transformer block b32 (lib TransformerEncoderBlock)", () => makeCourseEncoderBlock(), undefined, "transformer block b32"),
  ],
};
