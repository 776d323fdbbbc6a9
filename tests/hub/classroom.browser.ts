/**
 * `npm run test:hub`: a whole class in real browsers, on the real JupyterHub (as `npm run hub`
 * starts it), real JupyterLab with the course's extension, the real course service, on the
 * embedded gradebook and on a throwaway PostgreSQL cluster. The story is in classroomStory.ts.
 *
 * On PostgreSQL the service grades nothing itself (--workers 0): a separate `npm run grader-worker`
 * process takes the jobs from the queue, as it would on another machine.
 * As root (like CI), students are system users, as `npm run hub` makes them (tools/hub/launch.ts
 * prepares the host); the test's users carry a random suffix and are removed afterwards. Ports are free ones the OS hands out.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defineCommand, positiveInt, runCommand, UsageError } from "../../tools/cli/command";
import { ensureHubVenv } from "../../tools/hub/venv";
import { ensureLabExtension } from "../../tools/labextension/install";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";
import { PgCluster } from "../../tools/hub/fixtures/pgCluster";
import { classroomStory, StoryFacts } from "./classroomStory";
import { HubBrowser, launchBrowser } from "./labPage";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "artifacts", "hub");
const DATABASES = ["pglite", "postgres"] as const;
type DatabaseKind = (typeof DATABASES)[number];

const cmd = defineCommand({
  name: "npm run test:hub",
  summary: "the class in headless Chromium: hub, JupyterLab with the course panel, course service, both gradebooks",
  usage: "[-- options]",
  options: {
    database: { type: "string", multiple: true, value: "pglite|postgres", help: "run on this gradebook only (default: both)" },
    "due-in": { type: "string", value: "s", help: "seconds from release to the due date: alice must submit within it, bob after it (default 120)" },
    screenshot: { type: "string", value: "png", help: "also save the panel screenshot of the first run here (e.g. docs/course-panel.png)" },
  },
  epilog: "Needs Debian's chromium (CHROMIUM=… for another) and, for postgres, Debian's postgresql. Artifacts: artifacts/hub/.",
});

interface RunResult {
  database: DatabaseKind;
  passed: boolean;
  seconds: number;
  error?: string;
  facts?: StoryFacts;
  screenshot: string;
}

runCommand(cmd, async ({ values }) => {
  const databases = (values.database ?? [...DATABASES]) as DatabaseKind[];
  for (const d of databases) if (!DATABASES.includes(d)) throw new UsageError(`--database takes pglite or postgres, not "${d}"`);
  const dueInMs = (positiveInt(values["due-in"], "due-in") ?? 120) * 1000;
  const started = Date.now();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const multiUser = process.getuid?.() === 0;

  // The hub venv as `npm run hub` makes it (startHub reuses it), with the course extension in it.
  const venv = await ensureHubVenv({ showPipOutput: false });
  const ext = await ensureLabExtension(venv.dir);
  assertNoAbsolutePaths(ext.installedDir);
  console.log(`test:hub: course extension ${ext.built ? "built and " : ""}installed in ${path.relative(ROOT, ext.installedDir)} (${((Date.now() - started) / 1000).toFixed(0)} s so far)`);

  const browser = await launchBrowser();
  const results: RunResult[] = [];
  let cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${e}`));
    cleanups = [];
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the hub, the database and the browser`);
    void cleanup().finally(() => browser.close().finally(() => process.exit(130)));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    for (const database of databases) {
      const t0 = Date.now();
      const screenshot = path.join(ARTIFACTS, `panel-${database}.png`);
      const log = (line: string) => console.log(`test:hub [${database} ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
      try {
        const facts = await runOnce(database, browser, multiUser, dueInMs, screenshot, log, (c) => cleanups.push(c));
        results.push({ database, passed: true, seconds: (Date.now() - t0) / 1000, facts, screenshot });
        await browser.snapshot(path.join(ARTIFACTS, `end-${database}`));
      } catch (e) {
        results.push({ database, passed: false, seconds: (Date.now() - t0) / 1000, error: e instanceof Error ? (e.stack ?? e.message) : String(e), screenshot });
        log(`FAIL: ${e instanceof Error ? e.message : e}`);
        const shots = await browser.snapshot(path.join(ARTIFACTS, `fail-${database}`));
        if (shots.length) log(`screenshots: ${shots.map((f) => path.relative(ROOT, f)).join(", ")}`);
      } finally {
        await cleanup();
      }
    }
  } finally {
    await browser.close();
  }
  const external = Object.entries(browser.external).flatMap(([who, urls]) => urls.map((u) => `${who}: ${u}`));
  if (external.length) results.push({ database: databases[0], passed: false, seconds: 0, error: `requests left the machine:\n  ${external.slice(0, 20).join("\n  ")}`, screenshot: "" });
  const first = results.find((r) => r.passed && fs.existsSync(r.screenshot));
  if (values.screenshot && first) fs.copyFileSync(first.screenshot, path.resolve(values.screenshot));

  const total = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(ARTIFACTS, "results.json"), JSON.stringify({ seconds: total, results, pageErrors: browser.pageErrors }, null, 2) + "\n");
  console.log("");
  for (const r of results) {
    console.log(`  ${r.passed ? "✓" : "✗"} ${r.database}: ${r.seconds.toFixed(0)} s${r.facts ? ` (of which ${r.facts.waitedForDueS.toFixed(0)} s waiting for the due date); alice ${r.facts.aliceScore}, bob ${r.facts.bobScore} (penalty ${r.facts.bobPenaltyBefore} → ${r.facts.bobPenaltyAfter})` : ""}`);
    if (r.error) console.log(`      ${r.error.split("\n").join("\n      ")}`);
  }
  if (browser.pageErrors.length) console.log(`  uncaught page errors (reported, not failed): ${browser.pageErrors.slice(0, 5).join(" | ")}`);
  console.log(`test:hub: ${results.every((r) => r.passed) ? "passed" : "FAILED"} in ${total.toFixed(0)} s (results: artifacts/hub/results.json)`);
  return results.every((r) => r.passed) ? 0 : 1;
});

async function runOnce(database: DatabaseKind, browser: HubBrowser, multiUser: boolean, dueInMs: number, screenshot: string, log: (l: string) => void, onCleanup: (c: () => Promise<void>) => void): Promise<StoryFacts> {
  const suffix = `${database[0]}${crypto.randomBytes(3).toString("hex")}`;
  let databaseUrl: string | undefined;
  if (database === "postgres") {
    const cluster = await PgCluster.start();
    onCleanup(() => cluster.stop());
    databaseUrl = cluster.url;
    log(`PostgreSQL cluster on 127.0.0.1:${cluster.port}`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "course-test-hub-"));
  onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // What `npm run hub -- --instructor prof-…` writes.
  fs.mkdirSync(path.join(dataDir, "hub"), { recursive: true });
  fs.writeFileSync(path.join(dataDir, "hub", "instructors.txt"), `prof-${suffix}\n`);
  if (multiUser) onCleanup(() => removeTestUsers(suffix));
  const hub: TestHub = await startHub({ dataDir, databaseUrl, multiUser, serviceArgs: database === "postgres" ? ["--workers", "0"] : [] });
  onCleanup(async () => {
    await hub.stop();
    fs.writeFileSync(path.join(ARTIFACTS, `hub-${database}.log`), hub.log());
  });
  log(`JupyterHub at ${hub.url} (${multiUser ? "students as system users" : "single-user demo mode"}, data ${dataDir})`);
  if (database === "postgres") {
    const worker = startGraderWorker(databaseUrl!, path.join(ARTIFACTS, "grader-worker.log"));
    onCleanup(() => stopProcessGroup(worker));
    log(`grader-worker pid ${worker.pid} (the service itself grades nothing: --workers 0)`);
  }
  // The fault steps (30 s of a frozen service) run once, on the first gradebook.
  return classroomStory({ hub, browser, suffix, dueInMs, screenshot, log, faults: database === DATABASES[0] });
}

/** `npm run grader-worker` as a separate process on the PostgreSQL queue. */
function startGraderWorker(databaseUrl: string, logFile: string): ChildProcess {
  const out = fs.openSync(logFile, "w");
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(ROOT, "tools", "grader-worker", "main.ts"), "--concurrency", "1"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", out, out],
    detached: true,
  });
  fs.closeSync(out);
  return child;
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

/** Removes the system users this run's hub created (their names carry the run's suffix). */
async function removeTestUsers(suffix: string): Promise<void> {
  for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid] = line.split(":");
    if (!name || !name.endsWith(`-${suffix}`) || Number(uid) < 1000) continue;
    // Their processes (servers, kernels) were started by this test's hub: end them by pid.
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(fs.readFileSync(`/proc/${pid}/status`, "utf8"))) process.kill(Number(pid), "SIGKILL");
      } catch {
        /* gone */
      }
    }
    // 8: the user still has processes (a SIGKILLed one takes a moment to go).
    for (let i = 0; i < 20 && spawnSync("userdel", [name]).status === 8; i++) await new Promise((r) => setTimeout(r, 500));
  }
}

/** The built extension must not depend on where this checkout is. */
function assertNoAbsolutePaths(dir: string): void {
  const offenders: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (fs.readFileSync(p, "utf8").includes(ROOT)) offenders.push(path.relative(dir, p));
    }
  };
  walk(dir);
  if (offenders.length) throw new Error(`the built extension names this checkout's path (${ROOT}) in ${offenders.join(", ")}: it would break when the checkout moves`);
}
