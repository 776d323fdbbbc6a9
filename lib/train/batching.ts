/**
 * Feeding flat image arrays to training loops: rows picked by index become a tensor (the
 * shuffled batches themselves come from ./shuffledBatches.ts), and inference runs in chunks.
 */
import * as tf from "@tensorflow/tfjs";

/** Anything holding `count` images of equal size back to back: MnistSet, ShapesSet, … */
export interface FlatImages {
  images: Float32Array;
  count: number;
}

/** Values per image. */
export function pixelsPerImage(data: FlatImages): number {
  const pixels = data.images.length / data.count;
  if (!Number.isInteger(pixels) || data.count === 0) throw new Error(`${data.images.length} values is not a whole number of ${data.count} images`);
  return pixels;
}

/** The rows with these indices as a tensor [indices.length, pixels]. */
export function rowsTensor(data: FlatImages, indices: ArrayLike<number>): tf.Tensor2D {
  const pixels = pixelsPerImage(data);
  const out = new Float32Array(indices.length * pixels);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!(k >= 0 && k < data.count)) throw new Error(`rowsTensor: index ${k} outside 0..${data.count - 1}`);
    out.set(data.images.subarray(k * pixels, (k + 1) * pixels), i * pixels);
  }
  return tf.tensor2d(out, [indices.length, pixels]);
}

/** Runs `fn` over the images in chunks (inference), returning its outputs back to back on the host. */
export function mapInBatches(data: FlatImages, fn: (x: tf.Tensor2D) => tf.Tensor, batchSize = 500): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const out = tf.tidy(() => fn(rowsTensor(data, indices)));
    parts.push(out.dataSync() as Float32Array); // read outside tidy
    out.dispose();
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

/** Mean squared error of each image against its original (host arrays, `pixels` values per image). */
export function perImageMse(images: ArrayLike<number>, originals: ArrayLike<number>, pixels: number): number[] {
  if (images.length !== originals.length) throw new Error(`perImageMse: ${images.length} values against ${originals.length}`);
  const out: number[] = [];
  for (let start = 0; start < images.length; start += pixels) {
    let sum = 0;
    for (let p = start; p < start + pixels; p++) sum += (images[p] - originals[p]) ** 2;
    out.push(sum / pixels);
  }
  return out;
}

export function arrayMean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error("arrayMean: no values to average");
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
