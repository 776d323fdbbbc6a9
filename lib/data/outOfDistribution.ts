/**
 * Images that are not digits, at MNIST's size and scale (28×28, white ink on black, [0, 1]),
 * to show that an autoencoder is data-specific: it reconstructs what it was trained on, and
 * little else. Three kinds, in turn: filled geometric shapes, stripes (gratings at a random
 * angle and period) and checkerboards.
 *
 * Also two kinds of random input, for asking whether a model copies or compresses: pixel noise
 * (every pixel independent) and random scribbles (pen strokes that wander at random inside the
 * 20×20 box where MNIST centres its digits: made of the same ink as digits, but no digit).
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

export interface ScribbleOptions {
  /** Pen steps per scribble (default 60; a step is 0.7 pixel). */
  steps?: number;
  /** How sharply the pen turns: the heading changes by up to ±turn/2 radians per step (default 1.2). */
  turn?: number;
  rng?: () => number;
}

/**
 * Random scribbles, 28×28: a pen starts at a random point of the central 20×20 box and walks
 * with a randomly drifting heading, bouncing off the box, drawing a soft stroke about as wide
 * as MNIST's. count × 784, values in [0, 1].
 */
export function randomScribbles(count: number, options: ScribbleOptions = {}): Float32Array {
  const rng = options.rng ?? random;
  const steps = options.steps ?? 60;
  const turn = options.turn ?? 1.2;
  const size = 28;
  const [lo, hi] = [5, 23]; // the pen's centre stays inside the digit box
  const out = new Float32Array(count * size * size);
  for (let k = 0; k < count; k++) {
    const img = out.subarray(k * size * size, (k + 1) * size * size);
    let x = 8 + 12 * rng();
    let y = 8 + 12 * rng();
    let heading = 2 * Math.PI * rng();
    for (let t = 0; t < steps; t++) {
      heading += (rng() - 0.5) * turn;
      x += 0.7 * Math.cos(heading);
      y += 0.7 * Math.sin(heading);
      if (x < lo || x > hi) heading = Math.PI - heading; // bounce off the left or right side
      if (y < lo || y > hi) heading = -heading; // off the top or bottom
      x = Math.min(hi, Math.max(lo, x));
      y = Math.min(hi, Math.max(lo, y));
      // A soft round pen of radius ≈ 1.5 pixels: ink fades with the squared distance.
      for (let py = Math.floor(y) - 2; py <= Math.floor(y) + 2; py++) {
        for (let px = Math.floor(x) - 2; px <= Math.floor(x) + 2; px++) {
          const d2 = (px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2;
          const ink = Math.min(1, 1.5 * Math.max(0, 1 - d2 / 2.2));
          const p = py * size + px;
          if (ink > img[p]) img[p] = ink;
        }
      }
    }
  }
  return out;
}
