/**
 * The trusted runner: one process per submission, started by the grader with an IPC channel.
 *
 *   grader ──job (IPC): the compiled cells (prepare.ts)──► runner: mocha loads the public (+ hidden)
 *                                 specs, opens the sandbox, runs every graded test ──results (IPC)──► grader
 *
 * The runner reads the hidden specs; the sandbox it starts cannot (file-system permissions), and
 * nothing the sandbox sends is a result: the runner's mocha decides pass or fail from the values.
 * Public tests all run first, the hidden ones after them: nothing of a hidden test's inputs can
 * reach a message the student reads (and a sandbox that served a hidden test never serves a
 * public one: sandboxClient.ts).
 * With mode "list" it only loads the specs and lists the tests and their weights.
 */
import * as path from "path";
import type { SandboxLimits } from "./isolation";
import { detectIsolation } from "./isolation";
import type { SandboxModule } from "./extract";
import type { TestInfo, TestResult, Visibility } from "./result";
import type { Runtime } from "./runtime";
import { GraderError, SandboxSession, StudentCodeError } from "./sandboxClient";
import { GradedTestInfo, setGradingSession } from "./spec";
import { clip, printable } from "./text";

export interface RunnerJob {
  type: "job";
  mode: "grade" | "list";
  specFiles: string[];
  /** The submission's graded cells, compiled (prepare.ts). */
  modules: SandboxModule[];
  /** exercise → why its notebook is not in `modules`. */
  absent: Record<string, string>;
  runtime: Runtime;
  limits?: SandboxLimits;
  callTimeoutMs?: number;
  /** Wall-clock time the submission's code may use in all (loads, calls, restarts). */
  budgetMs?: number;
  backend?: "cpu" | "wasm";
}

/** A test as the runner knows it: its points are assigned by the grader, from the registry. */
export type RunnerTest = Omit<TestInfo, "points">;
export type RunnerTestResult = Omit<TestResult, "points">;

export interface RunnerResult {
  type: "result";
  tests: RunnerTestResult[];
  isolation: string;
  sandboxStarts: number;
  sandboxStderr: string;
  errors: string[];
}

export interface RunnerList {
  type: "list";
  tests: RunnerTest[];
  errors: string[];
}

interface MochaTest {
  title: string;
  file?: string;
  type: string;
  fullTitle(): string;
  duration?: number;
  course?: GradedTestInfo;
  parent?: MochaSuite;
}
interface MochaSuite {
  tests: MochaTest[];
  suites: MochaSuite[];
}

export function visibilityOf(file: string | undefined): Visibility {
  return file && file.split(path.sep).includes("hidden") ? "hidden" : "public";
}

function collect(suite: MochaSuite, out: MochaTest[] = []): MochaTest[] {
  out.push(...suite.tests);
  for (const s of suite.suites) collect(s, out);
  return out;
}

function infoOf(t: MochaTest): RunnerTest {
  const course = t.course;
  const visibility = visibilityOf(t.file);
  if (!course) throw new Error(`${t.file}: the test "${t.fullTitle()}" is not a graded test (use exercise(...).test)`);
  return { ...course, id: `${visibility}:${t.fullTitle()}`, title: t.title, fullTitle: t.fullTitle(), visibility };
}

/** A failed test's message, bounded: student code shapes it (an error's text, a stack line). */
function messageOf(err: unknown): string {
  const e = err as Error | undefined;
  const text = e instanceof StudentCodeError || e?.name === "AssertionError" ? e.message : e instanceof GraderError ? `grader error: ${e.message}` : `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
  return printable(text, 4000);
}

const debug = process.env.COURSE_GRADER_DEBUG ? (...xs: unknown[]) => console.error(`[runner ${process.pid} ${new Date().toISOString().slice(11, 23)}]`, ...xs) : () => undefined;

async function runJob(job: RunnerJob): Promise<RunnerResult | RunnerList> {
  debug("job", job.mode, job.specFiles.length, "spec files");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Mocha = require("mocha");
  const errors: string[] = [];
  const mocha = new Mocha({ timeout: 180_000, color: false, reporter: function Silent() {} });
  // Public specs first: the hidden tests then run in a sandbox of their own, after every public one.
  const files = [...job.specFiles].sort((a, b) => Number(visibilityOf(a) === "hidden") - Number(visibilityOf(b) === "hidden"));
  for (const f of files) mocha.addFile(f);
  mocha.loadFiles();
  mocha.lazyLoadFiles(true);
  const tests = collect(mocha.suite as MochaSuite);
  debug("loaded", tests.length, "tests");
  const infos = new Map<MochaTest, RunnerTest>();
  for (const t of tests) infos.set(t, infoOf(t));
  const ids = new Set<string>();
  for (const i of infos.values()) {
    if (ids.has(i.id)) throw new Error(`two graded tests are both called "${i.fullTitle}" (${i.visibility})`);
    ids.add(i.id);
  }
  if (job.mode === "list") return { type: "list", tests: [...infos.values()], errors };

  const session = new SandboxSession(new Map(job.modules.map((m) => [m.exercise, m])), {
    runtime: job.runtime,
    limits: job.limits,
    callTimeoutMs: job.callTimeoutMs,
    budgetMs: job.budgetMs,
    backend: job.backend,
    absent: job.absent,
  });
  setGradingSession(session);
  const results = new Map<string, RunnerTestResult>();
  const record = (t: MochaTest, passed: boolean, err?: unknown) => {
    const info = infos.get(t);
    if (!info) return;
    const failure = passed ? undefined : err instanceof GraderError ? "grader" : "student";
    results.set(info.id, { ...info, passed, failure, message: passed ? undefined : messageOf(err), durationMs: t.duration ?? 0 });
  };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    // Which sandbox a call may use depends on the visibility of the test that makes it.
    runner.on("test", (t: MochaTest) => session.setVisibility(visibilityOf(t.file)));
    runner.on("pass", (t: MochaTest) => record(t, true));
    runner.on("fail", (t: MochaTest, err: unknown) => {
      debug("fail", t.fullTitle(), (err as Error)?.stack ?? err);
      if (t.type === "hook") errors.push(`a hook failed: ${t.fullTitle()}: ${clip(String((err as Error)?.message), 500)}`);
      else record(t, false, err);
    });
  });
  await session.close();
  setGradingSession(null);
  const out: RunnerTestResult[] = [];
  for (const info of infos.values()) {
    out.push(results.get(info.id) ?? { ...info, passed: false, failure: "grader", message: "not run (a set-up step of its spec failed)", durationMs: 0 });
  }
  return {
    type: "result",
    tests: out,
    isolation: detectIsolation().summary,
    sandboxStarts: session.starts.length,
    sandboxStderr: printable(session.logs().stderr.slice(-4000)),
    errors,
  };
}

if (require.main === module) {
  if (!process.send) {
    console.error("runner.ts is started by the grader with an IPC channel; use `npm run check` or `npm run autograde`.");
    process.exit(2);
  }
  process.once("message", (job: RunnerJob) => {
    runJob(job)
      .then((result) => process.send!(result, () => process.exit(0)))
      .catch((err) => {
        process.send!({ type: "error", message: clip((err as Error).stack ?? String(err), 4000) }, () => process.exit(1));
      });
  });
  process.on("disconnect", () => process.exit(1));
}
