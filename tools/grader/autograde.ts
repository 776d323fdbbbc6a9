/**
 * `npm run autograde -- <archives or folders> [--out DIR] [--jobs N]`: the instructor's grader.
 *
 * Grades every submission with the public and the hidden specs, one sandboxed process per
 * submission and at most one per core at a time, then writes into DIR (default build/autograde):
 *   grades.csv              one row per student: total, per exercise, per graded cell, status, notes
 *   feedback/<student>.html what passed and failed (hidden tests without their details)
 *   summary.md              statistics, timing, the isolation in force, submissions with notes
 *   results.json            everything, for scripts
 * A folder argument is either one unpacked submission (it has manifest.json) or a folder of
 * archives. When a student submitted more than once, the latest submission counts.
 */
import * as fs from "fs";
import * as path from "path";
import { findSubmissionSources, readSubmission, Submission } from "./archive";
import { Grader, ProgressEvent, SubmissionResult } from "./grade";
import { GRADER_BUILD_DIR, REPO_ROOT } from "./paths";
import { writeReports } from "./report";

interface Args {
  inputs: string[];
  out: string;
  jobs?: number;
  hidden: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { inputs: [], out: path.join(path.dirname(GRADER_BUILD_DIR), "autograde"), hidden: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") args.out = path.resolve(argv[++i]);
    else if (a.startsWith("--out=")) args.out = path.resolve(a.slice(6));
    else if (a === "--jobs") args.jobs = Number(argv[++i]);
    else if (a.startsWith("--jobs=")) args.jobs = Number(a.slice(7));
    else if (a === "--public-only") args.hidden = false;
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else args.inputs.push(a);
  }
  if (!args.inputs.length) throw new Error("usage: npm run autograde -- <archives or folders> [--out DIR] [--jobs N] [--public-only]");
  if (args.jobs != null && !(Number.isInteger(args.jobs) && args.jobs > 0)) throw new Error("--jobs wants a positive integer");
  return args;
}

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

/** Keeps each student's latest submission; the others are reported. */
export function latestPerStudent(subs: Submission[]): { kept: Submission[]; superseded: Submission[] } {
  const byStudent = new Map<string, Submission>();
  const superseded: Submission[] = [];
  for (const s of subs) {
    const prev = byStudent.get(s.student);
    if (!prev) byStudent.set(s.student, s);
    else if ((s.submittedAt ?? "") > (prev.submittedAt ?? "")) {
      superseded.push(prev);
      byStudent.set(s.student, s);
    } else superseded.push(s);
  }
  return { kept: [...byStudent.values()], superseded };
}

export function progressLine(e: ProgressEvent): string {
  if (e.type === "start") return `grading ${e.total} submission(s), ${e.jobs} at a time; sandbox: ${e.isolation}`;
  if (e.type === "retry") return `  re-grading ${e.student} alone (grader problem: ${e.reason.split("\n")[0].slice(0, 120)})`;
  const r: SubmissionResult = e.result;
  const width = String(e.total).length;
  const flag = r.graderErrors.length ? "  [grader error]" : r.problems.length ? `  [${r.problems.length} note(s)]` : "";
  return `[${String(e.index).padStart(width)}/${e.total}] ${r.student.padEnd(20)} ${String(r.total).padStart(3)}/${r.max}  ${(r.durationMs / 1000).toFixed(1)} s${flag}`;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const sources = findSubmissionSources(args.inputs);
  if (!sources.length) throw new Error(`no submissions (*.tar.gz or folders with manifest.json) in ${args.inputs.join(", ")}`);
  const started = Date.now();
  const cpu0 = childCpuSeconds();
  const read = await Promise.all(sources.map(readSubmission));
  const { kept, superseded } = latestPerStudent(read);
  for (const s of superseded) console.log(`note: ${path.relative(REPO_ROOT, s.source) || s.source} is superseded by a later submission of ${s.student}`);
  const grader = new Grader({ hidden: args.hidden, jobs: args.jobs });
  const results = await grader.gradeAll(kept, (e) => console.log(progressLine(e)));
  const cpu1 = childCpuSeconds();
  const run = {
    wallMs: Date.now() - started,
    jobs: Math.min(args.jobs ?? require("os").cpus().length, kept.length),
    isolation: (await import("./isolation")).detectIsolation().summary,
    cpuSeconds: cpu0 != null && cpu1 != null ? cpu1 - cpu0 : undefined,
  };
  const out = writeReports(args.out, results, grader.registry, run);
  console.log("");
  console.log(fs.readFileSync(out.summary, "utf8"));
  console.log(`wrote ${path.relative(process.cwd(), out.csv)}, ${path.relative(process.cwd(), out.feedbackDir)}/ (${results.length} pages), ${path.relative(process.cwd(), out.summary)}`);
  return results.some((r) => r.graderErrors.length) ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`npm run autograde: ${(err as Error).message}`);
      process.exitCode = 2;
    },
  );
}
