/**
 * The 1-D toy GAN, trained live in the page: the target density, the generator's density and D(x)
 * redrawn as the rounds go, with start/pause/step/reset, a seed, the step size and rounds per frame.
 * One call in a lecture cell: `toyGanWidget({ generator: toyG, discriminator: toyD, learningRate: 1e-3, beta1: 0.5 })`:
 * the architecture is read off the lecture's models; the page trains its own pair from the seed.
 */
import * as tf from "@tensorflow/tfjs";
import { encodePng } from "../png";
import { TOY_GAN_MIXTURE, GaussianMixture1D } from "../../data/gaussianMixture";
import { targetDensity, ToyGan } from "./toyGanCompute";
import { drawToyGan, PLOT_HEIGHT, PLOT_WIDTH } from "./toyGanPlot";
import type { ToyGanPayload } from "./payloads";
import { showWidget, WidgetSpec } from "./widget";

export interface ToyGanWidgetOptions {
  /** The lecture's toy pair: G 1 → … → 1 (linear output), D 1 → … → 1 (a logit), Dense and LeakyReLU layers. */
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Adam's step size and β₁ at the start (the lecture: 1e-3, 0.5). */
  learningRate?: number;
  beta1?: number;
  /** Default 256, as in the lecture. */
  batch?: number;
  /** Default 2 (a round of batch 256 takes tens of ms on the page's cpu backend). */
  stepsPerFrame?: number;
  /** Default 1. */
  seed?: number;
  mixture?: GaussianMixture1D;
  /** Rounds trained here for the static picture (default 200). */
  previewRounds?: number;
}

/** Hidden widths and LeakyReLU slope of a 1 → … → 1 dense stack; an error naming what does not fit. */
function architecture(model: tf.LayersModel, role: string): { hidden: number[]; leak: number; activation: string } {
  const hidden: number[] = [];
  const leaks = new Set<number>();
  let activation = "linear";
  model.layers.forEach((layer, i) => {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    if (kind === "LeakyReLU") leaks.add(Number(config.alpha));
    else if (kind === "Dense") {
      const last = i === model.layers.length - 1;
      if (!last) hidden.push(Number(config.units));
      else activation = String(config.activation ?? "linear");
      if (!last && (config.activation ?? "linear") !== "linear") throw new Error(`toyGanWidget: the ${role}'s layer "${layer.name}" has activation ${config.activation}; hidden layers must be linear Dense + LeakyReLU`);
    } else if (kind !== "InputLayer") throw new Error(`toyGanWidget: the ${role}'s layer "${layer.name}" is a ${kind}; Dense and LeakyReLU only`);
  });
  const io = [model.inputs[0].shape[1], model.outputs[0].shape[1]];
  if (io[0] !== 1 || io[1] !== 1) throw new Error(`toyGanWidget: the ${role} must map 1 number to 1, this one maps ${io[0]} to ${io[1]}`);
  if (leaks.size !== 1) throw new Error(`toyGanWidget: the ${role} needs LeakyReLU layers of one slope, found ${leaks.size ? [...leaks].join(", ") : "none"}`);
  return { hidden, leak: [...leaks][0], activation };
}

export function toyGanSpec(options: ToyGanWidgetOptions): WidgetSpec & { bytes: number } {
  const g = architecture(options.generator, "generator");
  const d = architecture(options.discriminator, "discriminator");
  if (g.activation !== "linear" || d.activation !== "linear") throw new Error("toyGanWidget: both last layers must be linear (G outputs a number, D a logit)");
  if (g.hidden.join() !== d.hidden.join() || g.leak !== d.leak) throw new Error(`toyGanWidget: G (${g.hidden}) and D (${d.hidden}) must share their hidden widths and slope`);
  const payload: ToyGanPayload = {
    hidden: g.hidden,
    leak: g.leak,
    batch: options.batch ?? 256,
    learningRate: options.learningRate ?? 1e-3,
    beta1: options.beta1 ?? 0.5,
    stepsPerFrame: options.stepsPerFrame ?? 2,
    seed: options.seed ?? 1,
    mixture: options.mixture ?? TOY_GAN_MIXTURE,
    previewRounds: options.previewRounds ?? 200,
  };
  if (!(Number.isInteger(payload.previewRounds) && payload.previewRounds >= 0 && payload.previewRounds <= 5000)) throw new Error(`toyGanWidget: previewRounds must be an integer in 0..5000, got ${payload.previewRounds}`);

  // The static picture: the same training, here, for previewRounds rounds (on the kernel's backend).
  const gan = new ToyGan(payload);
  for (let i = 0; i < payload.previewRounds; i++) gan.step();
  const frame = gan.frame();
  gan.dispose();
  const rgb = drawToyGan({ generated: frame.generated, target: targetDensity(payload.mixture), beliefs: frame.beliefs });
  const png = encodePng(Float32Array.from(rgb, (v) => v / 255), PLOT_WIDTH, PLOT_HEIGHT, 3);
  const bytes = JSON.stringify(payload).length;
  return {
    kind: "toy-gan",
    payload: payload as unknown as Record<string, unknown>,
    fallbackPng: png,
    label: `1-D toy GAN after ${payload.previewRounds} rounds (seed ${payload.seed}): target density (blue line), the generator's density (orange bars), D(x) (green dots, ½ dashed); total-variation distance ${frame.tv.toFixed(3)}`,
    bytes,
  };
}

/** Shows the live toy GAN (its picture after a few rounds where scripts do not run). */
export function toyGanWidget(options: ToyGanWidgetOptions): void {
  showWidget(toyGanSpec(options));
}
