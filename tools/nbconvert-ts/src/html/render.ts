/**
 * Step 4: an executed notebook to one self-contained HTML page.
 *
 *   cells ─► markdown (marked + KaTeX) | code (highlight.js) + outputs ─► table of contents
 *         ─► page: theme CSS, KaTeX CSS if there is maths, plotly.js if there are figures,
 *            the live widgets' runtime (TensorFlow.js, built now by esbuild) if there are widgets
 *
 * A Content-Security-Policy meta tag forbids every network request (default-src 'none'),
 * so a handout that works at all works offline. An export of an untrusted notebook (a
 * student's) sanitises every piece of HTML the notebook carries (./sanitize.ts), shows no
 * script output, and its policy lets only the page's own two scripts run.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import type { Chunk } from "@ts-course/cli";
import { Cell, joinText, Notebook } from "@ts-course/notebook";
import { headScript, katexCss, pageScript, plotlyScript, themeCss } from "./assets";
import { escapeHtml } from "./escape";
import { highlight } from "./highlight";
import { Heading, MarkdownRenderer } from "./markdown";
import { OutputContext, renderOutput } from "./outputs";
import { sanitizeHtml } from "./sanitize";
import { renderToc } from "./toc";
import { widgetRuntime } from "../../../../lib/viz/widgets/runtime";

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
  /**
   * The notebook is someone else's (a student's): sanitise its HTML (Markdown, text/html, SVG,
   * raw cells), leave out script and plotly outputs, and allow only the page's own scripts.
   */
  untrusted?: boolean;
  /** The notebook's name in warnings. */
  file?: string;
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
  /** Live widgets on the page (0: no widget runtime in it). */
  widgetCount: number;
  /** Maths that KaTeX could not parse, and similar problems worth a warning ("cell 4: …"). */
  warnings: string[];
  /** The notebook's HTML was sanitised (an untrusted export). */
  sanitized: boolean;
}

/** The `script-src`/`style-src` need 'unsafe-inline' (everything is inline); nothing else is allowed. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

/** For an untrusted notebook: the same, but only the page's own two scripts may run (by hash). */
export function untrustedContentSecurityPolicy(): string {
  const hash = (script: string) => `'sha256-${crypto.createHash("sha256").update(script).digest("base64")}'`;
  return CONTENT_SECURITY_POLICY.replace("script-src 'unsafe-inline'", `script-src ${hash(headScript())} ${hash(pageScript())}`);
}

export function renderNotebook(nb: Notebook, options: RenderOptions = {}): RenderResult {
  const markdown = new MarkdownRenderer();
  const untrusted = options.untrusted === true;
  const warnings: string[] = [];
  const ctx: OutputContext = { markdown, plotCount: 0, usedAnsi: false, untrusted, warnings };
  const language = String(nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language ?? "typescript");
  const prompts = options.prompts ?? true;

  const body: string[] = [];
  nb.cells.forEach((cell, i) => {
    ctx.where = `cell ${i + 1}`;
    try {
      body.push(renderCell(cell, i, markdown, ctx, language, prompts));
    } catch (e) {
      // One cell that cannot be rendered does not cost the page: it says so in place.
      warnings.push(`cell ${i + 1}: could not be rendered (${(e as Error).message})`);
      body.push(`<section class="cell"><div class="output error" role="alert"><div class="error-head"><span class="ename">nbconvert-ts</span><span class="evalue">this cell could not be rendered: ${escapeHtml((e as Error).message)}</span></div></div></section>`);
    }
  });

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
<meta http-equiv="Content-Security-Policy" content="${untrusted ? untrustedContentSecurityPolicy() : CONTENT_SECURITY_POLICY}">
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
  // One runtime serves every widget of the page; an untrusted export counts none (their scripts are gone).
  const widgets = ctx.widgetCount ? `<script data-course-widget-runtime>${widgetRuntime().script}</script>\n` : "";
  const chunks = ctx.plotCount > 0 ? [page, "<script>", plotlyScript(), "</script>\n", widgets + tail] : [page + widgets + tail];
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
    widgetCount: ctx.widgetCount ?? 0,
    warnings: [...markdown.mathErrors.map((m) => (options.file ? `${options.file}: ${m}` : m)), ...warnings.map((w) => (options.file ? `${options.file} ${w}` : w))],
    sanitized: untrusted,
  };
}

function renderCell(cell: Cell, index: number, markdown: MarkdownRenderer, ctx: OutputContext, language: string, prompts: boolean): string {
  const id = typeof cell.id === "string" && cell.id !== "" ? ` id="cell-${escapeHtml(cell.id)}"` : "";
  const source = joinText(cell.source);
  const notebookHtml = (fragment: string) => (ctx.untrusted ? sanitizeHtml(fragment) : fragment);
  if (cell.cell_type === "markdown") {
    const attachments = cell.attachments && typeof cell.attachments === "object" ? (cell.attachments as Record<string, Record<string, unknown>>) : {};
    return `<section class="cell markdown"${id}>${notebookHtml(markdown.render(source, attachments))}</section>`;
  }
  if (cell.cell_type === "raw") {
    const format = String(cell.metadata?.format ?? cell.metadata?.raw_mimetype ?? "");
    return format === "text/html" ? `<section class="cell raw"${id}>${notebookHtml(source)}</section>` : "";
  }
  if (source.trim() === "" && !(cell.outputs ?? []).length) return "";
  const count = cell.execution_count;
  const prompt = prompts ? `<div class="prompt">${Number.isInteger(count) ? `[${count}]` : "[ ]"}</div>` : `<div class="prompt"></div>`;
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, ctx)).filter(Boolean).join("");
  return (
    `<section class="cell code"${id}><div class="input">${prompt}<pre><code class="hljs language-${escapeHtml(language)}">${highlight(source, language)}</code></pre></div>` +
    `<div class="outputs">${outputs}</div></section>`
  );
}
