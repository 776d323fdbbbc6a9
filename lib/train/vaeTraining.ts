/**
 * Training a variational autoencoder by maximising the ELBO (minimising −ELBO), and measuring
 * the ELBO of a data set. The KL and reconstruction terms are kept apart in the history so the
 * lecture can plot how they trade off.
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "./adam";
import { elboTerms, Vae } from "../models/vae";
import { FlatImages, pixelsPerImage, rowsTensor } from "./batching";
import { ShuffledBatches } from "./shuffledBatches";
import { trainLoop, TrainHistory } from "./loop";

export interface VaeTrainingOptions {
  steps: number;
  batchSize?: number;
  learningRate?: number;
  label?: string;
  quiet?: boolean;
}

export interface VaeHistory extends TrainHistory {
  /** E_q[log p(x|h)] per step (batch mean, nats). */
  reconstruction: number[];
  /** KL(q(h|x) ‖ p(h)) per step (batch mean, nats). */
  kl: number[];
}

export async function trainVae(vae: Vae, data: FlatImages, options: VaeTrainingOptions): Promise<VaeHistory> {
  const { steps, batchSize = 128, learningRate = 1e-3 } = options;
  if (pixelsPerImage(data) !== vae.config.inputSize) throw new Error(`trainVae: the images have ${pixelsPerImage(data)} pixels, the model expects ${vae.config.inputSize}`);
  const optimizer = adam(learningRate);
  const variables = vae.trainableWeights();
  const batches = new ShuffledBatches(data.count, batchSize, (idx) => rowsTensor(data, idx), { dropLast: true }); // [batch, D]
  const reconstruction: number[] = [];
  const kl: number[] = [];
  try {
    const history = await trainLoop({
      steps,
      label: options.label ?? "VAE",
      quiet: options.quiet,
      step: () => {
        const terms = tf.tidy(() => {
          const x = batches.next(); // [batch, D], freed by the tidy
          let parts: tf.Scalar[] = [];
          const loss = optimizer.minimize(
            () => {
              const t = elboTerms(x, vae.forward(x));
              parts = [tf.keep(t.reconstruction), tf.keep(t.kl)];
              return t.loss;
            },
            true,
            variables,
          ) as tf.Scalar;
          return [loss, ...parts];
        });
        const [loss, rec, k] = terms.map((t) => t.dataSync()[0]);
        tf.dispose(terms);
        reconstruction.push(rec);
        kl.push(k);
        return loss;
      },
    });
    return { ...history, reconstruction, kl };
  } finally {
    optimizer.dispose();
  }
}

/** The ELBO of a data set (one sample of h per image), with its two terms, in nats per image. */
export function evaluateElbo(vae: Vae, data: FlatImages, batchSize = 500): { elbo: number; reconstruction: number; kl: number } {
  let rec = 0;
  let kl = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const sums = tf.tidy(() => {
      const t = elboTerms(rowsTensor(data, indices), vae.forward(rowsTensor(data, indices)));
      return [t.reconstruction.mul(indices.length), t.kl.mul(indices.length)];
    });
    const [r, k] = sums.map((s) => s.dataSync()[0]);
    tf.dispose(sums);
    rec += r;
    kl += k;
  }
  rec /= data.count;
  kl /= data.count;
  return { elbo: rec - kl, reconstruction: rec, kl };
}

/** μ(x) of every image: count × latent (the point each image is mapped to). */
export function vaeMeans(vae: Vae, data: FlatImages, batchSize = 500): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const m = tf.tidy(() => vae.encode(rowsTensor(data, indices)).mean);
    parts.push(m.dataSync() as Float32Array);
    m.dispose();
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decodes a regular grid over the latent plane (2-D latents only): n × n images, rows from top
 * (largest h₂) to bottom, columns from left (smallest h₁), over [−extent, extent]².
 */
export function decodeLatentGrid(vae: Vae, n: number, extent = 2.5): Float32Array {
  if (vae.config.latentSize !== 2) throw new Error(`decodeLatentGrid: needs a 2-D latent space, this VAE has ${vae.config.latentSize}`);
  const points: number[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const h1 = -extent + (2 * extent * col) / (n - 1);
      const h2 = extent - (2 * extent * row) / (n - 1);
      points.push(h1, h2);
    }
  }
  const images = tf.tidy(() => vae.decode(tf.tensor2d(points, [n * n, 2])));
  const out = images.dataSync() as Float32Array;
  images.dispose();
  return out;
}
