/**
 * One output of a code cell to HTML, choosing the richest MIME type of a bundle in the
 * order Jupyter uses (plotly first: the handout embeds plotly.js, so figures stay
 * interactive).
 */
import { ansiToHtml } from "./ansi";
import { escapeHtml, jsonForScript } from "./escape";
import { MarkdownRenderer } from "./markdown";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

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

/** What a page needs because of its outputs. */
export interface OutputContext {
  markdown: MarkdownRenderer;
  /** Incremented per plotly figure: element ids. */
  plotCount: number;
  usedAnsi: boolean;
}

export function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : value == null ? "" : typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function chooseMime(data: Record<string, unknown>): string | null {
  for (const mime of MIME_ORDER) if (mime in data) return mime;
  const keys = Object.keys(data);
  return keys.find((k) => k.startsWith("image/")) ?? keys.find((k) => k.startsWith("text/")) ?? null;
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
    case "execute_result":
      return renderBundle(output.data ?? {}, output.metadata ?? {}, ctx);
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
  return `${w > 0 ? ` width="${w}"` : ""}${h > 0 ? ` height="${h}"` : ""}`;
}

export function renderBundle(data: Record<string, unknown>, metadata: Record<string, any>, ctx: OutputContext): string {
  const mime = chooseMime(data);
  if (!mime) return "";
  const value = data[mime];
  switch (mime) {
    case PLOTLY_MIME: {
      const id = `plotly-figure-${++ctx.plotCount}`;
      const figure = typeof value === "string" ? JSON.parse(value) : value;
      const alt = text(data["text/plain"]);
      return (
        `<div class="output plotly"><div class="plotly-figure" id="${id}" role="img" aria-label="${escapeHtml(alt || "plotly figure")}"></div>` +
        `<script type="application/json" data-plotly="${id}">${jsonForScript(figure)}</script></div>`
      );
    }
    case "application/javascript":
      return `<div class="output javascript"><script>${text(value).replace(/<\/script/gi, "<\\/script")}</script></div>`;
    case "text/html":
      return `<div class="output html">${text(value)}</div>`;
    case "text/markdown":
      return `<div class="output markdown">${ctx.markdown.render(text(value))}</div>`;
    case "image/svg+xml":
      return `<div class="output svg">${text(value).replace(/^<\?xml[^>]*>\s*/, "")}</div>`;
    case "text/latex": {
      const tex = text(value).trim().replace(/^\$\$?([\s\S]*?)\$\$?$/, "$1");
      return `<div class="output latex">${ctx.markdown.tex(tex, true)}</div>`;
    }
    case "image/png":
    case "image/jpeg":
    case "image/gif": {
      const alt = escapeHtml(text(data["text/plain"]) || "output image");
      return `<div class="output image"><img src="data:${mime};base64,${text(value).replace(/\s+/g, "")}" alt="${alt}"${imageSize(metadata, mime)}></div>`;
    }
    case "application/json":
      return `<pre class="output json">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
    default:
      if (mime.startsWith("image/")) {
        return `<div class="output image"><img src="data:${mime};base64,${text(value).replace(/\s+/g, "")}" alt="output image"></div>`;
      }
      ctx.usedAnsi ||= text(value).includes("\x1b[");
      return `<pre class="output text">${ansiToHtml(text(value))}</pre>`;
  }
}
