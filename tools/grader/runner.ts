/**
 * The trusted runner: one process per submission, started by the grader with an IPC channel.
 *
 *   grader ──job (IPC)──► runner: mocha loads the public (+ hidden) specs, opens the sandbox,
 *                                 runs every graded test ──results (IPC)──► grader
 *
 * The runner reads the hidden specs; the sandbox it starts cannot (file-system permissions), and
 * nothing the sandbox sends is a result: the runner's mocha decides pass or fail from the values.
 * With mode "list" it only loads the specs and lists the tests and their points.
 */
import * as path from "path";
import type { SandboxModule } from "./extract";
import type { SandboxLimits } from "./isolation";
import { detectIsolation } from "./isolation";
import type { Runtime } from "./runtime";
import { GraderError, SandboxSession, StudentCodeError } from "./sandboxClient";
import { GradedTestInfo, setGradingSession } from "./spec";

export type Visibility = "public" | "hidden";

export interface RunnerJob {
  type: "job";
  mode: "grade" | "list";
  specFiles: string[];
  modules: SandboxModule[];
  runtime: Runtime;
  limits?: SandboxLimits;
  callTimeoutMs?: number;
  backend?: "cpu" | "wasm";
  /** exercise → why its notebook is absent. */
  absent?: Record<string, string>;
}

export interface TestInfo extends GradedTestInfo {
  /** Unique: visibility + full title. */
  id: string;
  title: string;
  fullTitle: string;
  visibility: Visibility;
}

export interface TestResult extends TestInfo {
  passed: boolean;
  /** student: the code failed the test; grader: the grader itself failed (re-run it). */
  failure?: "student" | "grader";
  message?: string;
  durationMs: number;
}

export interface RunnerResult {
  type: "result";
  tests: TestResult[];
  isolation: string;
  sandboxStarts: number;
  sandboxStderr: string;
  errors: string[];
}

export interface RunnerList {
  type: "list";
  tests: TestInfo[];
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

function visibilityOf(file: string | undefined): Visibility {
  return file && file.split(path.sep).includes("hidden") ? "hidden" : "public";
}

function collect(suite: MochaSuite, out: MochaTest[] = []): MochaTest[] {
  out.push(...suite.tests);
  for (const s of suite.suites) collect(s, out);
  return out;
}

function infoOf(t: MochaTest): TestInfo {
  const course = t.course;
  const visibility = visibilityOf(t.file);
  if (!course) throw new Error(`${t.file}: the test "${t.fullTitle()}" is not a graded test (use exercise(...).test)`);
  return { ...course, id: `${visibility}:${t.fullTitle()}`, title: t.title, fullTitle: t.fullTitle(), visibility };
}

const debug = process.env.COURSE_GRADER_DEBUG ? (...xs: unknown[]) => console.error(`[runner ${process.pid} ${new Date().toISOString().slice(11, 23)}]`, ...xs) : () => undefined;

async function runJob(job: RunnerJob): Promise<RunnerResult | RunnerList> {
  debug("job", job.mode, job.specFiles.length, "spec files");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Mocha = require("mocha");
  const errors: string[] = [];
  const mocha = new Mocha({ timeout: 180_000, color: false, reporter: function Silent() {} });
  for (const f of job.specFiles) mocha.addFile(f);
  mocha.loadFiles();
  mocha.lazyLoadFiles(true);
  const tests = collect(mocha.suite as MochaSuite);
  debug("loaded", tests.length, "tests");
  const infos = new Map<MochaTest, TestInfo>();
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
    backend: job.backend,
    absent: job.absent,
  });
  setGradingSession(session);
  const results = new Map<string, TestResult>();
  const record = (t: MochaTest, passed: boolean, err?: unknown) => {
    const info = infos.get(t);
    if (!info) return;
    let failure: TestResult["failure"];
    let message: string | undefined;
    if (!passed) {
      const e = err as Error | undefined;
      failure = e instanceof GraderError ? "grader" : "student";
      message = e instanceof StudentCodeError || e?.name === "AssertionError" ? e.message : e instanceof GraderError ? `grader error: ${e.message}` : `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
    }
    results.set(info.id, { ...info, passed, failure, message, durationMs: t.duration ?? 0 });
  };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on("pass", (t: MochaTest) => record(t, true));
    runner.on("test end", (t: MochaTest) => debug("test end", t.fullTitle()));
    runner.on("fail", (t: MochaTest, err: unknown) => {
      debug("fail", t.fullTitle(), (err as Error)?.stack ?? err);
      if (t.type === "hook") errors.push(`a hook failed: ${t.fullTitle()}: ${(err as Error)?.message}`);
      else record(t, false, err);
    });
  });
  await session.close();
  setGradingSession(null);
  const out: TestResult[] = [];
  for (const info of infos.values()) {
    out.push(results.get(info.id) ?? { ...info, passed: false, failure: "grader", message: "not run (a set-up step of its spec failed)", durationMs: 0 });
  }
  return {
    type: "result",
    tests: out,
    isolation: detectIsolation().summary,
    sandboxStarts: session.starts.length,
    sandboxStderr: session.logs().stderr.slice(-4000),
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
        process.send!({ type: "error", message: (err as Error).stack ?? String(err) }, () => process.exit(1));
      });
  });
  process.on("disconnect", () => process.exit(1));
}
