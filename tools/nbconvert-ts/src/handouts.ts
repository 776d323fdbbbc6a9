/**
 * `npm run handouts`: the course's main job.
 *
 * Every dated lecture in lectures/ (`YYYY-MM-DD-topic.ipynb`), then lectures/smoke.ipynb (the
 * environment check; `--no-smoke` leaves it out), is executed with the course kernel, at most
 * `jobs` (default 2: one per core) at once:
 *
 *   lectures/<name>.ipynb ─► build/executed/<name>.ipynb ─► handouts/<name>.html
 *
 * then handouts/index.html lists them by date with their titles. Handouts are student copies:
 * instructor-tagged cells are left out and solution regions stripped. A lecture that fails
 * still gets its handout (showing the error); the job then exits 1.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExecuteOptions } from "./execute/executor";
import { IndexEntry, renderIndex } from "./html/indexPage";
import { INSTRUCTOR_TAG } from "./filter";
import { mapPool, REPO_ROOT } from "@ts-course/cli";
import { joinText, Notebook, readNotebook, writeFileAtomic } from "@ts-course/notebook";
import { checkWritable } from "./outputPaths";
import { codeCellCount, executeFile, exportFile, metricLines, notebookName } from "./pipeline";
import { cellProgress, paint, seconds } from "./progress";

export const COURSE_NAME = "Deep learning in TypeScript";
const DATED = /^(\d{4}-\d{2}-\d{2})[-_ ]/;

export interface Lecture {
  file: string;
  name: string;
  /** ISO date from the file name or metadata.course.date; null for smoke.ipynb. */
  date: string | null;
  title: string;
}

export interface HandoutOptions extends ExecuteOptions {
  jobs?: number;
  /** Only lectures whose name contains one of these. */
  only?: string[];
  /** Include lectures/smoke.ipynb (default true). */
  smoke?: boolean;
  quiet?: boolean;
  lecturesDir?: string;
  executedDir?: string;
  handoutsDir?: string;
  /** Where the summary goes (default console.log). */
  log?: (line: string) => void;
  /**
   * Run a lecture again, once, when its kernel process died (a crash, not a failed cell):
   * default true. The crashes we saw were tslab's "Socket is busy writing", which the course
   * kernel's preload now prevents (tools/kernel/serialSend.cjs); this stays as a guard for any
   * other, and the summary names every re-run. A lecture that fails twice is reported as failed.
   */
  retryCrashed?: boolean;
}

export interface LectureResult {
  lecture: Lecture;
  ok: boolean;
  cells: number;
  failed: number;
  seconds: number;
  metrics: { name: string; value: string }[];
  /** The first failure, or why the lecture could not run at all. */
  problem?: string;
  html?: string;
  /** Why the lecture was run a second time (its kernel died in the first run). */
  rerun?: string;
}

/** The title: the notebook's first heading, without markdown emphasis. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  if (typeof nb.metadata?.title === "string") return nb.metadata.title;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^#{1,2}\s+(.+?)\s*#*\s*$/m.exec(joinText(cell.source));
    if (m) return m[1].replace(/[*_`]/g, "").trim();
  }
  return fallback;
}

export function listLectures(dir: string, smoke = true): Lecture[] {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort() : [];
  const lectures: Lecture[] = [];
  for (const f of files) {
    const name = notebookName(f);
    const dated = DATED.exec(name);
    if (!dated && !(smoke && name === "smoke")) continue;
    const file = path.join(dir, f);
    let title = name;
    let date = dated?.[1] ?? null;
    try {
      const nb = readNotebook(file);
      title = notebookTitle(nb, name);
      const metaDate = nb.metadata?.course?.date;
      if (!date && typeof metaDate === "string") date = metaDate;
    } catch {
      // unreadable: executing it reports the problem properly
    }
    lectures.push({ file, name, date, title });
  }
  // By date; undated (smoke) last.
  return lectures.sort((a, b) => (a.date ?? "9999").localeCompare(b.date ?? "9999") || a.name.localeCompare(b.name));
}

export function formatDate(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(`${iso}T12:00:00Z`);
  if (isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

async function runLecture(lecture: Lecture, options: HandoutOptions, executedDir: string, handoutsDir: string): Promise<LectureResult> {
  const t0 = Date.now();
  const executed = path.join(executedDir, `${lecture.name}.ipynb`);
  const html = path.join(handoutsDir, `${lecture.name}.html`);
  let codeCells = 0;
  try {
    codeCells = codeCellCount(readNotebook(lecture.file));
  } catch {
    // reported by executeFile below
  }
  // A fresh progress display per run (a re-run counts its cells from 1 again).
  const progress = () => (options.quiet ? {} : cellProgress(lecture.name, codeCells, options.log ? (l) => options.log!(l) : undefined));
  const execute = () => executeFile(lecture.file, executed, { ...options, ...progress(), timeout: options.timeout ?? 1800 });
  try {
    let r = await execute();
    let rerun: string | undefined;
    const crash = r.failures.find((f) => f.status === "died");
    if (crash && options.retryCrashed !== false) {
      rerun = `the kernel died in cell ${crash.index + 1} (${crash.error?.evalue ?? "no message"}); ran the lecture again`;
      (options.log ?? console.log)(`${lecture.name}: ${rerun}`);
      r = await execute();
    }
    const footer = `Executed ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with the course kernel in ${seconds(r.seconds)} · ${COURSE_NAME} · nbconvert-ts`;
    exportFile(executed, html, {
      dropTags: [INSTRUCTOR_TAG],
      stripSolutions: true,
      date: formatDate(lecture.date),
      courseName: COURSE_NAME,
      indexHref: "index.html",
      footer,
    });
    const first = r.failures[0];
    return {
      lecture,
      ok: r.ok,
      cells: r.cells.filter((c) => c.status !== "not-run").length,
      failed: r.failures.length,
      seconds: r.seconds,
      metrics: metricLines(r.notebook),
      problem: first ? `cell ${first.index + 1}: ${first.error?.ename}: ${first.error?.evalue}` : undefined,
      html,
      rerun,
    };
  } catch (e) {
    return { lecture, ok: false, cells: 0, failed: 0, seconds: (Date.now() - t0) / 1000, metrics: [], problem: (e as Error).message };
  }
}

export async function runHandouts(options: HandoutOptions = {}): Promise<number> {
  const log = options.log ?? ((l: string) => console.log(l));
  const lecturesDir = options.lecturesDir ?? path.join(REPO_ROOT, "lectures");
  const executedDir = options.executedDir ?? path.join(REPO_ROOT, "build", "executed");
  const handoutsDir = options.handoutsDir ?? path.join(REPO_ROOT, "handouts");
  let lectures = listLectures(lecturesDir, options.smoke ?? true);
  if (options.only?.length) lectures = lectures.filter((l) => options.only!.some((o) => l.name.includes(o)));
  if (lectures.length === 0) {
    log(`handouts: no lectures found in ${lecturesDir}`);
    return 1;
  }
  // Before anything runs: both output folders can be written (a lecture takes minutes).
  checkWritable(path.join(handoutsDir, "index.html"));
  checkWritable(path.join(executedDir, `${lectures[0].name}.ipynb`));
  const jobs = Math.max(1, Math.min(options.jobs ?? Math.min(2, os.cpus().length), lectures.length));
  log(`handouts: ${lectures.length} notebooks, ${jobs} at a time → ${path.relative(process.cwd(), handoutsDir) || handoutsDir}/`);

  const t0 = Date.now();
  let finished = 0;
  const results = await mapPool(lectures, jobs, async (lecture) => {
    log(`${paint.bold("▶")} ${lecture.name} ${paint.dim(`(${lecture.title})`)}`);
    const r = await runLecture(lecture, options, executedDir, handoutsDir);
    finished++;
    log(`${r.ok ? paint.green("■") : paint.red("■")} ${lecture.name}: ${r.ok ? "ok" : paint.red("failed")} in ${seconds(r.seconds)} ${paint.dim(`[${finished}/${lectures.length} done]`)}`);
    return r;
  });

  const entries: IndexEntry[] = results.map((r) => ({
    name: r.lecture.name,
    title: r.lecture.title,
    date: formatDate(r.lecture.date),
    href: r.html ? `${r.lecture.name}.html` : null,
    ok: r.ok,
    summary: `${r.cells} ${r.cells === 1 ? "cell" : "cells"} · ${seconds(r.seconds)}${r.failed ? ` · ${r.failed} failed` : ""}${r.metrics.length ? " · " + r.metrics.map((m) => `${m.name} ${m.value}`).join(", ") : ""}`,
    check: r.lecture.date == null,
  }));
  const index = path.join(handoutsDir, "index.html");
  writeFileAtomic(index, renderIndex(entries, { title: `${COURSE_NAME}: handouts`, generated: new Date().toISOString() }));

  const total = (Date.now() - t0) / 1000;
  const failed = results.filter((r) => !r.ok);
  const cells = results.reduce((s, r) => s + r.cells, 0);
  const errors = results.reduce((s, r) => s + r.failed, 0);
  log("");
  log(paint.bold(`summary: ${results.length} notebooks, ${cells} cells, ${errors} cell errors, ${failed.length} failed, ${seconds(total)}`));
  const width = Math.max(...results.map((r) => r.lecture.name.length));
  for (const r of results) {
    log(`  ${r.ok ? paint.green("ok    ") : paint.red("FAILED")} ${r.lecture.name.padEnd(width)}  ${String(r.cells).padStart(3)} cells  ${seconds(r.seconds).padStart(10)}`);
    for (const m of r.metrics) log(`           metric ${m.name} ${m.value}`);
    if (r.problem) log(`           ${paint.red(r.problem.split("\n")[0].slice(0, 300))}`);
    if (r.rerun) log(`           ${paint.dim(`run twice: ${r.rerun}`)}`);
  }
  log(`  → ${path.relative(process.cwd(), index) || index}`);
  return failed.length ? 1 : 0;
}
