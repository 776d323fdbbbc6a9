/**
 * The grader's outputs: grades.csv, one feedback page per student, a summary, and results.json.
 *
 * Everything a student's code or notebook could have shaped (messages, ids, titles) is escaped:
 * HTML-escaped in the feedback pages, and in the CSV quoted and defused against spreadsheet
 * formulas (a cell starting with = + - @ is prefixed with ').
 */
import * as fs from "fs";
import * as path from "path";
import type { SubmissionResult } from "./grade";
import type { Registry } from "./registry";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function csvField(value: string | number | null | undefined): string {
  if (value == null) return "";
  if (typeof value === "number") return String(Math.round(value * 1000) / 1000);
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function statusOf(r: SubmissionResult): string {
  if (r.graderErrors.length) return "grader error";
  if (r.problems.some((p) => p.startsWith("no manifest") || p.startsWith("unreadable archive"))) return "invalid";
  return "graded";
}

export function gradesCsv(results: SubmissionResult[], registry: Registry): string {
  const exercises = registry.exercises.filter((e) => results.some((r) => r.items.some((i) => i.exercise === e.name)));
  const ids = exercises.flatMap((e) => e.graded.map((g) => g.gradeId)).filter((id) => results.some((r) => r.items.some((i) => i.gradeId === id)));
  const header = ["student", "submitted_at", "total", "max", "percent", ...exercises.map((e) => e.name), ...ids, "status", "notes"];
  const rows = results.map((r) => {
    const perExercise = exercises.map((e) => r.items.filter((i) => i.exercise === e.name).reduce((s, i) => s + i.points, 0));
    const perItem = ids.map((id) => r.items.find((i) => i.gradeId === id)?.points ?? 0);
    const notes = [...r.graderErrors.map((e) => `grader: ${e}`), ...r.problems].join("; ").slice(0, 500);
    return [r.student, r.submittedAt ?? "", r.total, r.max, r.max ? (100 * r.total) / r.max : 0, ...perExercise, ...perItem, statusOf(r), notes];
  });
  return [header, ...rows].map((row) => row.map((v) => csvField(v as string | number)).join(",")).join("\n") + "\n";
}

export function feedbackHtml(r: SubmissionResult, registry: Registry): string {
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Feedback: ${e(r.student)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.ok{color:#17692c}.ko{color:#b3261e}.pts{white-space:nowrap;text-align:right}.msg{white-space:pre-wrap;font:13px/1.35 ui-monospace,monospace;color:#5b1a14}
.item td{background:#f5f5f7;font-weight:600}.note{background:#fff6d6;padding:.5rem .8rem;border-radius:4px}
</style></head><body>`);
  parts.push(`<h1>Feedback for ${e(r.student)}</h1>`);
  parts.push(`<p><strong>${r.total} / ${r.max} points</strong>${r.submittedAt ? ` · submitted ${e(r.submittedAt)}` : ""}</p>`);
  if (r.problems.length || r.graderErrors.length) {
    parts.push(`<div class="note"><p>Notes on this submission:</p><ul>${[...r.problems, ...r.graderErrors.map((g) => `grading problem (not your code): ${g}`)].map((p) => `<li>${e(p)}</li>`).join("")}</ul></div>`);
  }
  for (const ex of registry.exercises) {
    const items = r.items.filter((i) => i.exercise === ex.name);
    if (!items.length) continue;
    const got = items.reduce((s, i) => s + i.points, 0);
    const max = items.reduce((s, i) => s + i.max, 0);
    parts.push(`<h2>${e(ex.title)} <span class="pts">${got} / ${max}</span></h2><table>`);
    for (const item of items) {
      parts.push(`<tr class="item"><td colspan="2">${e(item.title)} <code>${e(item.gradeId)}</code></td><td class="pts">${item.points} / ${item.max}</td></tr>`);
      for (const t of r.tests.filter((x) => x.gradeId === item.gradeId)) {
        const mark = t.passed ? `<span class="ok">✓</span>` : `<span class="ko">✗</span>`;
        const detail = t.passed ? "" : t.visibility === "hidden" ? `<div class="msg">a hidden test: details are not shown</div>` : t.message ? `<div class="msg">${e(t.message)}</div>` : "";
        parts.push(`<tr><td>${mark}</td><td>${e(t.title)}${t.visibility === "hidden" ? " <small>(hidden)</small>" : ""}${detail}</td><td class="pts">${t.passed ? t.points : 0} / ${t.points}</td></tr>`);
      }
    }
    parts.push(`</table>`);
  }
  parts.push(`</body></html>\n`);
  return parts.join("\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
}

export interface RunInfo {
  wallMs: number;
  jobs: number;
  isolation: string;
  cpuSeconds?: number;
}

export function summaryMarkdown(results: SubmissionResult[], registry: Registry, run: RunInfo): string {
  const totals = results.map((r) => r.total);
  const max = results[0]?.max ?? 0;
  const lines = [
    `# Autograde summary`,
    ``,
    `- submissions: ${results.length}; graded: ${results.filter((r) => statusOf(r) === "graded").length}; with grader errors: ${results.filter((r) => r.graderErrors.length).length}`,
    `- total out of ${max}: mean ${(totals.reduce((a, b) => a + b, 0) / (totals.length || 1)).toFixed(2)}, median ${median(totals)}, min ${Math.min(...totals, Infinity) === Infinity ? 0 : Math.min(...totals)}, max ${Math.max(...totals, 0)}`,
    `- time: ${(run.wallMs / 1000).toFixed(1)} s wall for ${results.length} submission(s), ${run.jobs} at a time; per submission ${(median(results.map((r) => r.durationMs)) / 1000).toFixed(1)} s (median)${run.cpuSeconds != null ? `; ${run.cpuSeconds.toFixed(1)} CPU-s in child processes` : ""}`,
    `- isolation: ${run.isolation}`,
    ``,
    `| graded cell | max | mean | full marks |`,
    `|---|---:|---:|---:|`,
  ];
  for (const ex of registry.exercises) {
    for (const g of ex.graded) {
      const items = results.map((r) => r.items.find((i) => i.gradeId === g.gradeId)).filter((i): i is NonNullable<typeof i> => !!i);
      if (!items.length) continue;
      const mean = items.reduce((s, i) => s + i.points, 0) / items.length;
      lines.push(`| ${g.gradeId} (${ex.name}) | ${items[0].max} | ${mean.toFixed(2)} | ${items.filter((i) => i.points === i.max).length}/${items.length} |`);
    }
  }
  const flagged = results.filter((r) => r.problems.length || r.graderErrors.length);
  if (flagged.length) {
    lines.push(``, `## Submissions with notes`, ``);
    for (const r of flagged) lines.push(`- ${r.student}: ${[...r.graderErrors.map((g) => `GRADER: ${g}`), ...r.problems].join("; ").replace(/\n/g, " ").slice(0, 400)}`);
  }
  return lines.join("\n") + "\n";
}

/** Writes grades.csv, feedback/<student>.html, summary.md and results.json into `outDir`. */
export function writeReports(outDir: string, results: SubmissionResult[], registry: Registry, run: RunInfo): { csv: string; summary: string; feedbackDir: string } {
  const feedbackDir = path.join(outDir, "feedback");
  fs.mkdirSync(feedbackDir, { recursive: true });
  const write = (file: string, text: string) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  };
  const csv = path.join(outDir, "grades.csv");
  write(csv, gradesCsv(results, registry));
  const used = new Set<string>();
  for (const r of results) {
    let name = r.student.replace(/[^A-Za-z0-9._-]/g, "_") || "unknown";
    while (used.has(name)) name += "_";
    used.add(name);
    write(path.join(feedbackDir, `${name}.html`), feedbackHtml(r, registry));
  }
  const summary = path.join(outDir, "summary.md");
  write(summary, summaryMarkdown(results, registry, run));
  write(path.join(outDir, "results.json"), JSON.stringify({ run, results }, null, 1) + "\n");
  return { csv, summary, feedbackDir };
}
