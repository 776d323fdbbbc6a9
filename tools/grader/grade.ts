/**
 * The grading pipeline, one small step after another:
 *
 *   submission (identity and time decided by the caller or the collection channel: identity.ts)
 *      ─► the graded cells compiled in a worker thread, under a deadline (prepare.ts, preparePool.ts)
 *      ─► runRunner: a trusted runner process per submission runs the specs against a sandboxed
 *         child (runner.ts, sandboxClient.ts, isolation.ts)
 *      ─► results over the runner's IPC channel, which the sandbox cannot reach
 *      ─► points from the registry and the trusted test list, never from the notebook (result.ts)
 *      ─► report.ts: grades.csv, feedback HTML, summary
 *
 * At most `jobs` submissions are graded at a time (default: one per core). A submission whose
 * grading failed for a reason that is not its own code (a runner that died) is graded again, alone,
 * after the others. What the student's code causes (a crash, a hang, a spent time budget, a notebook
 * too slow to prepare) is charged to the student and never retried.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { detectIsolation, SandboxLimits } from "./isolation";
import { hiddenSpecFile, publicSpecFile, REPO_ROOT } from "./paths";
import { readRegistry, Registry } from "./registry";
import { assignPoints, manualScores, ResultStatus, scoreTests, SubmissionResult, TestInfo, TestResult } from "./result";
import type { WrittenAnswer } from "./prepare";
import type { RunnerJob, RunnerList, RunnerResult } from "./runner";
import { InputError, mapPool } from "@ts-course/cli";
import { PrepareTimeout, prepareOffThread } from "./preparePool";
import { prepareRuntime, Runtime } from "./runtime";
import { StagingRefused } from "./stage";
import { Submission, trustedSubmission } from "./submission";
import { capList, clip } from "./text";

export interface GradeOptions {
  /** Run the hidden specs too (the grade); false for a check with the public tests only. */
  hidden: boolean;
  /** Parallel submissions; default: the number of cores. */
  jobs?: number;
  /** Only these exercises (names); default: all in the registry. */
  exercises?: string[];
  registry?: Registry;
  callTimeoutMs?: number;
  /** Wall-clock time the submission's code may use in all (default 120 s). */
  budgetMs?: number;
  /** Hard cap for one submission's runner and sandboxes together (a grader failure when reached). */
  submissionTimeoutMs?: number;
  /** Time to compile the graded cells of one submission (default 30 s; beyond it, the submission's own fault). */
  prepareTimeoutMs?: number;
  limits?: SandboxLimits;
}

export type ProgressEvent =
  | { type: "start"; total: number; jobs: number; isolation: string }
  | { type: "done"; index: number; total: number; result: SubmissionResult }
  | { type: "retry"; student: string; reason: string };

const RUNNER = path.join(__dirname, "runner.ts");
const scale = () => Number(process.env.COURSE_GRADER_TIMEOUT_SCALE ?? 1) || 1;

/** A refusal to grade (the sandbox could not read its own code) as a one-line message for a command, not a stack. */
export function refusalAsInput<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof StagingRefused) throw new InputError(err.message);
    throw err;
  }
}

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
  /** The spec files that run: public, and hidden when grading. */
  readonly specFiles: string[];
  /** Every spec file present (hidden ones too when they exist): the tests whose weights share the points. */
  readonly listFiles: string[];
  /** Whether the hidden specs of every exercise are here, so that every test's point share is known. */
  readonly sharesKnown: boolean;
  readonly runtime: Runtime;
  private testList: TestInfo[] | null = null;

  constructor(readonly options: GradeOptions) {
    this.registry = options.registry ?? readRegistry();
    const names = this.registry.exercises.map((e) => e.name);
    this.exercises = options.exercises ?? names;
    for (const e of this.exercises) if (!names.includes(e)) throw new Error(`no exercise named ${e}`);
    const present = (f: string) => fs.existsSync(f);
    this.specFiles = this.exercises.flatMap((e) => [publicSpecFile(e), ...(options.hidden ? [hiddenSpecFile(e)] : [])]).filter(present);
    this.listFiles = this.exercises.flatMap((e) => [publicSpecFile(e), hiddenSpecFile(e)]).filter(present);
    this.sharesKnown = this.exercises.every((e) => present(hiddenSpecFile(e)));
    if (options.hidden && !this.sharesKnown) throw new Error(`grading needs the hidden specs, and ${this.exercises.filter((e) => !present(hiddenSpecFile(e))).map(hiddenSpecFile).join(", ")} is missing`);
    this.runtime = prepareRuntime();
  }

  /** Every graded test and its point share, from the trusted specs (loaded once, without a sandbox). */
  async tests(): Promise<TestInfo[]> {
    if (!this.testList) {
      const list = await runRunner({ type: "job", mode: "list", specFiles: this.listFiles, modules: [], absent: {}, runtime: this.runtime }, 120_000 * scale());
      if (list.type !== "list") throw new Error("the runner did not list the tests");
      const known = new Map(this.registry.exercises.flatMap((e) => e.graded.map((g) => [g.gradeId, e.name] as [string, string])));
      for (const t of list.tests) {
        if (known.get(t.gradeId) !== t.exercise) throw new Error(`the spec test "${t.fullTitle}" names grade id ${t.gradeId}, which is not a graded cell of ${t.exercise}`);
      }
      this.testList = assignPoints(list.tests, this.registry, this.sharesKnown);
    }
    return this.testList;
  }

  /** Grades one submission; never throws (grader failures are recorded in the result). */
  async grade(sub: Submission, attempts = 1): Promise<SubmissionResult> {
    const started = Date.now();
    const scope = this.options.hidden ? "all" : "public";
    const graderErrors: string[] = [];
    const problems = [...sub.problems];
    let results: RunnerResult["tests"] = [];
    let sandboxStarts = 0;
    let tests: TestInfo[] = [];
    let studentFault: string | null = null;
    let answers: WrittenAnswer[] = [];
    try {
      tests = (await this.tests()).filter((t) => scope === "all" || t.visibility === "public");
      const entries = this.registry.exercises.filter((e) => this.exercises.includes(e.name));
      for (const e of entries) {
        if (!sub.notebooks.has(e.name) && !problems.some((p) => p.includes(e.notebook))) problems.push(`no ${e.notebook} in the submission`);
      }
      const notebooks = [...sub.notebooks].filter(([name]) => this.exercises.includes(name)).map(([exercise, text]) => ({ exercise, text }));
      const prepared = await prepareOffThread(notebooks, entries, this.options.prepareTimeoutMs ?? 30_000 * scale());
      problems.push(...prepared.problems);
      answers = prepared.answers ?? [];
      const out = await runRunner(
        {
          type: "job",
          mode: "grade",
          specFiles: this.specFiles,
          modules: prepared.modules,
          absent: prepared.absent,
          runtime: this.runtime,
          limits: this.options.limits,
          callTimeoutMs: this.options.callTimeoutMs,
          budgetMs: this.options.budgetMs,
        },
        this.options.submissionTimeoutMs ?? 300_000 * scale(),
      );
      if (out.type !== "result") throw new Error("the runner did not grade");
      results = out.tests;
      sandboxStarts = out.sandboxStarts;
      graderErrors.push(...out.errors);
      for (const t of results) if (t.failure === "grader") graderErrors.push(`${t.fullTitle}: ${t.message}`);
    } catch (err) {
      if (err instanceof PrepareTimeout) {
        studentFault = err.message;
        problems.push(err.message);
      } else graderErrors.push(clip(String((err as Error)?.message ?? err), 2000));
    }
    // Scores come from the trusted test list: a test the runner did not report earns nothing.
    const byId = new Map(results.map((r) => [r.id, r]));
    const final: TestResult[] = tests.map((t) => {
      const r = byId.get(t.id);
      if (r) return { ...r, points: t.points };
      if (studentFault) return { ...t, passed: false, failure: "student", message: `not run: ${studentFault}`, durationMs: 0 };
      return { ...t, passed: false, failure: "grader", message: `not graded: ${graderErrors[0] ?? "no result"}`, durationMs: 0 };
    });
    const score = scoreTests(final, this.registry, this.exercises);
    const status: ResultStatus = graderErrors.length ? "grader-error" : sub.problems.some((p) => /^(no manifest|unreadable archive)/.test(p)) ? "invalid" : "graded";
    return {
      student: sub.student,
      source: sub.source,
      submittedAt: sub.submittedAt,
      trust: sub.trust,
      scope,
      status,
      ...score,
      tests: final,
      ...manualScores(this.registry, this.exercises, answers),
      problems: capList(problems),
      flags: sub.flags,
      others: sub.others,
      graderErrors: capList(graderErrors, 20, 2000),
      durationMs: Date.now() - started,
      sandboxStarts,
      attempts,
    };
  }

  /**
   * Grades many submissions, `jobs` at a time, re-grading alone those that hit a grader failure.
   * Each item is a submission or a function that reads one just before it is graded (so a batch
   * holds only the notebooks being graded in memory); a read that fails is graded as an empty
   * submission with the reason, never dropped.
   */
  async gradeAll(subs: (Submission | (() => Promise<Submission>))[], onProgress: (e: ProgressEvent) => void = () => undefined): Promise<SubmissionResult[]> {
    await this.tests();
    const jobs = Math.max(1, Math.min(this.options.jobs ?? os.cpus().length, subs.length || 1));
    onProgress({ type: "start", total: subs.length, jobs, isolation: detectIsolation().summary });
    const load = async (i: number): Promise<Submission> => {
      const s = subs[i];
      if (typeof s !== "function") return s;
      try {
        return await s();
      } catch (err) {
        return { ...trustedSubmission(`unreadable-${i + 1}`, null, new Map(), `item ${i + 1}`, [`unreadable submission: ${clip(String((err as Error)?.message ?? err), 500)}`]), trust: { student: "none", submittedAt: "none" } };
      }
    };
    let done = 0;
    const results = await mapPool(subs, jobs, async (_, i) => {
      const result = await this.grade(await load(i));
      onProgress({ type: "done", index: ++done, total: subs.length, result });
      return result;
    });
    for (let i = 0; i < subs.length; i++) {
      if (results[i].graderErrors.length === 0) continue;
      onProgress({ type: "retry", student: results[i].student, reason: results[i].graderErrors[0] });
      const again = await this.grade(await load(i), 2);
      if (again.graderErrors.length === 0 || (again.total ?? 0) >= (results[i].total ?? 0)) results[i] = again;
    }
    return results;
  }
}
