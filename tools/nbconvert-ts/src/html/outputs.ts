/**
 * One output of a code cell to HTML, choosing the richest MIME type of a bundle in the
 * order Jupyter uses (plotly first: the handout embeds plotly.js, so figures stay
 * interactive).
 *
 * Every value that lands in an attribute is escaped, and the ones that form a URL are checked
 * first (an image's MIME type and base64 data): a notebook can put anything in its outputs.
 * With `untrusted`, HTML, SVG and Markdown outputs go through the sanitiser, scripts are left
 * out, and plotly figures are not drawn (plotly.js would run on the notebook's JSON): the
 * bundle's next type (an image, or text) shows instead.
 */
import { ansiToHtml } from "./ansi";
import { escapeHtml, jsonForScript } from "./escape";
import { MarkdownRenderer } from "./markdown";
import { sanitizeHtml } from "./sanitize";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Where lib/viz/widgets marks its outputs (metadata["ts-course"]: { widget } or { widgetRuntime }). */
const WIDGET_KEY = "ts-course";

export const MIME_ORDER = [
  PLOTLY_MIME,
  "application/javascript",
  "text/html",
  "text/markdown",
  "image/svg+xml",
  "text/latex",
  "image/png",
  "image/jpeg",
  "image/gif",
  "application/json",
  "text/plain",
];

/** Types that only a trusted notebook may show: they run code in the page. */
const SCRIPT_MIMES = new Set([PLOTLY_MIME, "application/javascript"]);

/** A MIME type safe to put in a data: URL (and so an attribute). */
const IMAGE_MIME = /^image\/[a-z0-9][a-z0-9.+-]{0,63}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What a page needs because of its outputs, and what went wrong while rendering them. */
export interface OutputContext {
  markdown: MarkdownRenderer;
  /** Incremented per plotly figure: element ids. */
  plotCount: number;
  /** Live widgets (lib/viz/widgets) on the page: the page then gets their runtime, once. */
  widgetCount?: number;
  usedAnsi: boolean;
  /** Someone else's notebook: sanitise HTML, run nothing (see the file comment). */
  untrusted?: boolean;
  /** Problems worth a warning ("cell 4: …"); rendering goes on. */
  warnings?: string[];
  /** Which cell is being rendered, for warnings. */
  where?: string;
}

export function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : value == null ? "" : typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function chooseMime(data: Record<string, unknown>, untrusted = false): string | null {
  const allowed = (m: string) => !(untrusted && SCRIPT_MIMES.has(m));
  for (const mime of MIME_ORDER) if (mime in data && allowed(mime)) return mime;
  const keys = Object.keys(data).filter(allowed);
  return keys.find((k) => k.startsWith("image/")) ?? keys.find((k) => k.startsWith("text/")) ?? null;
}

function warn(ctx: OutputContext, message: string): void {
  ctx.warnings?.push(`${ctx.where ? `${ctx.where}: ` : ""}${message}`);
}

/** Notebook HTML as the page may show it: as it is for a trusted notebook, sanitised otherwise. */
function html(ctx: OutputContext, fragment: string): string {
  return ctx.untrusted ? sanitizeHtml(fragment) : fragment;
}

export function renderOutput(output: Record<string, any>, ctx: OutputContext): string {
  switch (output.output_type) {
    case "stream": {
      const body = text(output.text);
      if (body === "") return "";
      ctx.usedAnsi ||= body.includes("\x1b[");
      return `<pre class="output stream ${output.name === "stderr" ? "stderr" : "stdout"}">${ansiToHtml(body)}</pre>`;
    }
    case "error":
      return renderError(output, ctx);
    case "display_data":
    case "execute_result": {
      const data = output.data && typeof output.data === "object" && !Array.isArray(output.data) ? output.data : {};
      const metadata = output.metadata && typeof output.metadata === "object" ? output.metadata : {};
      // A widget's runtime, sent by the kernel for JupyterLab: the page gets one copy at its end instead.
      if (metadata[WIDGET_KEY]?.widgetRuntime) return "";
      if (metadata[WIDGET_KEY]?.widget && !ctx.untrusted) ctx.widgetCount = (ctx.widgetCount ?? 0) + 1;
      return renderBundle(data, metadata, ctx);
    }
    default:
      return `<pre class="output unknown">${escapeHtml(JSON.stringify(output, null, 1))}</pre>`;
  }
}

function renderError(output: Record<string, any>, ctx: OutputContext): string {
  const traceback: string[] = Array.isArray(output.traceback) ? output.traceback.map(String) : [];
  const head = `${output.ename ?? "Error"}${output.evalue ? `: ${output.evalue}` : ""}`;
  // The head line usually repeats as the traceback's first line: show it once.
  const rest = traceback.filter((line) => line.trim() !== head.trim());
  ctx.usedAnsi ||= traceback.some((l) => l.includes("\x1b["));
  return (
    `<div class="output error" role="alert"><div class="error-head"><span class="ename">${escapeHtml(String(output.ename ?? "Error"))}</span>` +
    (output.evalue ? `<span class="evalue">${ansiToHtml(String(output.evalue))}</span>` : "") +
    `</div>${rest.length ? `<pre class="traceback">${ansiToHtml(rest.join("\n"))}</pre>` : ""}</div>`
  );
}

function imageSize(metadata: Record<string, any>, mime: string): string {
  const m = metadata?.[mime] ?? metadata ?? {};
  const w = Number(m.width);
  const h = Number(m.height);
  return `${w > 0 && w < 1e5 ? ` width="${Math.round(w)}"` : ""}${h > 0 && h < 1e5 ? ` height="${Math.round(h)}"` : ""}`;
}

/** An <img> with its data inline, or null when the type or the data cannot form a data: URL. */
function image(mime: string, value: unknown, alt: string, size: string): string | null {
  const data = text(value).replace(/\s+/g, "");
  if (!IMAGE_MIME.test(mime) || !BASE64.test(data)) return null;
  return `<div class="output image"><img src="${escapeHtml(`data:${mime};base64,${data}`)}" alt="${escapeHtml(alt)}"${size}></div>`;
}

/** A plotly figure's JSON (a string holding JSON is allowed too), or null with a warning. */
function plotlyFigure(value: unknown, ctx: OutputContext): unknown | null {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch (e) {
    warn(ctx, `a plotly figure is a string that is not JSON (${(e as Error).message}); shown as the output's other form`);
    return null;
  }
}

export function renderBundle(data: Record<string, unknown>, metadata: Record<string, any>, ctx: OutputContext): string {
  const mime = chooseMime(data, ctx.untrusted);
  if (!mime) {
    if (ctx.untrusted && Object.keys(data).some((k) => SCRIPT_MIMES.has(k))) {
      return `<p class="output omitted">(an interactive output: not shown in this view)</p>`;
    }
    return "";
  }
  const value = data[mime];
  const without = (m: string) => Object.fromEntries(Object.entries(data).filter(([k]) => k !== m));
  switch (mime) {
    case PLOTLY_MIME: {
      const figure = plotlyFigure(value, ctx);
      if (figure === null) return renderBundle(without(mime), metadata, ctx);
      const id = `plotly-figure-${++ctx.plotCount}`;
      const alt = text(data["text/plain"]);
      return (
        `<div class="output plotly"><div class="plotly-figure" id="${id}" role="img" aria-label="${escapeHtml(alt || "plotly figure")}"></div>` +
        `<script type="application/json" data-plotly="${id}">${jsonForScript(figure)}</script></div>`
      );
    }
    case "application/javascript":
      return `<div class="output javascript"><script>${text(value).replace(/<\/script/gi, "<\\/script")}</script></div>`;
    case "text/html":
      return `<div class="output html">${html(ctx, text(value))}</div>`;
    case "text/markdown":
      return `<div class="output markdown">${html(ctx, ctx.markdown.render(text(value)))}</div>`;
    case "image/svg+xml":
      return `<div class="output svg">${html(ctx, text(value).replace(/^<\?xml[^>]*>\s*/, ""))}</div>`;
    case "text/latex": {
      const tex = text(value).trim().replace(/^\$\$?([\s\S]*?)\$\$?$/, "$1");
      return `<div class="output latex">${html(ctx, ctx.markdown.tex(tex, true))}</div>`;
    }
    case "application/json":
      return `<pre class="output json">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
    default: {
      if (mime.startsWith("image/")) {
        const img = image(mime, value, text(data["text/plain"]) || "output image", imageSize(metadata, mime));
        if (img) return img;
        warn(ctx, `an output of type ${JSON.stringify(mime.slice(0, 70))} is not a base64 image; shown as the output's other form`);
        return renderBundle(without(mime), metadata, ctx);
      }
      ctx.usedAnsi ||= text(value).includes("\x1b[");
      return `<pre class="output text">${ansiToHtml(text(value))}</pre>`;
    }
  }
}
