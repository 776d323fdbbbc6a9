/** handouts/index.html: the lectures by date with their titles, in the handouts' own theme. */
import { headScript, pageScript, themeCss } from "./assets";
import { escapeHtml } from "./escape";
import { CONTENT_SECURITY_POLICY } from "./render";

export interface IndexEntry {
  name: string;
  title: string;
  /** Human-readable date ("29 October 2022"); empty for checks. */
  date: string;
  /** Link to the handout, null when none could be written. */
  href: string | null;
  ok: boolean;
  /** One line: cells, time, metrics. */
  summary: string;
  /** An environment check (smoke.ipynb) rather than a lecture: listed separately. */
  check?: boolean;
}

function item(e: IndexEntry): string {
  const title = e.href ? `<a class="title" href="${escapeHtml(e.href)}">${escapeHtml(e.title)}</a>` : `<span class="title">${escapeHtml(e.title)}</span>`;
  const status = e.ok ? `<span class="status">executed</span>` : `<span class="status failed">failed</span>`;
  return `<li><span class="date">${escapeHtml(e.date || "—")}</span>${title}${status}<span class="summary">${escapeHtml(e.summary)}</span></li>`;
}

export function renderIndex(entries: IndexEntry[], options: { title: string; generated: string }): string {
  const lectures = entries.filter((e) => !e.check);
  const checks = entries.filter((e) => e.check);
  return `<!DOCTYPE html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${escapeHtml(options.title)}</title>
<script>${headScript()}</script>
<style>${themeCss()}</style>
</head>
<body>
<main class="index">
<div class="topbar"><div class="meta"><span>${lectures.length} lectures</span><span>generated ${escapeHtml(options.generated.slice(0, 16).replace("T", " "))} UTC</span></div><button class="theme-toggle" type="button">☾ Dark</button></div>
<div class="markdown"><h1>${escapeHtml(options.title)}</h1>
<p>Each handout is one self-contained page: executed code with its outputs, maths, and interactive figures. It works offline.</p></div>
<ul class="handout-list">${lectures.map(item).join("")}</ul>
${checks.length ? `<div class="markdown"><h2>Environment check</h2></div><ul class="handout-list">${checks.map(item).join("")}</ul>` : ""}
</main>
<script>${pageScript()}</script>
</body>
</html>
`;
}
