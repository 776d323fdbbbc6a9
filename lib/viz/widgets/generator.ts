/**
 * A GAN's generator, live: new samples on a click, and a slider that walks z(t) = (1 − t)·a + t·b
 * between two noise vectors. One call in a lecture cell: `generatorWidget(denseG)`.
 */
import * as tf from "@tensorflow/tfjs";
import { imageGridPng } from "../images";
import { gaussianNoise, interpolate, runFlat } from "./compute";
import { decodeStack, disposeStack, stackSize } from "./denseStack";
import { Precision } from "./encoding";
import { encodeLayers } from "./fromModel";
import type { GeneratorPayload } from "./payloads";
import { showWidget, WidgetSpec } from "./widget";

export interface GeneratorWidgetOptions {
  /** Samples per click (default 8). */
  count?: number;
  /** Seed of the first samples (default 1) and of the walk's ends (default 1001: far from the seeds "new samples" steps through). */
  seed?: number;
  walkSeed?: number;
  /** How the kernels travel (default "int8"). */
  precision?: Precision;
}

/** The walk's points t = 0, 1/(n−1), …, 1. */
export function walkSteps(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i / (n - 1));
}

export function generatorSpec(generator: tf.LayersModel, options: GeneratorWidgetOptions = {}): WidgetSpec & { bytes: number } {
  const noiseDim = generator.inputs[0].shape[1];
  const outputDim = generator.outputs[0].shape[1];
  if (noiseDim == null || outputDim !== 784) throw new Error(`generatorWidget: needs a generator [batch, noiseDim] → [batch, 784], got [${generator.inputs[0].shape}] → [${generator.outputs[0].shape}]`);
  const count = options.count ?? 8;
  if (!(Number.isInteger(count) && count >= 1 && count <= 32)) throw new Error(`generatorWidget: count must be an integer in 1..32, got ${count}`);
  const layers = encodeLayers(generator.layers, options.precision ?? "int8");
  const payload: GeneratorPayload = { generator: layers, noiseDim, count, seed: options.seed ?? 1, walkSeed: options.walkSeed ?? 1001 };

  // Static figure: the first samples, then 8 steps of the walk, from the dequantised weights.
  const stack = decodeStack(layers);
  const samples = runFlat(stack, gaussianNoise(payload.seed, count, noiseDim), count);
  const ends = gaussianNoise(payload.walkSeed, 2, noiseDim);
  const a = ends.subarray(0, noiseDim);
  const b = ends.subarray(noiseDim);
  const walk = new Float32Array(8 * noiseDim);
  walkSteps(8).forEach((t, i) => walk.set(interpolate(a, b, t), i * noiseDim));
  const walked = runFlat(stack, walk, 8);
  disposeStack(stack);
  const all = new Float32Array((count + 8) * 784);
  all.set(samples);
  all.set(walked, count * 784);
  const bytes = stackSize(layers);
  return {
    kind: "generator",
    payload: payload as unknown as Record<string, unknown>,
    fallbackPng: imageGridPng(all, { cols: Math.max(count, 8), scale: 2 }).png,
    label: `generator: ${count} samples, then a walk between two noise vectors (${(bytes / 1024).toFixed(0)} KB of weights)`,
    bytes,
  };
}

/** Shows the live generator (the static samples and walk where scripts do not run). */
export function generatorWidget(generator: tf.LayersModel, options: GeneratorWidgetOptions = {}): void {
  showWidget(generatorSpec(generator, options));
}
