/**
 * Raw matrix-product speed, GFLOP/s: a dense layer's forward product, the same with the
 * weights transposed (every backward pass has these), a large square product, and attention's
 * batched product [batch·heads, tokens, dk] × [batch·heads, dk, tokens].
 */
import * as tf from "@tensorflow/tfjs";
import type { BenchCase, BenchSuite } from "./types";

function matmulCase(name: string, aShape: number[], bShape: number[], transposeB = false): BenchCase {
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const n = transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
  const batch = aShape.length > 2 ? aShape[0] : 1;
  return {
    name,
    unit: "GFLOP/s",
    scale: 1e-9,
    setup: () => {
      const a = tf.randomNormal(aShape, 0, 1, "float32", 1);
      const b = tf.randomNormal(bShape, 0, 1, "float32", 2);
      return {
        run: () => {
          const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, transposeB);
          c.dataSync(); // wait for it: tfjs-node and webgl run asynchronously otherwise
          c.dispose();
          return 2 * batch * m * k * n;
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
  };
}

export const suite: BenchSuite = {
  title: "Matrix products, GFLOP/s (higher is better)",
  perBackend: true,
  cases: [
    matmulCase("matmul 128x784x256", [128, 784], [784, 256]),
    matmulCase("matmul 128x784x256 (B transposed)", [128, 784], [256, 784], true),
    matmulCase("matmul 1024x1024x1024", [1024, 1024], [1024, 1024]),
    matmulCase("batched matmul 128x[64x16x64] (attention)", [128, 64, 16], [128, 64, 16], true),
  ],
};
