/**
 * `npm run autograde -- <archives or folders>... [options]`: the instructor's grader.
 *
 * Grades every submission with the public and the hidden specs, one sandboxed process per
 * submission and at most one per core at a time, then writes into --out (default build/autograde):
 *   grades.csv              one row per student: total, per exercise, per graded cell, status, flags, notes
 *   feedback/<student>.html what passed and failed (hidden tests without their details)
 *   summary.md              statistics, timing, the isolation in force, identity/time flags, notes
 *   results.json            everything, for scripts
 * A folder argument is either one unpacked submission (it has manifest.json) or a folder of
 * archives. Whose submission it is comes from the file (or folder) name, not from inside the
 * archive (identity.ts); when a student submitted more than once, the latest counts and the others
 * are listed. While grading, each result is appended to results.partial.jsonl, so an interrupted
 * run keeps what it graded.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defineCommand, positiveInt, runCommand, UsageError } from "@ts-course/cli";
import { findSubmissionSources, readSubmission } from "./archive";
import { Grader, ProgressEvent, refusalAsInput } from "./grade";
import { IdentityChannel, IdentityOptions, identify, latestPerStudent } from "./identity";
import { detectIsolation } from "./isolation";
import { GRADER_BUILD_DIR } from "./paths";
import { formatPoints } from "./result";
import { writeReports } from "./report";
import type { Submission } from "./submission";
import { printableLine } from "./text";

export const autogradeCommand = defineCommand({
  name: "npm run autograde",
  summary: "grade submissions with the public and hidden tests",
  usage: "<archives or folders>... [options]",
  options: {
    out: { type: "string", short: "o", value: "dir", help: "where the reports go (default build/autograde)" },
    jobs: { type: "string", short: "j", value: "n", help: "submissions graded at a time (default: one per core)" },
    "public-only": { type: "boolean", help: "run the public tests only" },
    "student-from": { type: "string", value: "file-name|folder-name|manifest", help: "where the student id comes from (default file-name: the archive's name, as the LMS export gives it)" },
    "student-pattern": { type: "string", value: "regex", help: "picks the id out of the file or folder name: its first group (default: <id>-<stamp>.tar.gz)" },
    "not-before": { type: "string", value: "date", help: "flag archives claiming an earlier time (default: a year ago)" },
  },
  positionals: { min: 1 },
  epilog: `Identity: --student-from manifest trusts the id written inside each archive, which its author chose;
use it only when you collected the archives yourself from known students.
Environment: COURSE_GRADER_TIMEOUT_SCALE scales every time limit; COURSE_GRADER_REQUIRE_ISOLATION=1
refuses to grade without namespaces, rlimits and Node's permission model.`,
});

/** CPU seconds used by finished child processes (Linux; undefined elsewhere). */
export function childCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

export function progressLine(e: ProgressEvent): string {
  if (e.type === "start") return `grading ${e.total} submission(s), ${e.jobs} at a time; sandbox: ${e.isolation}`;
  if (e.type === "retry") return `  grading ${printableLine(e.student, 40)} again, alone (grader problem: ${printableLine(e.reason.split("\n")[0], 120)})`;
  const r = e.result;
  const width = String(e.total).length;
  const notes = r.problems.length + r.flags.length;
  const flag = r.status === "grader-error" ? "  [grader error]" : notes ? `  [${notes} note(s)]` : "";
  return `[${String(e.index).padStart(width)}/${e.total}] ${printableLine(r.student, 40).padEnd(20)} ${formatPoints(r.total).padStart(5)}/${formatPoints(r.max)}  ${(r.durationMs / 1000).toFixed(1)} s${flag}`;
}

export function identityOptions(values: { "student-from"?: string; "student-pattern"?: string; "not-before"?: string }, now = new Date()): IdentityOptions {
  const from = (values["student-from"] ?? "file-name") as IdentityChannel;
  if (!["file-name", "folder-name", "manifest"].includes(from)) throw new UsageError(`--student-from wants file-name, folder-name or manifest, not "${from}"`);
  let pattern: RegExp | undefined;
  if (values["student-pattern"] != null) {
    try {
      pattern = new RegExp(values["student-pattern"]);
    } catch (err) {
      throw new UsageError(`--student-pattern is not a regular expression: ${(err as Error).message}`);
    }
  }
  let notBefore: Date | undefined;
  if (values["not-before"] != null) {
    notBefore = new Date(values["not-before"]);
    if (Number.isNaN(notBefore.getTime())) throw new UsageError(`--not-before wants a date (2026-09-01), not "${values["not-before"]}"`);
  }
  return { from, pattern, now, notBefore };
}

async function main(values: Record<string, string | boolean | undefined>, inputs: string[]): Promise<number> {
  const out = path.resolve((values.out as string | undefined) ?? path.join(path.dirname(GRADER_BUILD_DIR), "autograde"));
  const jobs = positiveInt(values.jobs as string | undefined, "jobs");
  const identity = identityOptions(values as Parameters<typeof identityOptions>[0]);
  const sources = findSubmissionSources(inputs);
  if (!sources.length) throw new UsageError(`no submissions (*.tar.gz or folders with manifest.json) in ${inputs.join(", ")}`);
  const started = Date.now();
  const cpu0 = childCpuSeconds();
  // First pass: who and when, one archive at a time (no notebook stays in memory).
  const scanned: Submission[] = [];
  for (const source of sources) {
    const isFolder = fs.statSync(source).isDirectory();
    const s = identify(await readSubmission(source), identity, isFolder);
    s.notebooks = new Map();
    scanned.push(s);
  }
  const kept = latestPerStudent(scanned);
  for (const s of kept) for (const o of s.others) console.log(`note: ${printableLine(path.basename(o.source), 120)} does not count: ${printableLine(o.why, 200)}`);
  for (const s of kept) for (const f of s.flags.filter((f) => f.kind !== "superseded-others")) console.log(`flag: ${printableLine(s.student, 40)}: ${printableLine(f.message, 300)}`);
  const grader = refusalAsInput(() => new Grader({ hidden: !values["public-only"], jobs }));
  if (grader.runtime.staged) console.log(`note: the sandbox's user cannot read this checkout; what it runs is staged in ${grader.runtime.staged}`);
  fs.mkdirSync(out, { recursive: true });
  const partial = path.join(out, "results.partial.jsonl");
  fs.writeFileSync(partial, "");
  // Second pass: each archive is read again just before it is graded, and checked against its manifest again.
  const results = await grader.gradeAll(
    kept.map((s) => async () => {
      const again = identify(await readSubmission(s.source), identity, fs.statSync(s.source).isDirectory());
      return { ...s, notebooks: again.notebooks, problems: again.problems };
    }),
    (e) => {
      console.log(progressLine(e));
      if (e.type === "done") fs.appendFileSync(partial, JSON.stringify(e.result) + "\n");
    },
  );
  const cpu1 = childCpuSeconds();
  const run = {
    wallMs: Date.now() - started,
    jobs: Math.min(jobs ?? os.cpus().length, kept.length),
    isolation: detectIsolation().summary,
    cpuSeconds: cpu0 != null && cpu1 != null ? cpu1 - cpu0 : undefined,
    identity: identity.from === "manifest" ? "the ids written inside the archives (their authors' claims)" : `${identity.from === "file-name" ? "archive file names" : "folder names"} (the collection channel)`,
  };
  const written = writeReports(out, results, grader.registry, run);
  fs.rmSync(partial, { force: true });
  console.log("");
  console.log(fs.readFileSync(written.summary, "utf8"));
  for (const f of written.failed) console.error(`could not write the feedback page of ${f}`);
  console.log(`wrote ${path.relative(process.cwd(), written.csv)}, ${path.relative(process.cwd(), written.feedbackDir)}/ (${results.length - written.failed.length} pages), ${path.relative(process.cwd(), written.summary)}`);
  return results.some((r) => r.status === "grader-error") || written.failed.length ? 1 : 0;
}

if (require.main === module) {
  runCommand(autogradeCommand, ({ values, positionals }) => main(values, positionals));
}
