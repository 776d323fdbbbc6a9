/**
 * The denoising autoencoder, live: a slider for the share of masked pixels, and the noisy input,
 * its denoised reconstruction and the original side by side with their PSNR.
 * One call in a lecture cell: `denoiserWidget(denoiser, { images: mnistTest })`.
 */
import type { DenseAutoencoder } from "../../models/autoencoder";
import { imageGridPng } from "../images";
import { denoise, imagesFromBase64, imagesToBase64 } from "./compute";
import { decodeStack, disposeStack, EncodedLayer, stackSize } from "./denseStack";
import { Precision } from "./encoding";
import { encodeLayers } from "./fromModel";
import type { DenoiserPayload } from "./payloads";
import { showWidget, WidgetSpec } from "./widget";

export interface DenoiserWidgetOptions {
  /** Digits to corrupt (the first `count`, default 8). */
  images: { images: Float32Array; count: number };
  count?: number;
  /** Share of masked pixels at the start (default 0.5, as in training). */
  fraction?: number;
  /** The mask's seed (default 1). */
  seed?: number;
  /** How the kernels travel (default "int8"). */
  precision?: Precision;
}

export function denoiserSpec(autoencoder: DenseAutoencoder, options: DenoiserWidgetOptions): WidgetSpec & { bytes: number } {
  if (autoencoder.config.inputSize !== 784) throw new Error(`denoiserWidget: draws 28×28 digits, this autoencoder's input has ${autoencoder.config.inputSize} values`);
  const count = Math.min(options.count ?? 8, options.images.count);
  if (!(count >= 1)) throw new Error("denoiserWidget: no images to corrupt");
  const fraction = options.fraction ?? 0.5;
  if (!(fraction >= 0 && fraction <= 0.95)) throw new Error(`denoiserWidget: fraction must be in [0, 0.95], got ${fraction}`);
  const seed = options.seed ?? 1;
  const layers: EncodedLayer[] = [
    ...encodeLayers([...autoencoder.encoder.layers, ...autoencoder.decoder.layers], options.precision ?? "int8"),
    { op: "sigmoid" },
  ];
  const payload: DenoiserPayload = { autoencoder: layers, images: imagesToBase64(options.images.images.subarray(0, count * 784)), count, fraction, seed };

  // Static figure: noisy, denoised and original rows at the starting slider, from the page's own bytes.
  const images = imagesFromBase64(payload.images);
  const stack = decodeStack(layers);
  const rows = [new Float32Array(count * 784), new Float32Array(count * 784), images];
  for (let k = 0; k < count; k++) {
    const r = denoise(stack, images.subarray(k * 784, (k + 1) * 784), fraction, seed);
    rows[0].set(r.noisy, k * 784);
    rows[1].set(r.denoised, k * 784);
  }
  disposeStack(stack);
  const all = new Float32Array(3 * count * 784);
  rows.forEach((row, i) => all.set(row, i * count * 784));
  const bytes = stackSize(layers) + payload.images.length;
  return {
    kind: "denoiser",
    payload: payload as unknown as Record<string, unknown>,
    fallbackPng: imageGridPng(all, { cols: count, scale: 2 }).png,
    label: `denoising autoencoder: ${Math.round(fraction * 100)}% of the pixels masked (top), denoised (middle), original (bottom)`,
    bytes,
  };
}

/** Shows the live denoiser (the static noisy/denoised/original rows where scripts do not run). */
export function denoiserWidget(autoencoder: DenseAutoencoder, options: DenoiserWidgetOptions): void {
  showWidget(denoiserSpec(autoencoder, options));
}
