/**
 * `npm run check -- [exercise or notebook]...`: the student's own check, with the public tests only.
 *
 *   npm run check -- autoencoders             exercises/autoencoders.ipynb
 *   npm run check -- path/to/my.ipynb         a notebook elsewhere (named like an exercise)
 *   npm run check                             every exercise
 *
 * It grades the saved notebook exactly as the autograder does (same extraction, same sandbox),
 * and prints each test, whether it passed, a message that says what went wrong, and what each
 * graded cell is worth. The grade also runs hidden tests, which share the cell's points with the
 * public ones: without them (a student's copy) a public test's share is not known, so none is made up.
 * Exit code 1 when a public test fails.
 */
import * as fs from "fs";
import * as path from "path";
import { defineCommand, InputError, runCommand } from "@ts-course/cli";
import { Grader, refusalAsInput } from "./grade";
import { EXERCISES_DIR } from "./paths";
import { ExerciseEntry, findExercise, readRegistry } from "./registry";
import { formatPoints, SubmissionResult } from "./result";
import { trustedSubmission } from "./submission";
import { printable, printableLine } from "./text";

export const checkCommand = defineCommand({
  name: "npm run check",
  summary: "run the public tests of your exercise notebooks, as the grader does",
  usage: "[exercise or notebook.ipynb]...",
  options: {},
  positionals: { min: 0 },
  epilog: "With no argument every exercise in exercises/ is checked. Exit code 0: every public test passes; 1: some fail (or the checker had a problem, which it says).",
});

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const green = paint("32");
const red = paint("31");
const dim = paint("2");
const bold = paint("1");

function pts(n: number | null): string {
  return n == null ? "" : `${formatPoints(n)} pt${n === 1 ? "" : "s"}`;
}

/** The report a student reads (student-shaped text is made printable: no escape sequence reaches the terminal). */
export function formatCheck(result: SubmissionResult, entries: ExerciseEntry[], files: string[] = []): string {
  const lines: string[] = [];
  for (const [k, entry] of entries.entries()) {
    const file = files[k] ?? path.join("exercises", entry.notebook);
    lines.push(bold(`${entry.title} (${printableLine(file, 200)})`));
    for (const item of result.items.filter((i) => i.exercise === entry.name)) {
      const ok = item.testsPassed === item.testsRun;
      lines.push(`  ${item.gradeId.padEnd(18)} ${item.title.padEnd(34)} ${(ok ? green : red)(`${item.testsPassed}/${item.testsRun} public tests pass`)}${dim(`  (the cell is worth ${pts(item.max)}; hidden tests decide ${item.possible != null ? pts(item.max - item.possible) : "the rest"})`)}`);
      for (const t of result.tests.filter((x) => x.gradeId === item.gradeId)) {
        // A test's share is known only where the hidden specs are (a share of a cell is cell points × weight ÷ all its tests' weights).
        lines.push(`    ${t.passed ? green("✓") : red("✗")} ${t.points != null ? `${pts(t.points).padEnd(9)} ` : ""}${t.title}`);
        if (!t.passed && t.message) lines.push(...printable(t.message).split("\n").map((l) => `        ${red(l)}`));
      }
    }
    for (const m of (result.manual ?? []).filter((x) => x.exercise === entry.name)) {
      lines.push(`  ${m.manualId.padEnd(18)} ${m.title.padEnd(34)} ${dim(`written answer, graded by hand: manual, ungraded (${pts(m.max)})${m.answer == null ? "; not answered yet" : ""}`)}`);
    }
    lines.push("");
  }
  if (result.problems.length) lines.push(...result.problems.map((p) => `note: ${printableLine(p, 500)}`), "");
  const passed = result.tests.filter((t) => t.passed).length;
  lines.push(bold(`Public tests: ${passed}/${result.tests.length} pass.`) + dim(` The grade also runs hidden tests: ${pts(result.max)} in all for ${entries.length === 1 ? "this exercise" : "these exercises"}.`));
  return lines.join("\n");
}

async function main(targets: string[]): Promise<number> {
  const registry = readRegistry();
  const chosen: { entry: ExerciseEntry; file: string }[] = [];
  if (targets.length === 0) for (const entry of registry.exercises) chosen.push({ entry, file: path.join(EXERCISES_DIR, entry.notebook) });
  for (const t of targets) {
    let entry: ExerciseEntry;
    try {
      entry = findExercise(registry, t);
    } catch (err) {
      throw new InputError((err as Error).message);
    }
    const file = t.endsWith(".ipynb") && fs.existsSync(t) ? path.resolve(t) : path.join(EXERCISES_DIR, entry.notebook);
    chosen.push({ entry, file });
  }
  const notebooks = new Map<string, string>();
  for (const c of chosen) {
    if (!fs.existsSync(c.file)) throw new InputError(`${c.file} does not exist (run \`npm run exercises\` to generate the exercises)`);
    notebooks.set(c.entry.name, fs.readFileSync(c.file, "utf8"));
  }
  const grader = refusalAsInput(() => new Grader({ hidden: false, exercises: chosen.map((c) => c.entry.name), registry, jobs: 1 }));
  if (grader.runtime.staged) console.log(dim(`note: the sandbox's user cannot read this checkout; what it runs is staged in ${grader.runtime.staged}`));
  console.log(dim(`Running the public tests of ${chosen.map((c) => path.relative(process.cwd(), c.file)).join(", ")} …\n`));
  const result = await grader.grade(trustedSubmission("you", null, notebooks, "local"));
  console.log(formatCheck(result, chosen.map((c) => c.entry), chosen.map((c) => path.relative(process.cwd(), c.file))));
  if (result.graderErrors.length) {
    console.error(red(`\nThe checker itself had a problem (not your code): ${printableLine(result.graderErrors[0], 500)}`));
    return 1;
  }
  return result.tests.every((t) => t.passed) ? 0 : 1;
}

if (require.main === module) {
  runCommand(checkCommand, ({ positionals }) => main(positionals));
}
