/**
 * The grader's outputs: grades.csv, one feedback page per student, a summary, and results.json.
 *
 * Everything a student's code, notebook or file names could have shaped (messages, ids, titles,
 * entry names) is treated as text: control characters made visible (text.ts), HTML-escaped in the
 * feedback pages, and in the CSV quoted and defused against spreadsheet formulas (a cell starting
 * with = + - @ is prefixed with '). Feedback pages show a hidden test's title and points only.
 */
import * as crypto from "crypto";
import { escapeHtml, writeFileAtomic } from "@ts-course/cli";
import * as fs from "fs";
import * as path from "path";
import type { Registry } from "./registry";
import { formatPoints, SubmissionResult } from "./result";
import { printable, printableLine } from "./text";

export { escapeHtml };

/** Student-shaped text for a page: control characters made visible, then escaped. */
const html = (s: unknown, max = 4000) => escapeHtml(printable(s, max));
const htmlLine = (s: unknown, max = 200) => escapeHtml(printableLine(s, max));

export function csvField(value: string | number | null | undefined): string {
  if (value == null) return "";
  if (typeof value === "number") return String(Math.round(value * 1000) / 1000);
  let s = printableLine(value, 2000);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function gradesCsv(results: SubmissionResult[], registry: Registry): string {
  const exercises = registry.exercises.filter((e) => results.some((r) => r.items.some((i) => i.exercise === e.name)));
  const ids = exercises.flatMap((e) => e.graded.map((g) => g.gradeId)).filter((id) => results.some((r) => r.items.some((i) => i.gradeId === id)));
  // Written questions graded by hand: a blank column each (the instructor fills it in), and their points in all.
  const manualIds = exercises.flatMap((e) => (e.manual ?? []).map((m) => m.manualId)).filter((id) => results.some((r) => (r.manual ?? []).some((m) => m.manualId === id)));
  const header = ["student", "submitted_at", "total", "max", "percent", ...exercises.map((e) => e.name), ...ids, ...manualIds.map((id) => `${id} (manual)`), "manual_max", "status", "flags", "superseded", "source", "notes"];
  const rows = results.map((r) => {
    // A grade that the grader could not finish is left blank: a zero would look like a grade.
    const final = r.status !== "grader-error" && r.total != null;
    const perExercise = exercises.map((e) => (final ? r.items.filter((i) => i.exercise === e.name).reduce((s, i) => s + (i.points ?? 0), 0) : null));
    const perItem = ids.map((id) => (final ? (r.items.find((i) => i.gradeId === id)?.points ?? 0) : null));
    const flags = r.flags.map((f) => `${f.kind}: ${f.message}`).join("; ");
    const others = r.others.map((o) => `${path.basename(o.source)} (${o.submittedAt ?? "no time"}${o.claimedStudent && o.claimedStudent !== r.student ? `, claims ${o.claimedStudent}` : ""})`).join("; ");
    const notes = [...r.graderErrors.map((e) => `grader: ${e}`), ...r.problems].join("; ").slice(0, 500);
    const status = r.status === "grader-error" ? "grader error: grade again" : r.status;
    const manualMax = (r.manual ?? []).reduce((s, m) => s + m.max, 0);
    return [r.student, r.submittedAt ?? "", final ? r.total : null, r.max, final && r.max ? (100 * r.total!) / r.max : null, ...perExercise, ...perItem, ...manualIds.map(() => null), manualMax, status, flags, others, r.source, notes];
  });
  return [header, ...rows].map((row) => row.map((v) => csvField(v as string | number | null)).join(",")).join("\n") + "\n";
}

export interface FeedbackOptions {
  /** Notes from the caller (a course service's lateness, say), shown first. */
  notes?: string[];
  /**
   * The caller stores instructors' scores of the written answers (the course service): unscored
   * answers read "awaiting hand grading", scored ones their points and comment.
   */
  handGrading?: boolean;
}

/** The student's page: what passed and failed; a hidden test shows only its title and points. */
export function feedbackHtml(r: SubmissionResult, registry: Registry, options: FeedbackOptions = {}): string {
  const parts: string[] = [];
  const who = htmlLine(r.student, 128);
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Feedback: ${who}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.ok{color:#17692c}.ko{color:#b3261e}.pts{white-space:nowrap;text-align:right}.msg{white-space:pre-wrap;font:13px/1.35 ui-monospace,monospace;color:#5b1a14}
.item td{background:#f5f5f7;font-weight:600}.note{background:#fff6d6;padding:.5rem .8rem;border-radius:4px}
</style></head><body>`);
  parts.push(`<h1>${r.scope === "public" ? "Public tests" : "Feedback"} for ${who}</h1>`);
  const when = r.submittedAt ? ` · submitted ${htmlLine(r.submittedAt, 40)}` : "";
  if (r.scope === "public") {
    const passed = r.tests.filter((t) => t.passed).length;
    parts.push(`<p><strong>${passed} of ${r.tests.length} public tests pass</strong>${r.total != null ? ` (${formatPoints(r.total)} of the ${formatPoints(r.possible)} points they carry)` : ""}; the grade also runs hidden tests, ${formatPoints(r.max)} points in all${when}</p>`);
  } else if (r.status === "grader-error") {
    parts.push(`<p><strong>Not graded yet</strong>: the grader had a problem that is not caused by your code; your work will be graded again${when}</p>`);
  } else {
    parts.push(`<p><strong>${formatPoints(r.total)} / ${formatPoints(r.max)} points</strong>${when}</p>`);
  }
  if (r.manualMax) parts.push(`<p>${manualLine(r.manual ?? [], r.manualMax, !!options.handGrading)}</p>`);
  const notes = [...(options.notes ?? []), ...r.problems];
  if (r.others.length) notes.push(`${r.others.length} other submission(s) of yours do not count (the latest does)`);
  if (r.graderErrors.length) notes.push(`grading problem (not your code) in ${r.graderErrors.length} place(s): your instructor will grade it again`);
  if (notes.length) parts.push(`<div class="note"><p>Notes on this submission:</p><ul>${notes.map((p) => `<li>${html(p, 1000)}</li>`).join("")}</ul></div>`);
  for (const ex of registry.exercises) {
    const items = r.items.filter((i) => i.exercise === ex.name);
    if (!items.length) continue;
    const got = items.reduce((s, i) => s + (i.points ?? 0), 0);
    const max = items.reduce((s, i) => s + i.max, 0);
    const known = items.every((i) => i.points != null);
    parts.push(`<h2>${html(ex.title, 200)} <span class="pts">${known && r.scope === "all" ? `${formatPoints(got)} / ` : ""}${formatPoints(max)}${r.scope === "public" ? " pts" : ""}</span></h2><table>`);
    for (const item of items) {
      const score = r.scope === "all" ? `${formatPoints(item.points)} / ${formatPoints(item.max)}` : `${item.testsPassed}/${item.testsRun} pass · worth ${formatPoints(item.max)}`;
      parts.push(`<tr class="item"><td colspan="2">${html(item.title, 200)} <code>${htmlLine(item.gradeId, 64)}</code></td><td class="pts">${score}</td></tr>`);
      for (const t of r.tests.filter((x) => x.gradeId === item.gradeId)) {
        const mark = t.passed ? `<span class="ok">✓</span>` : `<span class="ko">✗</span>`;
        const detail = t.passed ? "" : t.visibility === "hidden" ? `<div class="msg">a hidden test: details are not shown</div>` : t.failure === "grader" ? `<div class="msg">not graded (a problem of the grader, not your code)</div>` : t.message ? `<div class="msg">${html(t.message)}</div>` : "";
        const pts = t.points == null ? "" : `${formatPoints(t.passed ? t.points : 0)} / ${formatPoints(t.points)}`;
        parts.push(`<tr><td>${mark}</td><td>${html(t.title, 300)}${t.visibility === "hidden" ? " <small>(hidden)</small>" : ""}${detail}</td><td class="pts">${pts}</td></tr>`);
      }
    }
    const written = (r.manual ?? []).filter((m) => m.exercise === ex.name);
    if (written.length) parts.push(`<tr class="item"><td colspan="3">Written answers, graded by hand (not in the total above)</td></tr>`);
    for (const m of written) {
      const note = m.answer == null ? `<div class="msg">no answer found in the notebook</div>` : "";
      const comment = m.comment ? `<div class="msg">${html(m.comment, 2000)}</div>` : "";
      const status = m.points != null ? (m.answer == null ? "no answer" : "graded by hand") : options.handGrading ? "awaiting hand grading" : "manual, ungraded";
      parts.push(`<tr class="manual"><td>✎</td><td>${html(m.title, 300)} <code>${htmlLine(m.manualId, 64)}</code> <small>${status}</small>${note}${comment}</td><td class="pts">${m.points == null ? "–" : formatPoints(m.points)} / ${formatPoints(m.max)}</td></tr>`);
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
  /** Where identities came from, for the summary ("file names", "the archives' own claims"). */
  identity?: string;
}

export function summaryMarkdown(results: SubmissionResult[], registry: Registry, run: RunInfo): string {
  const graded = results.filter((r) => r.status !== "grader-error" && r.total != null);
  const totals = graded.map((r) => r.total!);
  const max = results[0]?.max ?? 0;
  const line = (s: unknown) => printableLine(s, 400);
  const lines = [
    `# Autograde summary`,
    ``,
    `- submissions graded: ${results.length}; valid: ${results.filter((r) => r.status === "graded").length}; with grader errors (grade again): ${results.filter((r) => r.status === "grader-error").length}; superseded: ${results.reduce((s, r) => s + r.others.length, 0)}`,
    `- total out of ${formatPoints(max)}: mean ${(totals.reduce((a, b) => a + b, 0) / (totals.length || 1)).toFixed(2)}, median ${formatPoints(median(totals))}, min ${formatPoints(totals.length ? Math.min(...totals) : 0)}, max ${formatPoints(totals.length ? Math.max(...totals) : 0)}`,
    `- time: ${(run.wallMs / 1000).toFixed(1)} s wall for ${results.length} submission(s), ${run.jobs} at a time; per submission ${(median(results.map((r) => r.durationMs)) / 1000).toFixed(1)} s (median)${run.cpuSeconds != null ? `; ${run.cpuSeconds.toFixed(1)} CPU-s in child processes` : ""}`,
    `- isolation: ${run.isolation}`,
    ...(run.identity ? [`- identities: ${run.identity}; times: as each archive claims (flagged when implausible)`] : []),
    ...manualSummary(results),
    ``,
    `| graded cell | max | mean | full marks |`,
    `|---|---:|---:|---:|`,
  ];
  for (const ex of registry.exercises) {
    for (const g of ex.graded) {
      const items = graded.map((r) => r.items.find((i) => i.gradeId === g.gradeId)).filter((i): i is NonNullable<typeof i> => !!i);
      if (!items.length) continue;
      const mean = items.reduce((s, i) => s + (i.points ?? 0), 0) / items.length;
      lines.push(`| ${g.gradeId} (${ex.name}) | ${formatPoints(items[0].max)} | ${mean.toFixed(2)} | ${items.filter((i) => i.points === i.max).length}/${items.length} |`);
    }
  }
  const flagged = results.filter((r) => r.flags.length || r.others.length);
  if (flagged.length) {
    lines.push(``, `## Identity and time: check these`, ``);
    for (const r of flagged) {
      lines.push(`- ${line(r.student)} (${line(path.basename(r.source))}): ${line(r.flags.map((f) => f.message).join("; "))}`);
      for (const o of r.others) lines.push(`  - not counted: ${line(path.basename(o.source))}, ${line(o.submittedAt ?? "no time")}${o.claimedStudent ? `, archive claims ${line(o.claimedStudent)}` : ""}: ${line(o.why)}`);
    }
  }
  const noted = results.filter((r) => r.problems.length || r.graderErrors.length);
  if (noted.length) {
    lines.push(``, `## Submissions with notes`, ``);
    for (const r of noted) lines.push(`- ${line(r.student)}: ${line([...r.graderErrors.map((g) => `GRADER: ${g}`), ...r.problems].join("; "))}`);
  }
  return lines.join("\n") + "\n";
}

/** The feedback page's sentence on the written answers: ungraded (the grader alone), or as scored so far. */
function manualLine(manual: SubmissionResult["manual"], manualMax: number, handGrading: boolean): string {
  if (!handGrading) return `Written answers worth ${formatPoints(manualMax)} more points are graded by hand (manual, ungraded here).`;
  const scored = manual.filter((m) => m.points != null);
  const got = scored.reduce((s, m) => s + m.points!, 0);
  const waiting = manual.filter((m) => m.points == null);
  if (!waiting.length) return `Written answers, graded by hand: ${formatPoints(got)} / ${formatPoints(manualMax)} points (not in the line above).`;
  const so = scored.length ? `${formatPoints(got)} points so far; ` : "";
  return `Written answers, graded by hand: ${so}${waiting.length} answer(s) worth ${formatPoints(waiting.reduce((s, m) => s + m.max, 0))} points awaiting hand grading.`;
}

/** One line on the written questions: they wait for the instructor, outside the totals. */
function manualSummary(results: SubmissionResult[]): string[] {
  const questions = new Map<string, number>();
  for (const r of results) for (const m of r.manual ?? []) questions.set(m.manualId, m.max);
  if (!questions.size) return [];
  const answered = results.reduce((n, r) => n + (r.manual ?? []).filter((m) => m.answer != null).length, 0);
  const points = [...questions.values()].reduce((a, b) => a + b, 0);
  return [`- written answers, graded by hand (manual, ungraded; not in the totals): ${questions.size} question(s) worth ${formatPoints(points)} points (${[...questions.keys()].join(", ")}); ${answered} answer(s) to read`];
}

/**
 * A file name for a student's page: the id's safe characters, at most 80 of them, and a short hash
 * of the whole id when anything was changed or cut (ids from file names can be long or odd).
 */
export function feedbackFileName(student: string): string {
  const safe = student.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 80) || "unknown";
  return safe === student ? `${safe}.html` : `${safe}-${crypto.createHash("sha256").update(student).digest("hex").slice(0, 8)}.html`;
}

/**
 * Writes grades.csv, feedback/<student>.html, summary.md and results.json into `outDir`. One page
 * that cannot be written is reported and the others are still written.
 */
export function writeReports(outDir: string, results: SubmissionResult[], registry: Registry, run: RunInfo): { csv: string; summary: string; feedbackDir: string; failed: string[] } {
  const feedbackDir = path.join(outDir, "feedback");
  fs.mkdirSync(feedbackDir, { recursive: true });
  const csv = path.join(outDir, "grades.csv");
  writeFileAtomic(csv, gradesCsv(results, registry));
  // results.json one result at a time, so that no single string holds them all.
  writeFileAtomic(path.join(outDir, "results.json"), `{"run": ${JSON.stringify(run)},\n "results": [\n${results.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`);
  const summary = path.join(outDir, "summary.md");
  writeFileAtomic(summary, summaryMarkdown(results, registry, run));
  const used = new Set<string>();
  const failed: string[] = [];
  for (const r of results) {
    let name = feedbackFileName(r.student);
    for (let k = 2; used.has(name); k++) name = name.replace(/(-\d+)?\.html$/, `-${k}.html`);
    used.add(name);
    try {
      writeFileAtomic(path.join(feedbackDir, name), feedbackHtml(r, registry));
    } catch (err) {
      failed.push(`${printableLine(r.student, 80)}: ${(err as Error).message}`);
    }
  }
  return { csv, summary, feedbackDir, failed };
}
