/**
 * The toy GAN's picture as RGB pixels, drawn by the same function in Node (the static PNG of the
 * handout) and in the page (a canvas, every frame), so the two pictures are the same pixels:
 *
 *   bars    the generator's density, a histogram over [−6, 6] (orange)
 *   line    the target density p_data (blue), on the same scale, 0 to 0.6
 *   dots    D(x), the discriminator's belief that x is real (green), 0 to 1; a grey dashed line at ½
 *
 * No text: the page puts the legend and the numbers beside it as HTML, the PNG's alt text says them.
 */
import { TOY_BINS, TOY_X_MAX, TOY_X_MIN } from "./toyGanCompute";

export const PLOT_WIDTH = 480;
export const PLOT_HEIGHT = 200;
const DENSITY_MAX = 0.6;
const PAD = 6;

type Rgb = [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const ORANGE: Rgb = [250, 190, 130]; // the lecture's rgba(255,127,14,0.55) on white
const BLUE: Rgb = [31, 119, 180];
const GREEN: Rgb = [44, 160, 44];
const GREY: Rgb = [170, 170, 170];

export interface ToyGanPicture {
  /** Per bin: G's density. */
  generated: ArrayLike<number>;
  /** On the 241-point grid over [−6, 6]: the target density and D(x). */
  target: ArrayLike<number>;
  beliefs: ArrayLike<number>;
}

/** RGB bytes, row by row: [PLOT_HEIGHT · PLOT_WIDTH · 3]. */
export function drawToyGan(picture: ToyGanPicture): Uint8Array {
  const w = PLOT_WIDTH;
  const h = PLOT_HEIGHT;
  const rgb = new Uint8Array(w * h * 3);
  const set = (x: number, y: number, c: Rgb) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const i = 3 * (y * w + x);
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  for (let i = 0; i < rgb.length; i++) rgb[i] = WHITE[i % 3];
  const plotW = w - 2 * PAD;
  const plotH = h - 2 * PAD;
  const px = (x: number) => Math.round(PAD + ((x - TOY_X_MIN) / (TOY_X_MAX - TOY_X_MIN)) * (plotW - 1));
  const py = (v: number, max: number) => Math.round(PAD + (1 - Math.min(1.02, Math.max(0, v / max))) * (plotH - 1));

  // Bars: one per bin, from the axis up to the density (clipped at the top).
  const binW = (TOY_X_MAX - TOY_X_MIN) / TOY_BINS;
  for (let b = 0; b < TOY_BINS; b++) {
    const [x0, x1] = [px(TOY_X_MIN + b * binW), px(TOY_X_MIN + (b + 1) * binW) - 1];
    const top = py(picture.generated[b], DENSITY_MAX);
    for (let x = x0; x <= x1; x++) for (let y = top; y <= PAD + plotH - 1; y++) set(x, y, ORANGE);
  }
  // Axis, ticks at the integers, and D = ½.
  for (let x = PAD; x < PAD + plotW; x++) set(x, PAD + plotH - 1, GREY);
  for (let t = TOY_X_MIN; t <= TOY_X_MAX; t++) for (let y = PAD + plotH; y < PAD + plotH + 4; y++) set(px(t), y, GREY);
  const half = py(0.5, 1);
  for (let x = PAD; x < PAD + plotW; x++) if (x % 8 < 4) set(x, half, GREY);

  // A polyline over the grid, 2 px thick; dotted leaves gaps.
  const line = (values: ArrayLike<number>, max: number, colour: Rgb, dotted: boolean) => {
    const n = values.length;
    const xAt = (i: number) => px(TOY_X_MIN + ((TOY_X_MAX - TOY_X_MIN) * i) / (n - 1));
    for (let i = 0; i + 1 < n; i++) {
      const [xa, xb] = [xAt(i), xAt(i + 1)];
      const [ya, yb] = [py(values[i], max), py(values[i + 1], max)];
      const steps = Math.max(Math.abs(xb - xa), Math.abs(yb - ya), 1);
      for (let s = 0; s <= steps; s++) {
        const x = Math.round(xa + ((xb - xa) * s) / steps);
        const y = Math.round(ya + ((yb - ya) * s) / steps);
        if (dotted && x % 6 >= 3) continue;
        set(x, y, colour);
        set(x, y + 1, colour);
      }
    }
  };
  line(picture.target, DENSITY_MAX, BLUE, false);
  line(picture.beliefs, 1, GREEN, true);
  return rgb;
}
