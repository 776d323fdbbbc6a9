/**
 * Image grids (digits, reconstructions, samples) shown as one PNG: light in a notebook,
 * sharp when scaled, and readable by every viewer and by the HTML exporter.
 */
import * as tf from "@tensorflow/tfjs";
import { displayBundle, LiveDisplay, MimeBundle } from "./display";
import { encodePng } from "./png";

export interface ImageGridOptions {
  /** Images per row (default: all in one row, at most 10). */
  cols?: number;
  /** Height and width of each image (default 28×28). */
  height?: number;
  width?: number;
  /** Each source pixel becomes scale×scale screen pixels (default 2). */
  scale?: number;
  /** Pixels of padding between images (default 2, drawn mid-grey). */
  pad?: number;
  /** A caption shown above the grid and in the text summary. */
  title?: string;
}

/** Rows of images, values in [0, 1]: a flat array (n × h × w), a list of images, or a tensor [n, h*w] / [n, h, w]. */
export type Images = ArrayLike<number> | ArrayLike<number>[] | tf.Tensor;

/** Lays the images out in a grid and encodes it as PNG bytes. */
export function imageGridPng(images: Images, options: ImageGridOptions = {}): { png: Buffer; width: number; height: number; count: number } {
  const h = options.height ?? 28;
  const w = options.width ?? 28;
  const flat = toFlat(images);
  const n = Math.floor(flat.length / (h * w));
  if (n * h * w !== flat.length) throw new Error(`imageGrid: ${flat.length} values is not a whole number of ${h}×${w} images`);
  const cols = Math.max(1, Math.min(options.cols ?? Math.min(n, 10), n));
  const rows = Math.ceil(n / cols);
  const scale = options.scale ?? 2;
  const pad = options.pad ?? 2;
  const W = cols * (w * scale + pad) + pad;
  const H = rows * (h * scale + pad) + pad;
  const canvas = new Float32Array(W * H).fill(0.5);
  for (let k = 0; k < n; k++) {
    const ox = pad + (k % cols) * (w * scale + pad);
    const oy = pad + Math.floor(k / cols) * (h * scale + pad);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        canvas[(oy + y) * W + ox + x] = flat[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
      }
    }
  }
  return { png: encodePng(canvas, W, H, 1), width: W, height: H, count: n };
}

export function imageGridBundle(images: Images, options: ImageGridOptions = {}): MimeBundle {
  const grid = imageGridPng(images, options);
  const base64 = grid.png.toString("base64");
  const caption = options.title ? `<div style="font-weight:600;margin:4px 0">${escapeHtml(options.title)}</div>` : "";
  return {
    "image/png": base64,
    "text/html": `${caption}<img alt="${escapeHtml(options.title ?? "image grid")}" src="data:image/png;base64,${base64}" style="image-rendering:pixelated;max-width:100%">`,
    "text/plain": `[image grid${options.title ? ` "${options.title}"` : ""}: ${grid.count} images, ${grid.width}×${grid.height} px]`,
  };
}

/** Shows images as a grid in the notebook. */
export function showImages(images: Images, options: ImageGridOptions = {}): void {
  displayBundle(imageGridBundle(images, options));
}

/** A grid that redraws in place, for samples as training goes. */
export class LiveImageGrid {
  private readonly display = new LiveDisplay();
  update(images: Images, options: ImageGridOptions = {}): void {
    this.display.show(imageGridBundle(images, options));
  }
}

function toFlat(images: Images): ArrayLike<number> {
  if (images instanceof tf.Tensor) return images.dataSync();
  if (images.length > 0 && typeof (images as ArrayLike<unknown>)[0] !== "number") {
    const list = images as ArrayLike<number>[];
    const size = list[0].length;
    const out = new Float32Array(list.length * size);
    for (let i = 0; i < list.length; i++) out.set(Array.from(list[i]), i * size);
    return out;
  }
  return images as ArrayLike<number>;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
