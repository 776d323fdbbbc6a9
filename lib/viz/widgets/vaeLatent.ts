/**
 * The VAE's latent plane, live: move a point over h = (h₁, h₂) and see E[x|h], the decoded digit.
 * One call in a lecture cell: `vaeLatentWidget(vae, { points: mnistTest })`.
 */
import * as tf from "@tensorflow/tfjs";
import type { Vae } from "../../models/vae";
import { imageGridPng } from "../images";
import { runFlat } from "./compute";
import { decodeStack, disposeStack, EncodedLayer, stackSize } from "./denseStack";
import { bytesToBase64, encodeArray, Precision } from "./encoding";
import { encodeLayers } from "./fromModel";
import type { VaeLatentPayload } from "./payloads";
import { showWidget, WidgetSpec } from "./widget";

export interface VaeLatentWidgetOptions {
  /** How the decoder's kernels travel (default "int8": one byte a weight). */
  precision?: Precision;
  /** Half-width of the plane (default 3: ±3σ of the prior N(0, I); wider if 2% of the drawn codes lie outside). */
  range?: number;
  /** Test digits whose codes μ(x) are drawn on the plane, coloured by label (the first `pointCount`). */
  points?: { images: Float32Array; labels?: ArrayLike<number>; count: number };
  pointCount?: number;
}

/** The widget's spec (payload, static figure); `showWidget` displays it. */
export function vaeLatentSpec(vae: Vae, options: VaeLatentWidgetOptions = {}): WidgetSpec & { bytes: number } {
  if (vae.config.latentSize !== 2) throw new Error(`vaeLatentWidget: the latent plane needs latentSize 2, this VAE has ${vae.config.latentSize}`);
  if (vae.config.inputSize !== 784) throw new Error(`vaeLatentWidget: draws 28×28 digits, this VAE's input has ${vae.config.inputSize} values`);
  if (options.range !== undefined && !(options.range > 0 && options.range <= 20)) throw new Error(`vaeLatentWidget: range must be in (0, 20], got ${options.range}`);
  const decoder: EncodedLayer[] = [...encodeLayers(vae.decoder.layers, options.precision ?? "int8"), { op: "sigmoid" }];
  const payload: VaeLatentPayload = { decoder, range: options.range ?? 3, start: [0, 0] };
  if (options.points) {
    const n = Math.min(options.pointCount ?? 500, options.points.count);
    const codes = tf.tidy(() => vae.encode(tf.tensor2d(options.points!.images.subarray(0, n * 784), [n, 784])).mean);
    const values = Float32Array.from(codes.dataSync() as Float32Array);
    codes.dispose();
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) labels[i] = Number(options.points.labels?.[i] ?? 0);
    payload.points = { codes: encodeArray(values, [n, 2], "float16"), labels: bytesToBase64(labels) };
    if (options.range === undefined) {
      // A briefly trained VAE may not have pulled its codes into ±3 yet: show where they are.
      const sorted = Array.from(values, Math.abs).sort((a, b) => a - b);
      payload.range = Math.min(20, Math.max(3, Math.ceil(2 * sorted[Math.floor(0.98 * (sorted.length - 1))]) / 2));
    }
  }
  const range = payload.range;

  // The static figure: the decoded plane on a 10×10 grid (h₂ from +range at the top), with the
  // same dequantised weights the live widget uses.
  const steps = 10;
  const grid = new Float32Array(steps * steps * 2);
  for (let r = 0; r < steps; r++) {
    for (let c = 0; c < steps; c++) {
      grid[(r * steps + c) * 2] = -range + (2 * range * c) / (steps - 1);
      grid[(r * steps + c) * 2 + 1] = range - (2 * range * r) / (steps - 1);
    }
  }
  const stack = decodeStack(decoder);
  const digits = runFlat(stack, grid, steps * steps);
  disposeStack(stack);
  const png = imageGridPng(digits, { cols: steps, scale: 2, pad: 0 }).png;
  const bytes = stackSize(decoder);
  return {
    kind: "vae-latent",
    payload: payload as unknown as Record<string, unknown>,
    fallbackPng: png,
    label: `VAE latent plane: the decoded digit at each point h of [−${range}, ${range}]², ${(bytes / 1024).toFixed(0)} KB of weights`,
    bytes,
  };
}

/** Shows the live latent plane (the static 10×10 grid where scripts do not run). */
export function vaeLatentWidget(vae: Vae, options: VaeLatentWidgetOptions = {}): void {
  showWidget(vaeLatentSpec(vae, options));
}
