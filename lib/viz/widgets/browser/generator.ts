/**
 * A GAN's generator: "new samples" draws fresh noise (the next seed) and shows G(z); the slider
 * walks z(t) = (1 − t)·a + t·b between two noise vectors and shows G(z(t)) with both ends.
 */
import type { GeneratorPayload } from "../payloads";
import { decodeStack } from "../denseStack";
import { gaussianNoise, generate, interpolate, runFlat } from "../compute";
import { button, captioned, digitCanvas, drawGrey, el, slider } from "./dom";

export function mountGenerator(root: HTMLElement, payload: GeneratorPayload): void {
  const generator = decodeStack(payload.generator);
  const dim = payload.noiseDim;
  const more = button("new samples");
  const seedText = el("span", { "aria-live": "polite" });
  const sampleCanvases = Array.from({ length: payload.count }, (_, i) => digitCanvas(`sample ${i + 1}`, 3));
  const walk = slider("walk from a to b: t", 0, 1, 0.05, 0.5, (v) => v.toFixed(2));
  const newEnds = button("new ends a, b");
  const ends = { a: digitCanvas("G(a)", 3), mid: digitCanvas("G(z(t))", 6), b: digitCanvas("G(b)", 3) };
  root.append(
    el("div", { style: "display:flex;gap:.5em;align-items:center" }, more, seedText),
    el("div", { style: "display:flex;flex-wrap:wrap" }, ...sampleCanvases.map((c) => el("div", { style: "margin:0 .25em .25em 0" }, c))),
    walk.wrap,
    newEnds,
    el("div", { style: "display:flex;align-items:flex-end" }, captioned(ends.a, "G(a), t = 0"), captioned(ends.mid, "G((1 − t)·a + t·b)"), captioned(ends.b, "G(b), t = 1")),
  );

  const state = { seed: payload.seed, walkSeed: payload.walkSeed, t: 0.5, samples: new Float32Array(0), walked: new Float32Array(0) };
  (root as any).courseWidgetState = state; // read by the browser tests
  let a = new Float32Array(dim);
  let b = new Float32Array(dim);

  function renderSamples(): void {
    state.samples = generate(generator, state.seed, payload.count, dim);
    sampleCanvases.forEach((c, i) => drawGrey(c, state.samples.subarray(i * 784, (i + 1) * 784)));
    seedText.textContent = `noise seed ${state.seed}`;
  }
  function newWalk(): void {
    const z = gaussianNoise(state.walkSeed, 2, dim);
    a = z.slice(0, dim);
    b = z.slice(dim);
    const both = runFlat(generator, z, 2);
    drawGrey(ends.a, both.subarray(0, 784));
    drawGrey(ends.b, both.subarray(784));
    renderWalk();
  }
  function renderWalk(): void {
    state.walked = runFlat(generator, interpolate(a, b, state.t), 1);
    drawGrey(ends.mid, state.walked);
    ends.mid.setAttribute("aria-label", `the sample at t = ${state.t.toFixed(2)}`);
  }

  more.addEventListener("click", () => {
    state.seed += 1;
    renderSamples();
  });
  newEnds.addEventListener("click", () => {
    state.walkSeed += 1;
    newWalk();
  });
  walk.input.addEventListener("input", () => {
    state.t = Number(walk.input.value);
    renderWalk();
  });
  renderSamples();
  newWalk();
}
