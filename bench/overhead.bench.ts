/**
 * What one operation costs before any arithmetic: element-wise ops on scalars, per second.
 *
 * The course's small models run a few hundred operations per training step (the dense
 * autoencoder's step is 264 kernels; Adam alone is 12 per weight tensor), so this fixed cost
 * bounds their speed: at ~30 µs an op, 264 ops are ~8 ms of a step before a single multiply.
 * PyTorch's eager ops cost a few µs each; the `pytorch` column shows it side by side.
 */
import * as tf from "@tensorflow/tfjs";
import type { BenchSuite } from "./types";

const OPS_PER_CALL = 100;

export const suite: BenchSuite = {
  title: "Per-operation overhead: element-wise ops on scalars per second (higher is better)",
  perBackend: true,
  cases: [
    {
      name: "scalar add, ops/s",
      unit: "ops/s",
      setup: () => {
        const a = tf.scalar(1.5);
        const b = tf.scalar(2.5);
        return {
          run: () => {
            for (let i = 0; i < OPS_PER_CALL; i++) tf.add(a, b).dispose();
            return OPS_PER_CALL;
          },
          dispose: () => tf.dispose([a, b]),
        };
      },
    },
  ],
};
