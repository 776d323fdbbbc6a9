/**
 * Synthetic images with segmentation masks, for the U-Net: filled discs, rectangles and
 * triangles of random size, position and brightness on a background with a brightness gradient
 * and pixel noise, and a few thin bright "scratches" that are NOT part of any shape.
 *
 * The mask marks the shapes' pixels. The gradient means no single grey level separates shape
 * from background, and the scratches are as bright as shapes, so a pixel's own value is not
 * enough: the network has to look at its neighbourhood (how wide the bright region is).
 */
import { random } from "../seed";

export interface ShapesOptions {
  /** Images are size × size (default 32). */
  size?: number;
  /** Shapes per image: a number from minShapes to maxShapes (defaults 1 and 3). */
  minShapes?: number;
  maxShapes?: number;
  /** Thin distractor lines per image, from 0 to maxScratches (default 2). */
  maxScratches?: number;
  /** Standard deviation of the pixel noise (default 0.08). */
  noise?: number;
  rng?: () => number;
}

export interface ShapesSet {
  /** count × size × size, values in [0, 1]. */
  images: Float32Array;
  /** count × size × size, 1 where a shape is, else 0. */
  masks: Float32Array;
  count: number;
  size: number;
}

export function generateShapes(count: number, options: ShapesOptions = {}): ShapesSet {
  const size = options.size ?? 32;
  const rng = options.rng ?? random;
  const minShapes = options.minShapes ?? 1;
  const maxShapes = options.maxShapes ?? 3;
  const maxScratches = options.maxScratches ?? 2;
  const noise = options.noise ?? 0.08;
  if (!(Number.isInteger(count) && count > 0)) throw new Error(`generateShapes: count must be a positive integer, got ${count}`);
  if (!(size >= 8)) throw new Error(`generateShapes: size must be at least 8, got ${size}`);
  if (!(minShapes >= 0 && maxShapes >= minShapes)) throw new Error(`generateShapes: need 0 ≤ minShapes ≤ maxShapes, got ${minShapes}, ${maxShapes}`);

  const P = size * size;
  const images = new Float32Array(count * P);
  const masks = new Float32Array(count * P);
  const uniform = (a: number, b: number) => a + (b - a) * rng();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

  for (let k = 0; k < count; k++) {
    const img = images.subarray(k * P, (k + 1) * P);
    const mask = masks.subarray(k * P, (k + 1) * P);
    // Background: a linear brightness ramp in a random direction, from dark to mid-grey.
    const angle = uniform(0, 2 * Math.PI);
    const low = uniform(0.0, 0.25);
    const high = uniform(0.35, 0.6);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const t = ((x / (size - 1) - 0.5) * Math.cos(angle) + (y / (size - 1) - 0.5) * Math.sin(angle)) / Math.SQRT2 + 0.5;
        img[y * size + x] = low + (high - low) * t;
      }
    }
    // Shapes: each painted with its own brightness, always above the background's local level.
    const nShapes = minShapes + Math.floor(rng() * (maxShapes - minShapes + 1));
    for (let s = 0; s < nShapes; s++) {
      const kind = Math.floor(rng() * 3);
      const cx = uniform(0.2, 0.8) * size;
      const cy = uniform(0.2, 0.8) * size;
      const r = uniform(0.1, 0.22) * size;
      const brightness = uniform(0.35, 0.5);
      const inside = shapeTest(kind, cx, cy, r, uniform(0.6, 1.4), uniform(0, Math.PI));
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (!inside(x + 0.5, y + 0.5)) continue;
          const p = y * size + x;
          if (mask[p] === 0) img[p] += brightness;
          mask[p] = 1;
        }
      }
    }
    // Scratches: one-pixel lines as bright as a shape, which the mask leaves out.
    const nScratches = Math.floor(rng() * (maxScratches + 1));
    for (let s = 0; s < nScratches; s++) {
      const brightness = uniform(0.35, 0.5);
      const x0 = uniform(0, size), y0 = uniform(0, size), a = uniform(0, Math.PI), len = uniform(0.4, 0.9) * size;
      for (let t = -len / 2; t <= len / 2; t += 0.5) {
        const x = Math.floor(x0 + t * Math.cos(a));
        const y = Math.floor(y0 + t * Math.sin(a));
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const p = y * size + x;
        if (mask[p] === 0 && img[p] < 0.9) img[p] = Math.min(1, img[p] + brightness);
      }
    }
    for (let p = 0; p < P; p++) img[p] = Math.min(1, Math.max(0, img[p] + noise * gauss()));
  }
  return { images, masks, count, size };
}

/** A point-in-shape test: 0 disc (an ellipse, really), 1 rotated rectangle, 2 triangle. Centre (cx, cy), radius r. */
export function shapeTest(kind: number, cx: number, cy: number, r: number, aspect: number, rot: number): (x: number, y: number) => boolean {
  const c = Math.cos(rot), s = Math.sin(rot);
  // Coordinates in the shape's own frame.
  const local = (x: number, y: number) => [(x - cx) * c + (y - cy) * s, -(x - cx) * s + (y - cy) * c];
  if (kind === 0) {
    return (x, y) => {
      const [u, v] = local(x, y);
      return (u / (r * aspect)) ** 2 + (v / r) ** 2 <= 1;
    };
  }
  if (kind === 1) {
    return (x, y) => {
      const [u, v] = local(x, y);
      return Math.abs(u) <= r * aspect * 0.9 && Math.abs(v) <= r * 0.9;
    };
  }
  // An equilateral-ish triangle: inside all three half-planes.
  const corners = [0, 1, 2].map((i) => [r * 1.2 * Math.cos(rot + (2 * Math.PI * i) / 3), r * 1.2 * Math.sin(rot + (2 * Math.PI * i) / 3)]);
  return (x, y) => {
    const px = x - cx, py = y - cy;
    let sign = 0;
    for (let i = 0; i < 3; i++) {
      const [ax, ay] = corners[i];
      const [bx, by] = corners[(i + 1) % 3];
      const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
      const side = Math.sign(cross);
      if (side === 0) continue;
      if (sign === 0) sign = side;
      else if (side !== sign) return false;
    }
    return true;
  };
}
