/**
 * Small DOM helpers for the widgets: labelled native controls (keyboard and screen readers
 * get them for free), greyscale canvases, and styles that follow the page's text colour so a
 * dark theme works too.
 */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

let nextId = 0;
/** An id unique in the page (several widgets, several notebooks in one JupyterLab). */
export function uid(prefix: string): string {
  return `course-widget-${prefix}-${++nextId}`;
}

export interface Slider {
  wrap: HTMLElement;
  input: HTMLInputElement;
  output: HTMLOutputElement;
  /** Moves the slider without an input event (when another control moved the value). */
  set(value: number): void;
}

/** <label>text</label> <input type=range> <output>: the value is also said as text. */
export function slider(label: string, min: number, max: number, step: number, value: number, format: (v: number) => string): Slider {
  const id = uid("range");
  const input = el("input", { type: "range", id, min: String(min), max: String(max), step: String(step), value: String(value) });
  const output = el("output", { for: id, style: "font-variant-numeric:tabular-nums;min-width:4em;display:inline-block" });
  const say = (v: number) => {
    output.textContent = format(v);
    input.setAttribute("aria-valuetext", format(v));
  };
  say(value);
  input.addEventListener("input", () => say(Number(input.value)));
  const wrap = el("div", { style: "display:flex;gap:.5em;align-items:center;margin:.25em 0" }, el("label", { for: id, style: "min-width:10em" }, label), input, output);
  return {
    wrap,
    input,
    output,
    set(v: number) {
      input.value = String(v);
      say(v);
    },
  };
}

export function button(label: string): HTMLButtonElement {
  return el("button", { type: "button", style: "font:inherit;padding:.2em .8em;margin:.25em .5em .25em 0;cursor:pointer" }, label);
}

/** A canvas for a 28×28 greyscale image, shown `scale` times larger with sharp pixels. */
export function digitCanvas(label: string, scale = 4): HTMLCanvasElement {
  return el("canvas", { width: "28", height: "28", role: "img", "aria-label": label, style: `width:${28 * scale}px;height:${28 * scale}px;image-rendering:pixelated;background:#000;display:block` });
}

/** Draws values in [0, 1] (clamped; 0 is black) as grey, the way the static figures do. */
export function drawGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, width = 28, height = 28): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** A figure: the canvas with a caption under it. */
export function captioned(canvas: HTMLElement, caption: HTMLElement | string): HTMLElement {
  return el("figure", { style: "margin:0 .75em .5em 0;display:inline-block;text-align:center" }, canvas, el("figcaption", { style: "font-size:.85em" }, caption));
}
