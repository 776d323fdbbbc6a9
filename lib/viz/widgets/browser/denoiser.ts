/**
 * The denoising autoencoder: pick a test digit and the share of masked pixels; see the noisy
 * input, the reconstruction and the original side by side with their PSNR against the original.
 */
import type { DenoiserPayload } from "../payloads";
import { decodeStack } from "../denseStack";
import { denoise, DenoiseResult, imagesFromBase64 } from "../compute";
import { button, captioned, digitCanvas, drawGrey, el, slider, uid } from "./dom";

export function mountDenoiser(root: HTMLElement, payload: DenoiserPayload): void {
  const autoencoder = decodeStack(payload.autoencoder);
  const images = imagesFromBase64(payload.images);
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const fraction = slider("share of masked pixels", 0, 0.95, 0.05, payload.fraction, pct);
  const pickId = uid("digit");
  const pick = el("select", { id: pickId });
  for (let k = 0; k < payload.count; k++) pick.append(el("option", { value: String(k) }, `test digit ${k + 1}`));
  const newMask = button("new mask");
  const canvases = { noisy: digitCanvas("noisy input"), denoised: digitCanvas("denoised"), original: digitCanvas("original") };
  const captions = { noisy: el("span"), denoised: el("span"), original: el("span") };
  const summary = el("p", { "aria-live": "polite", style: "margin:.25em 0" });
  root.append(
    el("div", { style: "display:flex;gap:.5em;align-items:center;flex-wrap:wrap" }, el("label", { for: pickId }, "digit"), pick, newMask),
    fraction.wrap,
    el("div", {}, captioned(canvases.noisy, captions.noisy), captioned(canvases.denoised, captions.denoised), captioned(canvases.original, captions.original)),
    summary,
  );

  const state = { index: 0, fraction: payload.fraction, seed: payload.seed, result: null as DenoiseResult | null };
  (root as any).courseWidgetState = state; // read by the browser tests

  function render(): void {
    const original = images.subarray(state.index * 784, (state.index + 1) * 784);
    const result = denoise(autoencoder, original, state.fraction, state.seed);
    state.result = result;
    drawGrey(canvases.noisy, result.noisy);
    drawGrey(canvases.denoised, result.denoised);
    drawGrey(canvases.original, original);
    const db = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} dB` : "∞ dB (exact)");
    captions.noisy.textContent = `noisy: ${db(result.psnrNoisy)}`;
    captions.denoised.textContent = `denoised: ${db(result.psnrDenoised)}`;
    captions.original.textContent = "original";
    summary.textContent = `${pct(state.fraction)} of the pixels masked (mask ${state.seed}): PSNR ${db(result.psnrNoisy)} noisy, ${db(result.psnrDenoised)} denoised`;
  }

  fraction.input.addEventListener("input", () => {
    state.fraction = Number(fraction.input.value);
    render();
  });
  pick.addEventListener("change", () => {
    state.index = Number(pick.value);
    render();
  });
  newMask.addEventListener("click", () => {
    state.seed += 1;
    render();
  });
  render();
}
