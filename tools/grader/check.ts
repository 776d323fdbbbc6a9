/**
 * `npm run check -- <exercise>`: the student's own check, with the public tests only.
 *
 *   npm run check -- autoencoders             exercises/autoencoders.ipynb
 *   npm run check -- path/to/my.ipynb         a notebook elsewhere (named like an exercise)
 *   npm run check                             every exercise
 *
 * It grades the saved notebook exactly as the autograder does (same extraction, same sandbox),
 * and prints each test, its points, a message that says what went wrong, and the total.
 * Exit code 1 when a public test fails.
 */
import * as fs from "fs";
import * as path from "path";
import type { Submission } from "./archive";
import { Grader, SubmissionResult } from "./grade";
import { EXERCISES_DIR } from "./paths";
import { ExerciseEntry, findExercise, readRegistry } from "./registry";

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const green = paint("32");
const red = paint("31");
const dim = paint("2");
const bold = paint("1");

function pts(n: number): string {
  return `${n} pt${n === 1 ? "" : "s"}`;
}

/** The report a student reads. */
export function formatCheck(result: SubmissionResult, entries: ExerciseEntry[], files: string[] = []): string {
  const lines: string[] = [];
  for (const [k, entry] of entries.entries()) {
    const file = files[k] ?? path.join("exercises", entry.notebook);
    lines.push(bold(`${entry.title} (${file})`));
    for (const g of entry.graded) {
      const tests = result.tests.filter((t) => t.gradeId === g.gradeId);
      const got = tests.filter((t) => t.passed).reduce((s, t) => s + t.points, 0);
      const max = tests.reduce((s, t) => s + t.points, 0);
      const hiddenPoints = g.points - max;
      lines.push(`  ${g.gradeId.padEnd(18)} ${g.title.padEnd(34)} ${(got === max ? green : red)(`${got}/${max}`)}${hiddenPoints > 0 ? dim(`  (+${pts(hiddenPoints)} in hidden tests)`) : ""}`);
      for (const t of tests) {
        lines.push(`    ${t.passed ? green("✓") : red("✗")} ${pts(t.points).padEnd(6)} ${t.title}`);
        if (!t.passed && t.message) lines.push(...t.message.split("\n").map((l) => `        ${red(l)}`));
      }
    }
    lines.push("");
  }
  if (result.problems.length) lines.push(...result.problems.map((p) => `note: ${p}`), "");
  const total = entries.reduce((s, e) => s + e.graded.reduce((t, g) => t + g.points, 0), 0);
  lines.push(bold(`Public tests: ${result.total}/${result.max} points.`) + dim(` The grade also runs hidden tests: ${total} points in all for ${entries.length === 1 ? "this exercise" : "these exercises"}.`));
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const registry = readRegistry();
  const targets = argv.filter((a) => !a.startsWith("--"));
  const chosen: { entry: ExerciseEntry; file: string }[] = [];
  if (targets.length === 0) for (const entry of registry.exercises) chosen.push({ entry, file: path.join(EXERCISES_DIR, entry.notebook) });
  for (const t of targets) {
    const entry = findExercise(registry, t);
    const file = t.endsWith(".ipynb") && fs.existsSync(t) ? path.resolve(t) : path.join(EXERCISES_DIR, entry.notebook);
    chosen.push({ entry, file });
  }
  const notebooks = new Map<string, string>();
  for (const c of chosen) {
    if (!fs.existsSync(c.file)) throw new Error(`${c.file} does not exist (run \`npm run exercises\` to generate the exercises)`);
    notebooks.set(c.entry.name, fs.readFileSync(c.file, "utf8"));
  }
  const sub: Submission = { student: "you", source: "local", submittedAt: null, notebooks, problems: [] };
  const grader = new Grader({ hidden: false, exercises: chosen.map((c) => c.entry.name), registry, jobs: 1 });
  console.log(dim(`Running the public tests of ${chosen.map((c) => path.relative(process.cwd(), c.file)).join(", ")} …\n`));
  const result = await grader.grade(sub);
  console.log(formatCheck(result, chosen.map((c) => c.entry), chosen.map((c) => path.relative(process.cwd(), c.file))));
  if (result.graderErrors.length) {
    console.error(red(`\nThe checker itself had a problem (not your code): ${result.graderErrors[0]}`));
    return 2;
  }
  return result.total === result.max ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`npm run check: ${(err as Error).message}`);
      process.exitCode = 2;
    },
  );
}
