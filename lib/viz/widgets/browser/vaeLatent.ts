/**
 * The VAE's latent plane: a point on [−r, r]² (drag or click it, arrow keys on the plane, or
 * the two sliders) and the digit E[x|h] the decoder makes of it, redrawn on every move.
 */
import type { VaeLatentPayload } from "../payloads";
import { decodeArray, base64ToBytes } from "../encoding";
import { decodeStack } from "../denseStack";
import { decodeLatent } from "../compute";
import { captioned, digitCanvas, drawGrey, el, slider } from "./dom";

/** Ten colours for the ten digits (Okabe-Ito and Tableau, readable on light and dark). */
const COLOURS = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999", "#8c564b", "#17becf"];
const SIZE = 220;

export function mountVaeLatent(root: HTMLElement, payload: VaeLatentPayload): void {
  const decoder = decodeStack(payload.decoder); // kept for the page's life: the widget lives as long
  const r = payload.range;
  const fmt = (v: number) => (v < 0 ? "−" : "") + Math.abs(v).toFixed(2);
  const plane = el("canvas", {
    width: String(SIZE),
    height: String(SIZE),
    tabindex: "0",
    role: "application",
    "aria-label": `latent plane from −${r} to ${r} on both axes: arrow keys move the point by 0.1, with Shift by 0.5`,
    style: "cursor:crosshair;touch-action:none;border:1px solid currentColor;display:block",
  });
  const digit = digitCanvas("decoded digit", 6);
  const where = el("span", { "aria-live": "polite" });
  const h1 = slider("h₁ (horizontal)", -r, r, 0.01, payload.start[0], fmt);
  const h2 = slider("h₂ (vertical)", -r, r, 0.01, payload.start[1], fmt);
  root.append(
    el("div", { style: "display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start" }, captioned(plane, "latent plane h = (h₁, h₂)"), captioned(digit, where)),
    h1.wrap,
    h2.wrap,
  );

  const points = payload.points ? { codes: decodeArray(payload.points.codes), labels: base64ToBytes(payload.points.labels) } : null;
  const toPx = (v: number) => ((v + r) / (2 * r)) * SIZE;
  const state = { h: [payload.start[0], payload.start[1]] as [number, number], pixels: new Float32Array(784) };
  (root as any).courseWidgetState = state; // read by the browser tests

  function drawPlane(): void {
    const ctx = plane.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = "#888";
    ctx.fillRect(toPx(0) - 0.5, 0, 1, SIZE); // axes through h = 0
    ctx.fillRect(0, SIZE - toPx(0) - 0.5, SIZE, 1);
    if (points) {
      ctx.globalAlpha = 0.6;
      for (let i = 0; i < points.labels.length; i++) {
        ctx.fillStyle = COLOURS[points.labels[i] % 10];
        ctx.fillRect(toPx(points.codes[2 * i]) - 1.5, SIZE - toPx(points.codes[2 * i + 1]) - 1.5, 3, 3);
      }
    }
    ctx.globalAlpha = 1;
    const [x, y] = [toPx(state.h[0]), SIZE - toPx(state.h[1])];
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  function set(hx: number, hy: number): void {
    const clamp = (v: number) => Math.round(Math.min(r, Math.max(-r, v)) * 100) / 100;
    state.h = [clamp(hx), clamp(hy)];
    h1.set(state.h[0]);
    h2.set(state.h[1]);
    render();
  }

  function render(): void {
    state.pixels = decodeLatent(decoder, state.h);
    drawGrey(digit, state.pixels);
    where.textContent = `E[x | h = (${fmt(state.h[0])}, ${fmt(state.h[1])})]`;
    digit.setAttribute("aria-label", `the digit decoded at h = (${fmt(state.h[0])}, ${fmt(state.h[1])})`);
    drawPlane();
  }

  const fromPointer = (e: PointerEvent) => {
    const box = plane.getBoundingClientRect();
    set(((e.clientX - box.left) / box.width) * 2 * r - r, r - ((e.clientY - box.top) / box.height) * 2 * r);
  };
  plane.addEventListener("pointerdown", (e) => {
    plane.setPointerCapture?.(e.pointerId);
    fromPointer(e);
  });
  plane.addEventListener("pointermove", (e) => {
    if (e.buttons & 1) fromPointer(e);
  });
  plane.addEventListener("keydown", (e) => {
    const d = e.shiftKey ? 0.5 : 0.1;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    set(state.h[0] + m[0], state.h[1] + m[1]);
  });
  h1.input.addEventListener("input", () => set(Number(h1.input.value), state.h[1]));
  h2.input.addEventListener("input", () => set(state.h[0], Number(h2.input.value)));
  render();
}
