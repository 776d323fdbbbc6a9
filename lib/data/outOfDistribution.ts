/**
 * Images that are not digits, at MNIST's size and scale (28×28, white ink on black, [0, 1]),
 * to show that an autoencoder is data-specific: it reconstructs what it was trained on, and
 * little else. Three kinds, in turn: filled geometric shapes, stripes (gratings at a random
 * angle and period) and checkerboards.
 */
import { random } from "../seed";
import { shapeTest } from "./shapes";

export type OutOfDistributionKind = "shape" | "stripes" | "checkerboard";
export const OOD_KINDS: OutOfDistributionKind[] = ["shape", "stripes", "checkerboard"];

export interface OutOfDistributionSet {
  /** count × size × size */
  images: Float32Array;
  kinds: OutOfDistributionKind[];
  count: number;
  size: number;
}

export function outOfDistributionImages(count: number, options: { size?: number; rng?: () => number } = {}): OutOfDistributionSet {
  const size = options.size ?? 28;
  const rng = options.rng ?? random;
  const uniform = (a: number, b: number) => a + (b - a) * rng();
  const P = size * size;
  const images = new Float32Array(count * P);
  const kinds: OutOfDistributionKind[] = [];
  for (let k = 0; k < count; k++) {
    const kind = OOD_KINDS[k % OOD_KINDS.length];
    kinds.push(kind);
    const img = images.subarray(k * P, (k + 1) * P);
    if (kind === "shape") {
      const inside = shapeTest(Math.floor(rng() * 3), uniform(0.35, 0.65) * size, uniform(0.35, 0.65) * size, uniform(0.2, 0.32) * size, uniform(0.7, 1.3), uniform(0, Math.PI));
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) img[y * size + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
    } else if (kind === "stripes") {
      const angle = uniform(0, Math.PI), period = uniform(4, 9), phase = uniform(0, 2 * Math.PI);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const t = x * Math.cos(angle) + y * Math.sin(angle);
          img[y * size + x] = Math.sin((2 * Math.PI * t) / period + phase) > 0 ? 1 : 0;
        }
      }
    } else {
      const cell = 3 + Math.floor(rng() * 5), ox = Math.floor(rng() * cell), oy = Math.floor(rng() * cell);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) img[y * size + x] = (Math.floor((x + ox) / cell) + Math.floor((y + oy) / cell)) % 2;
    }
  }
  return { images, kinds, count, size };
}

/** Uniform noise images, every pixel independent in [0, 1]: count × pixels. */
export function noiseImages(count: number, pixels = 784, rng: () => number = random): Float32Array {
  const out = new Float32Array(count * pixels);
  for (let i = 0; i < out.length; i++) out[i] = rng();
  return out;
}
