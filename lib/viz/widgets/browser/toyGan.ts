/**
 * The toy GAN trains in the page: "start" runs `stepsPerFrame` rounds per animation frame and
 * redraws; "pause" stops; "one round" steps once; "reset" starts again from the seed (new weights,
 * new data stream). The step size and the rounds per frame apply from the next round on.
 * Tensors: the pair's variables and Adam's moments live as long as the run; every round and
 * every picture disposes what it made, so tf.memory().numTensors stays flat across frames.
 */
import type { ToyGanPayload } from "../payloads";
import { targetDensity, ToyGan, ToyGanFrame } from "../toyGanCompute";
import { drawToyGan, PLOT_HEIGHT, PLOT_WIDTH } from "../toyGanPlot";
import { button, el, slider, uid } from "./dom";

const RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];

export function mountToyGan(root: HTMLElement, payload: ToyGanPayload): void {
  const target = targetDensity(payload.mixture);
  const canvas = el("canvas", {
    width: String(PLOT_WIDTH),
    height: String(PLOT_HEIGHT),
    role: "img",
    "aria-label": "target density, generator's density and D(x) over x from −6 to 6",
    style: "max-width:100%;display:block;border:1px solid currentColor",
  });
  const swatch = (colour: string, text: string) => el("span", { style: "margin-right:1em;white-space:nowrap" }, el("span", { style: `display:inline-block;width:1em;height:.6em;background:${colour};margin-right:.3em` }), text);
  const legend = el("div", { style: "font-size:.85em;margin:.25em 0" }, swatch("#1f77b4", "target density p_data"), swatch("#fabe82", "generator's density p_G (G at 2,000 evenly spaced z)"), swatch("#2ca02c", "D(x), 0 to 1 (dashed: ½)"), el("span", {}, "x from −6 to 6"));
  const run = button("start");
  run.setAttribute("aria-pressed", "false");
  const once = button("one round");
  const reset = button("reset");
  const seedId = uid("seed");
  const seedInput = el("input", { type: "number", id: seedId, min: "0", max: "999999", step: "1", value: String(payload.seed), style: "width:6em" });
  const rateId = uid("rate");
  const rate = el("select", { id: rateId });
  for (const r of [...new Set([...RATES, payload.learningRate])].sort((a, b) => a - b)) rate.append(el("option", { value: String(r) }, String(r)));
  rate.value = String(payload.learningRate);
  const perFrame = slider("rounds per frame", 1, 20, 1, payload.stepsPerFrame, (v) => String(v));
  const status = el("p", { style: "margin:.25em 0;font-variant-numeric:tabular-nums" });
  root.append(
    canvas,
    legend,
    el("div", { style: "display:flex;gap:.5em;align-items:center;flex-wrap:wrap" }, run, once, reset, el("label", { for: seedId }, "seed"), seedInput, el("label", { for: rateId }, "Adam step size"), rate),
    perFrame.wrap,
    status,
  );

  let gan: ToyGan;
  const state = { round: 0, running: false, frame: null as ToyGanFrame | null, frames: 0 };
  (root as any).courseWidgetState = state; // read by the browser tests

  function draw(): void {
    const frame = gan.frame();
    state.frame = frame;
    state.round = frame.round;
    state.frames++;
    const rgb = drawToyGan({ generated: frame.generated, target, beliefs: frame.beliefs });
    const ctx = canvas.getContext("2d");
    if (ctx) {
      const image = ctx.createImageData(PLOT_WIDTH, PLOT_HEIGHT);
      for (let i = 0; i < PLOT_WIDTH * PLOT_HEIGHT; i++) {
        image.data[4 * i] = rgb[3 * i];
        image.data[4 * i + 1] = rgb[3 * i + 1];
        image.data[4 * i + 2] = rgb[3 * i + 2];
        image.data[4 * i + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
    }
    const losses = frame.round > 0 ? `, L_D ${frame.dLoss.toFixed(3)}, L_G ${frame.gLoss.toFixed(3)}` : " (untrained)";
    status.textContent = `round ${frame.round}: total-variation distance to the target ${frame.tv.toFixed(3)}${losses}`;
    canvas.setAttribute("aria-label", `after ${frame.round} rounds: target density, generator's density and D(x) over x from −6 to 6; distance ${frame.tv.toFixed(3)}`);
  }

  function start(): void {
    const seed = Math.trunc(Number(seedInput.value));
    if (!(Number.isFinite(seed) && seed >= 0)) {
      status.textContent = `the seed must be a whole number ≥ 0, not "${seedInput.value}"`;
      return;
    }
    gan?.dispose();
    gan = new ToyGan({ ...payload, learningRate: Number(rate.value), seed });
    draw();
  }

  function pause(): void {
    state.running = false;
    run.textContent = "start";
    run.setAttribute("aria-pressed", "false");
    status.setAttribute("aria-live", "polite"); // say where it stopped; not every frame while running
  }

  function tick(): void {
    if (!state.running) return;
    for (let i = 0; i < Number(perFrame.input.value); i++) gan.step();
    draw();
    requestAnimationFrame(tick);
  }

  run.addEventListener("click", () => {
    if (state.running) return pause();
    state.running = true;
    run.textContent = "pause";
    run.setAttribute("aria-pressed", "true");
    status.setAttribute("aria-live", "off");
    requestAnimationFrame(tick);
  });
  once.addEventListener("click", () => {
    if (state.running) pause();
    gan.step();
    draw();
  });
  reset.addEventListener("click", () => {
    pause();
    start();
  });
  rate.addEventListener("change", () => gan.setLearningRate(Number(rate.value)));
  seedInput.addEventListener("change", () => {
    pause();
    start();
  });
  start();
}
