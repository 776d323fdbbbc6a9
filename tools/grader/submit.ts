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
import { validStudentId, writeSubmissionArchive } from "./archive";
import { compileCell } from "./extract";
import { gradedCells, parseNotebook } from "./notebook";
import { EXERCISES_DIR, REPO_ROOT } from "./paths";
import { readRegistry, Registry } from "./registry";
import { STUB_PREFIX } from "./solutionRegions";

export interface SubmitCheck {
  errors: string[];
  warnings: string[];
  notebooks: { name: string; file: string }[];
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
    let cells;
    try {
      cells = gradedCells(parseNotebook(fs.readFileSync(file, "utf8"), label));
    } catch (err) {
      errors.push(`${(err as Error).message}`);
      continue;
    }
    const present = new Set(cells.map((c) => c.gradeId));
    const missing = entry.graded.filter((g) => !present.has(g.gradeId)).map((g) => g.gradeId);
    if (missing.length) {
      errors.push(`${label}: the graded cell${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing (keep each graded cell and its metadata {"course": {"grade_id": …}}; restore it from the original exercise if needed)`);
      continue;
    }
    for (const g of entry.graded) {
      const mine = cells.filter((c) => c.gradeId === g.gradeId);
      if (mine.some((c) => c.source.includes(STUB_PREFIX))) warnings.push(`${label}: ${g.gradeId} (${g.title}) still throws "${STUB_PREFIX}"`);
      const broken = mine.map((c) => compileCell(c.source).error).find((e) => e);
      if (broken) warnings.push(`${label}: ${g.gradeId} has a ${broken}`);
    }
    notebooks.push({ name: entry.name, file });
  }
  return { errors, warnings, notebooks };
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

async function main(argv: string[]): Promise<number> {
  let student = process.env.STUDENT_ID ?? process.env.COURSE_STUDENT_ID ?? "";
  let out: string | null = null;
  let dir = EXERCISES_DIR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--student") student = argv[++i] ?? "";
    else if (a.startsWith("--student=")) student = a.slice(10);
    else if (a === "--out") out = path.resolve(argv[++i]);
    else if (a === "--dir") dir = path.resolve(argv[++i]);
    else if (!a.startsWith("--") && !student) student = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!student) throw new Error("who are you? Run `npm run submit -- --student <your id>` (or set STUDENT_ID)");
  if (!validStudentId(student)) throw new Error(`"${student}" is not a valid student id: use 1-64 letters, digits, ".", "_" or "-"`);
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
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`npm run submit: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
