/**
 * The grading pipeline, one small step after another:
 *
 *   submission ─► readSubmission (unpack + verify manifest, archive.ts)
 *              ─► extractModule per notebook (graded cells → scripts, extract.ts)
 *              ─► runRunner: a trusted runner process runs the specs against a sandboxed child
 *                 (runner.ts, sandboxClient.ts, isolation.ts)
 *              ─► results over the runner's IPC channel, which the sandbox cannot reach
 *              ─► scoreSubmission: points from the trusted test list, never from the notebook
 *              ─► report.ts: grades.csv, feedback HTML, summary
 *
 * At most `jobs` submissions are graded at a time (default: one per core). A submission whose
 * grading failed for a reason that is not its own code (a runner that died, say because another
 * submission's code tried to kill it) is graded again, alone, after the others.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Submission } from "./archive";
import { extractModule, SandboxModule } from "./extract";
import { detectIsolation, SandboxLimits } from "./isolation";
import { parseNotebook } from "./notebook";
import { hiddenSpecFile, publicSpecFile, REPO_ROOT } from "./paths";
import { readRegistry, Registry } from "./registry";
import type { RunnerJob, RunnerList, RunnerResult, TestInfo, TestResult } from "./runner";
import { prepareRuntime, Runtime } from "./runtime";

export interface GradeOptions {
  /** Run the hidden specs too (the instructor); false for `npm run check`. */
  hidden: boolean;
  /** Parallel submissions; default: the number of cores. */
  jobs?: number;
  /** Only these exercises (names); default: all in the registry. */
  exercises?: string[];
  registry?: Registry;
  callTimeoutMs?: number;
  /** Wall-clock cap for one submission's runner and sandboxes together. */
  submissionTimeoutMs?: number;
  limits?: SandboxLimits;
}

export interface ItemScore {
  exercise: string;
  gradeId: string;
  title: string;
  points: number;
  max: number;
}

export interface SubmissionResult {
  student: string;
  source: string;
  submittedAt: string | null;
  problems: string[];
  tests: TestResult[];
  items: ItemScore[];
  total: number;
  max: number;
  durationMs: number;
  sandboxStarts: number;
  /** Failures of the grader itself, not of the student's code; non-empty means "re-run this one". */
  graderErrors: string[];
  attempts: number;
}

export type ProgressEvent =
  | { type: "start"; total: number; jobs: number; isolation: string }
  | { type: "done"; index: number; total: number; result: SubmissionResult }
  | { type: "retry"; student: string; reason: string };

const RUNNER = path.join(__dirname, "runner.ts");

/** Starts one trusted runner process and returns what it reports. */
export function runRunner(job: RunnerJob, timeoutMs: number): Promise<RunnerResult | RunnerList> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), RUNNER], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      detached: true, // its own process group: one kill ends the runner and its sandbox
    });
    let stderr = "";
    child.stdout!.resume();
    child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
    let settled = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, "SIGKILL"); // the runner and any sandbox left behind
      } catch {
        /* already gone */
      }
    };
    let result: RunnerResult | RunnerList | null = null;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      killGroup();
      if (err && !result) reject(err);
      else resolve(result!);
    };
    // After its result the runner exits by itself (so its and its sandbox's CPU time are
    // accounted to us); it gets a few seconds, then its process group is killed.
    let grace: NodeJS.Timeout | undefined;
    const got = (value: RunnerResult | RunnerList) => {
      result = value;
      grace = setTimeout(() => finish(null), 5_000);
    };
    const timer = setTimeout(() => finish(new Error(`grading took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)), timeoutMs);
    child.on("message", (msg: { type: string; message?: string }) => {
      if (msg.type === "result" || msg.type === "list") got(msg as RunnerResult | RunnerList);
      else if (msg.type === "error") finish(new Error(`the runner failed: ${msg.message}`));
    });
    child.on("error", (err) => finish(err));
    child.on("exit", (code, signal) => finish(result ? null : new Error(`the runner ended (${signal ?? `code ${code}`}) without results${stderr ? `: ${stderr.trim().split("\n").slice(-5).join(" | ")}` : ""}`)));
    child.send(job);
  });
}

export class Grader {
  readonly registry: Registry;
  readonly exercises: string[];
  readonly specFiles: string[];
  readonly runtime: Runtime;
  private testList: TestInfo[] | null = null;

  constructor(readonly options: GradeOptions) {
    this.registry = options.registry ?? readRegistry();
    const names = this.registry.exercises.map((e) => e.name);
    this.exercises = options.exercises ?? names;
    for (const e of this.exercises) if (!names.includes(e)) throw new Error(`no exercise named ${e}`);
    this.specFiles = this.exercises.flatMap((e) => [publicSpecFile(e), ...(options.hidden ? [hiddenSpecFile(e)] : [])]).filter((f) => fs.existsSync(f));
    this.runtime = prepareRuntime();
  }

  /** Every graded test and its points, from the trusted specs (loaded once, without a sandbox). */
  async tests(): Promise<TestInfo[]> {
    if (!this.testList) {
      const list = await runRunner({ type: "job", mode: "list", specFiles: this.specFiles, modules: [], runtime: this.runtime }, 120_000);
      if (list.type !== "list") throw new Error("the runner did not list the tests");
      const known = new Map(this.registry.exercises.flatMap((e) => e.graded.map((g) => [g.gradeId, e.name] as [string, string])));
      for (const t of list.tests) {
        if (known.get(t.gradeId) !== t.exercise) throw new Error(`the spec test "${t.fullTitle}" names grade id ${t.gradeId}, which is not a graded cell of ${t.exercise}`);
      }
      this.testList = list.tests;
    }
    return this.testList;
  }

  /** Grades one submission; never throws (grader failures are recorded in the result). */
  async grade(sub: Submission, attempts = 1): Promise<SubmissionResult> {
    const started = Date.now();
    // The trusted list of tests, when known (autograde lists it once; check does without).
    const tests = this.testList;
    const modules: SandboxModule[] = [];
    const absent: Record<string, string> = {};
    const problems = [...sub.problems];
    for (const name of this.exercises) {
      const entry = this.registry.exercises.find((e) => e.name === name)!;
      const text = sub.notebooks.get(name);
      if (text == null) {
        absent[name] = `the submission has no ${entry.notebook}`;
        if (!problems.some((p) => p.includes(entry.notebook))) problems.push(`no ${entry.notebook} in the submission`);
        continue;
      }
      try {
        const module = extractModule(parseNotebook(text, entry.notebook), entry);
        if (module.unknownGradeIds.length) problems.push(`${entry.notebook}: cells marked ${module.unknownGradeIds.join(", ")} are not graded cells of this exercise (ignored)`);
        if (module.missingGradeIds.length) problems.push(`${entry.notebook}: no cell is marked ${module.missingGradeIds.join(", ")}`);
        modules.push(module);
      } catch (err) {
        absent[name] = `your ${entry.notebook} could not be read: ${(err as Error).message}`;
        problems.push(absent[name]);
      }
    }
    const graderErrors: string[] = [];
    let results: TestResult[] = [];
    let sandboxStarts = 0;
    try {
      const out = await runRunner(
        {
          type: "job",
          mode: "grade",
          specFiles: this.specFiles,
          modules,
          runtime: this.runtime,
          limits: this.options.limits,
          callTimeoutMs: this.options.callTimeoutMs,
          absent,
        },
        this.options.submissionTimeoutMs ?? 300_000,
      );
      if (out.type !== "result") throw new Error("the runner did not grade");
      results = out.tests;
      sandboxStarts = out.sandboxStarts;
      graderErrors.push(...out.errors);
      for (const t of results) if (t.failure === "grader") graderErrors.push(`${t.fullTitle}: ${t.message}`);
    } catch (err) {
      graderErrors.push((err as Error).message);
    }
    // Scores come from the trusted test list: a test the runner did not report earns nothing.
    const byId = new Map(results.map((r) => [r.id, r]));
    if (!tests && results.length === 0) graderErrors.push("no test results");
    const final = (tests ?? results).map((t) => byId.get(t.id) ?? { ...t, passed: false, failure: "grader" as const, message: `not graded: ${graderErrors[0] ?? "no result"}`, durationMs: 0 });
    return { ...scoreSubmission(sub, final, this.registry), problems, durationMs: Date.now() - started, sandboxStarts, graderErrors, attempts };
  }

  /** Grades many submissions, `jobs` at a time, re-grading alone those that hit a grader failure. */
  async gradeAll(subs: Submission[], onProgress: (e: ProgressEvent) => void = () => undefined): Promise<SubmissionResult[]> {
    await this.tests();
    const jobs = Math.max(1, Math.min(this.options.jobs ?? os.cpus().length, subs.length || 1));
    onProgress({ type: "start", total: subs.length, jobs, isolation: detectIsolation().summary });
    const results: SubmissionResult[] = new Array(subs.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < subs.length) {
        const i = next++;
        results[i] = await this.grade(subs[i]);
        onProgress({ type: "done", index: ++done, total: subs.length, result: results[i] });
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    for (let i = 0; i < subs.length; i++) {
      if (results[i].graderErrors.length === 0) continue;
      onProgress({ type: "retry", student: results[i].student, reason: results[i].graderErrors[0] });
      const again = await this.grade(subs[i], 2);
      if (again.graderErrors.length === 0 || again.total >= results[i].total) results[i] = again;
    }
    return results;
  }
}

export function scoreSubmission(sub: Submission, tests: TestResult[], registry: Registry): Omit<SubmissionResult, "problems" | "durationMs" | "sandboxStarts" | "graderErrors" | "attempts"> {
  const items: ItemScore[] = [];
  for (const e of registry.exercises) {
    for (const g of e.graded) {
      const mine = tests.filter((t) => t.gradeId === g.gradeId);
      if (mine.length === 0) continue;
      items.push({
        exercise: e.name,
        gradeId: g.gradeId,
        title: g.title,
        points: mine.filter((t) => t.passed).reduce((s, t) => s + t.points, 0),
        max: mine.reduce((s, t) => s + t.points, 0),
      });
    }
  }
  return {
    student: sub.student,
    source: sub.source,
    submittedAt: sub.submittedAt,
    tests,
    items,
    total: items.reduce((s, i) => s + i.points, 0),
    max: items.reduce((s, i) => s + i.max, 0),
  };
}
