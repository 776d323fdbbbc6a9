/**
 * `npm run submit -- --student <id>` (or STUDENT_ID=<id> npm run submit): the student's hand-in.
 *
 * Checks every exercise notebook, then writes one archive, build/submissions/<id>-<stamp>.tar.gz,
 * with the notebooks and a manifest (student id, timestamp, SHA-256 of each file).
 * It refuses, saying which file and why, a notebook that is missing, does not parse, or lost a
 * graded cell (the cell, or its {"course": {"grade_id": …}} metadata). It warns, without refusing,
 * about exercises still holding the "not implemented yet" stub or a syntax error.
 */
import * as fs from "fs";
import * as path from "path";
import { defineCommand, runCommand, UsageError } from "@ts-course/cli";
import { validStudentId, writeSubmissionArchive } from "./archive";
import { compileCell } from "./extract";
import { gradedCells, parseNotebook, STUB_PREFIX } from "@ts-course/notebook";
import { EXERCISES_DIR, REPO_ROOT } from "./paths";
import { manualMark, writtenAnswers } from "./manual";
import { ExerciseEntry, manualItems, readRegistry, Registry } from "./registry";
import { printableLine } from "./text";

export interface SubmitCheck {
  errors: string[];
  warnings: string[];
  notebooks: { name: string; file: string }[];
}

/** What `npm run submit` checks in one notebook's text: it parses and keeps every graded cell; stubs and syntax errors are warned about. */
export function checkForSubmissionText(entry: ExerciseEntry, text: string, label: string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  let notebook;
  try {
    notebook = parseNotebook(text, label);
  } catch (err) {
    return { errors: [`${(err as Error).message}`], warnings };
  }
  const cells = gradedCells(notebook);
  const all = notebook.cells;
  const present = new Set(cells.map((c) => c.gradeId));
  const missing = entry.graded.filter((g) => !present.has(g.gradeId)).map((g) => g.gradeId);
  if (missing.length) {
    errors.push(`${label}: the graded cell${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing (keep each graded cell and its metadata {"course": {"grade_id": …}}; restore it from the original exercise if needed)`);
    return { errors, warnings };
  }
  for (const g of entry.graded) {
    const mine = cells.filter((c) => c.gradeId === g.gradeId);
    if (mine.length > 1) warnings.push(`${label}: ${g.gradeId} is marked on ${mine.length} cells (was a cell duplicated?); all of them run, in order`);
    if (mine.some((c) => c.source.includes(STUB_PREFIX))) warnings.push(`${label}: ${g.gradeId} (${g.title}) still throws "${STUB_PREFIX}"`);
    const broken = mine.map((c) => compileCell(c.source).error).find((e) => e);
    if (broken) warnings.push(`${label}: ${g.gradeId} has a ${broken}`);
  }
  // Written answers are graded by hand: a missing or empty one is the student's choice, so a warning.
  for (const a of writtenAnswers(all, entry)) {
    const title = manualItems(entry).find((m) => m.manualId === a.manualId)?.title ?? a.manualId;
    if (!all.some((c) => manualMark(c)?.manualId === a.manualId)) warnings.push(`${label}: the written answer ${a.manualId} (${title}) is missing: restore its cell from the original exercise to be graded on it`);
    else if (a.answer == null) warnings.push(`${label}: the written answer ${a.manualId} (${title}) is not answered yet`);
  }
  return { errors, warnings };
}

/** What `npm run submit` checks, without writing anything. */
export function checkForSubmission(registry: Registry, dir = EXERCISES_DIR): SubmitCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const notebooks: { name: string; file: string }[] = [];
  for (const entry of registry.exercises) {
    const file = path.join(dir, entry.notebook);
    const label = path.relative(process.cwd(), file) || file;
    if (!fs.existsSync(file)) {
      errors.push(`${label} is missing`);
      continue;
    }
    const check = checkForSubmissionText(entry, fs.readFileSync(file, "utf8"), label);
    errors.push(...check.errors);
    warnings.push(...check.warnings);
    if (!check.errors.length) notebooks.push({ name: entry.name, file });
  }
  return { errors, warnings, notebooks };
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

export const submitCommand = defineCommand({
  name: "npm run submit",
  summary: "check your exercise notebooks and pack them into one archive to hand in",
  usage: "[--student <id>] [options]",
  options: {
    student: { type: "string", short: "s", value: "id", help: "your student id (or set STUDENT_ID)" },
    out: { type: "string", short: "o", value: "file", help: "where the archive goes (default build/submissions/<id>-<stamp>.tar.gz)" },
    dir: { type: "string", value: "dir", help: "the folder holding your exercise notebooks (default exercises/)" },
  },
  positionals: { max: 0 },
  epilog: "The archive holds the notebooks and a manifest (your id, the time, each file's SHA-256). Whoever collects it decides whose it is: the name your course's system gives the file, or your login on the course hub.",
});

async function main(values: { student?: string; out?: string; dir?: string }): Promise<number> {
  const student = values.student ?? process.env.STUDENT_ID ?? process.env.COURSE_STUDENT_ID ?? "";
  const out = values.out != null ? path.resolve(values.out) : null;
  const dir = values.dir != null ? path.resolve(values.dir) : EXERCISES_DIR;
  if (!student) throw new UsageError("who are you? Run `npm run submit -- --student <your id>` (or set STUDENT_ID)");
  if (!validStudentId(student)) throw new UsageError(`"${printableLine(student, 80)}" is not a valid student id: use 1-64 letters, digits, ".", "_" or "-"`);
  const local = path.join(dir, "exercises.json");
  const registry = readRegistry(fs.existsSync(local) ? local : undefined);
  const check = checkForSubmission(registry, dir);
  for (const w of check.warnings) console.log(`warning: ${w}`);
  if (check.errors.length) {
    console.error(`\nNot submitted:\n  ${check.errors.join("\n  ")}`);
    return 1;
  }
  const now = new Date();
  const file = out ?? path.join(REPO_ROOT, "build", "submissions", `${student}-${stamp(now)}.tar.gz`);
  const manifest = await writeSubmissionArchive(student, check.notebooks, file, now);
  console.log(`\nWrote ${path.relative(process.cwd(), file)} for ${student}:`);
  for (const f of manifest.files) console.log(`  ${f.path}  ${f.bytes} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
  console.log(`Hand in this file. (Check it first with \`npm run check\`; hidden tests add points at grading.)`);
  return 0;
}

if (require.main === module) {
  runCommand(submitCommand, ({ values }) => main(values));
}
