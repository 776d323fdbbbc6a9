/**
 * Plotly figures for notebooks: build a figure with one of the helpers, then `show(figure)`.
 *
 * A figure is sent as a bundle: `application/vnd.plotly.v1+json` (drawn by JupyterLab's plotly
 * renderer and by our HTML exporter, which embeds plotly.js once per page: no CDN anywhere) and
 * `text/plain` (a one-line summary for terminals and tests).
 */
import { displayBundle, LiveDisplay, MimeBundle } from "./display";

export interface PlotTrace {
  type?: string;
  name?: string;
  x?: unknown[];
  y?: unknown[];
  z?: unknown[][];
  mode?: string;
  [key: string]: unknown;
}

export interface Figure {
  data: PlotTrace[];
  layout: Record<string, unknown>;
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export function figureBundle(figure: Figure): MimeBundle {
  const title = titleOf(figure);
  const traces = figure.data.map((t) => `${t.type ?? "scatter"}${t.name ? ` "${t.name}"` : ""}`).join(", ");
  return {
    // No `responsive: true`: with a fixed layout.height, JupyterLab's plotly renderer then
    // collapses the figure to zero height on the first window resize (seen in tests/e2e);
    // the renderer re-fits the width on resize by itself.
    [PLOTLY_MIME]: { data: figure.data, layout: figure.layout, config: { displaylogo: false } },
    "text/plain": `[figure${title ? ` "${title}"` : ""}: ${traces}]`,
  };
}

/** Displays a figure in the notebook (or its summary line outside one). */
export function show(figure: Figure): void {
  displayBundle(figureBundle(figure));
}

/** A figure that redraws in place: call `update(figure)` as training goes. */
export class LiveFigure {
  private readonly display = new LiveDisplay();
  update(figure: Figure): void {
    this.display.show(figureBundle(figure));
  }
}

function titleOf(figure: Figure): string {
  const t = figure.layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}

function baseLayout(title: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // automargin on both axes: long tick labels (heatmap rows, "00 c") and axis titles grow the margin instead of being clipped
  const axes = Object.fromEntries(["xaxis", "yaxis"].map((k) => [k, { automargin: true, ...((extra[k] as object) ?? {}) }]));
  return { title: title ? { text: title } : undefined, margin: { t: title ? 40 : 10, r: 10, b: 50, l: 60 }, height: 360, ...extra, ...axes };
}

export interface Series {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
}

/** Line chart of one or more series, such as training and test loss per step. */
export function lineChart(series: Series[], options: { title?: string; xTitle?: string; yTitle?: string; logY?: boolean } = {}): Figure {
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: "lines",
      name: s.name,
      x: s.x ? Array.from(s.x) : Array.from({ length: s.y.length }, (_, i) => i),
      y: Array.from(s.y),
    })),
    layout: baseLayout(options.title, {
      xaxis: { title: { text: options.xTitle ?? "step" } },
      yaxis: { title: { text: options.yTitle ?? "" }, type: options.logY ? "log" : "linear" },
    }),
  };
}

/** Loss curves: a line per named history. */
export function lossCurves(histories: Record<string, ArrayLike<number>>, options: { title?: string; xTitle?: string; logY?: boolean } = {}): Figure {
  const series = Object.entries(histories).map(([name, y]) => ({ name, y }));
  return lineChart(series, { title: options.title ?? "loss", xTitle: options.xTitle ?? "step", yTitle: "loss", logY: options.logY });
}

/** Scatter plot; with `groups`, one coloured trace per group (e.g. digit class). */
export function scatter(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: { groups?: ArrayLike<number | string>; title?: string; xTitle?: string; yTitle?: string; markerSize?: number } = {},
): Figure {
  const marker = { size: options.markerSize ?? 4, opacity: 0.7 };
  if (!options.groups) {
    return { data: [{ type: "scatter", mode: "markers", x: Array.from(x), y: Array.from(y), marker }], layout: baseLayout(options.title) };
  }
  const byGroup = new Map<string, { x: number[]; y: number[] }>();
  for (let i = 0; i < x.length; i++) {
    const key = String(options.groups[i]);
    if (!byGroup.has(key)) byGroup.set(key, { x: [], y: [] });
    byGroup.get(key)!.x.push(x[i]);
    byGroup.get(key)!.y.push(y[i]);
  }
  const keys = [...byGroup.keys()].sort((a, b) => (isNaN(+a) || isNaN(+b) ? a.localeCompare(b) : +a - +b));
  return {
    data: keys.map((k) => ({ type: "scatter", mode: "markers", name: k, x: byGroup.get(k)!.x, y: byGroup.get(k)!.y, marker })),
    layout: baseLayout(options.title, { xaxis: { title: { text: options.xTitle ?? "" } }, yaxis: { title: { text: options.yTitle ?? "" } } }),
  };
}

/** Heatmap of a matrix given as rows: attention weights, positional encodings, confusion matrices. */
export function heatmap(
  z: ArrayLike<number>[],
  options: { x?: (string | number)[]; y?: (string | number)[]; title?: string; xTitle?: string; yTitle?: string; colorscale?: string; reverseY?: boolean } = {},
): Figure {
  return {
    data: [{ type: "heatmap", z: z.map((row) => Array.from(row)), x: options.x, y: options.y, colorscale: options.colorscale ?? "Viridis" }],
    layout: baseLayout(options.title, {
      xaxis: { title: { text: options.xTitle ?? "" }, ...everyLabel(options.x, z[0]?.length ?? 0) },
      yaxis: { title: { text: options.yTitle ?? "" }, autorange: options.reverseY === false ? true : "reversed", ...everyLabel(options.y, z.length) },
    }),
  };
}

/**
 * Ticks for a heatmap axis: given labels are categories (plotly would read "0".."9" as numbers and
 * label every other one); without labels, a short axis (≤ 12 cells) gets a tick on every cell.
 */
function everyLabel(labels: (string | number)[] | undefined, cells: number): Record<string, unknown> {
  if (labels) return { type: "category" };
  return cells > 0 && cells <= 12 ? { dtick: 1 } : {};
}

/** Bar chart: one bar per label, each labelled (a category axis: digits as labels stay labels). */
export function barChart(labels: (string | number)[], values: ArrayLike<number>, options: { title?: string; xTitle?: string; yTitle?: string } = {}): Figure {
  return {
    data: [{ type: "bar", x: labels.map(String), y: Array.from(values) }],
    layout: baseLayout(options.title, { xaxis: { title: { text: options.xTitle ?? "" }, type: "category" }, yaxis: { title: { text: options.yTitle ?? "" } } }),
  };
}

/** Overlaid histograms of several samples (density-normalised). */
export function histograms(samples: Record<string, ArrayLike<number>>, options: { title?: string; bins?: number; xTitle?: string } = {}): Figure {
  return {
    data: Object.entries(samples).map(([name, values]) => ({
      type: "histogram",
      name,
      x: Array.from(values),
      histnorm: "probability density",
      opacity: 0.6,
      nbinsx: options.bins ?? 60,
    })),
    // The bars are densities (histnorm), so the y axis is always "density".
    layout: baseLayout(options.title, { barmode: "overlay", xaxis: { title: { text: options.xTitle ?? "" } }, yaxis: { title: { text: "density" } } }),
  };
}
