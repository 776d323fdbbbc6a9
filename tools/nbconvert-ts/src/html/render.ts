/**
 * Step 4: an executed notebook to one self-contained HTML page.
 *
 *   cells ─► markdown (marked + KaTeX) | code (highlight.js) + outputs ─► table of contents
 *         ─► page: theme CSS, KaTeX CSS if there is maths, plotly.js if there are figures
 *
 * A Content-Security-Policy meta tag forbids every network request (default-src 'none'),
 * so a handout that works at all works offline.
 */
import * as fs from "fs";
import { Cell, joinText, Notebook } from "../notebook/types";
import { Chunk } from "../notebook/write";
import { headScript, katexCss, pageScript, plotlyScript, themeCss } from "./assets";
import { escapeHtml } from "./escape";
import { highlight } from "./highlight";
import { Heading, MarkdownRenderer } from "./markdown";
import { OutputContext, renderOutput } from "./outputs";
import { renderToc } from "./toc";

export interface RenderOptions {
  /** Page title (default: metadata.title, else the first heading, else "Notebook"). */
  title?: string;
  /** Shown under the title, e.g. the lecture's date. */
  date?: string;
  /** Name shown above the table of contents (and linked to `indexHref`). */
  courseName?: string;
  indexHref?: string;
  /** Show the `[n]` execution counts next to code (default true). */
  prompts?: boolean;
  /** A line for the footer (e.g. "executed in 42 s on …"). */
  footer?: string;
}

export interface RenderResult {
  /** The page as pieces (plotly.js as a file to copy): write these with writeFileAtomic. */
  chunks: Chunk[];
  /** The page as one string (joined on first use). */
  readonly html: string;
  title: string;
  headings: Heading[];
  usedMath: boolean;
  plotCount: number;
  /** Maths that KaTeX could not parse, and similar problems worth a warning. */
  warnings: string[];
}

/** The `script-src`/`style-src` need 'unsafe-inline' (everything is inline); nothing else is allowed. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

export function renderNotebook(nb: Notebook, options: RenderOptions = {}): RenderResult {
  const markdown = new MarkdownRenderer();
  const ctx: OutputContext = { markdown, plotCount: 0, usedAnsi: false };
  const language = String(nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language ?? "typescript");
  const prompts = options.prompts ?? true;

  const body: string[] = [];
  nb.cells.forEach((cell, i) => body.push(renderCell(cell, i, markdown, ctx, language, prompts)));

  const title = options.title ?? (typeof nb.metadata?.title === "string" ? nb.metadata.title : undefined) ?? markdown.headings[0]?.text ?? "Notebook";
  const toc = renderToc(markdown.headings);
  const css = [themeCss(), markdown.usedMath ? katexCss() : ""].join("\n");

  const meta = [options.date ? `<span class="date">${escapeHtml(options.date)}</span>` : "", options.courseName ? `<span>${escapeHtml(options.courseName)}</span>` : ""]
    .filter(Boolean)
    .join("");
  const course = options.courseName
    ? `<p class="course">${options.indexHref ? `<a href="${escapeHtml(options.indexHref)}">${escapeHtml(options.courseName)}</a>` : escapeHtml(options.courseName)}</p>`
    : "";

  const page = `<!DOCTYPE html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="generator" content="nbconvert-ts">
<title>${escapeHtml(title)}</title>
<script>${headScript()}</script>
<style>${css}</style>
</head>
<body>
<div class="page">
<nav class="sidebar" aria-label="Contents">${course}<p class="doc-title"><a href="#">${escapeHtml(title)}</a></p>${options.date ? `<p class="doc-date">${escapeHtml(options.date)}</p>` : ""}${toc ? `<p class="toc-label">Contents</p><div class="toc">${toc}</div>` : ""}</nav>
<main>
<div class="topbar"><div class="meta">${meta || `<span>${escapeHtml(title)}</span>`}</div><button class="theme-toggle" type="button" aria-label="switch between light and dark theme">☾ Dark</button></div>
${toc ? `<details class="toc-mobile"><summary>Contents</summary><div class="toc">${toc}</div></details>` : ""}
<article class="notebook">
${body.join("\n")}
</article>
${options.footer ? `<footer class="footer">${escapeHtml(options.footer)}</footer>` : ""}
</main>
</div>
`;
  const tail = `<script>${pageScript()}</script>\n</body>\n</html>\n`;
  const chunks = ctx.plotCount > 0 ? [page, "<script>", plotlyScript(), "</script>\n", tail] : [page + tail];
  let joined: string | null = null;
  return {
    chunks,
    get html() {
      return (joined ??= chunks.map((c) => (typeof c === "string" ? c : Buffer.isBuffer(c) ? c.toString() : fs.readFileSync(c.copyOf, "utf8"))).join(""));
    },
    title,
    headings: markdown.headings,
    usedMath: markdown.usedMath,
    plotCount: ctx.plotCount,
    warnings: [...markdown.mathErrors],
  };
}

function renderCell(cell: Cell, index: number, markdown: MarkdownRenderer, ctx: OutputContext, language: string, prompts: boolean): string {
  const id = cell.id ? ` id="cell-${escapeHtml(cell.id)}"` : "";
  const source = joinText(cell.source);
  if (cell.cell_type === "markdown") {
    return `<section class="cell markdown"${id}>${markdown.render(source, (cell.attachments ?? {}) as Record<string, Record<string, unknown>>)}</section>`;
  }
  if (cell.cell_type === "raw") {
    const format = String(cell.metadata?.format ?? cell.metadata?.raw_mimetype ?? "");
    return format === "text/html" ? `<section class="cell raw"${id}>${source}</section>` : "";
  }
  if (source.trim() === "" && !(cell.outputs ?? []).length) return "";
  const count = cell.execution_count;
  const prompt = prompts ? `<div class="prompt">${count != null ? `[${count}]` : "[ ]"}</div>` : `<div class="prompt"></div>`;
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, ctx)).filter(Boolean).join("");
  return (
    `<section class="cell code"${id}><div class="input">${prompt}<pre><code class="hljs language-${escapeHtml(language)}">${highlight(source, language)}</code></pre></div>` +
    `<div class="outputs">${outputs}</div></section>`
  );
}
