/**
 * Capacity of the class setup, measured through the real HTTP API behind a real JupyterHub:
 *
 *   (a) grading throughput (submissions/min) with 1 and 2 `npm run grader-worker` processes
 *       on a PostgreSQL server;
 *   (b) a deadline burst: N submissions spread over M minutes, submit→graded p50/p99, lost = 0;
 *   (d) the same burst on the embedded gradebook (PGlite, grading inside the service).
 *   (c) memory per student: a course kernel after the autoencoder lecture's first training cell
 *       (bench/kernelMemory.ts, on the backend a kernel picks and on wasm); the idle JupyterLab
 *       server is measured by tests/class/spawn.class.ts (it prints it).
 *
 *   npm run bench -- --files class               the runner: throughput with 1 and 2 workers
 *   npx tsx bench/class.bench.ts [--submissions 500] [--minutes 5] [--throughput 12]
 *                                                 everything, with the table; build/bench/class.json
 *
 * Needs .venv-hub (npm run hub makes it) and Debian's postgresql. Not part of any timed test.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { startHub, TestHub } from "../tools/hub/fixtures/hubHarness";
import { PgCluster } from "../tools/hub/fixtures/pgCluster";
import { kernelAfterFirstTraining } from "./kernelMemory";
import type { BenchSuite } from "./types";

const ROOT = path.join(__dirname, "..");
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions/autoencoders.ipynb"), "utf8");
const notebook = (tag: string) => Buffer.from(SOLUTION.replace('"nbformat": 4', `"nbformat": 4, "x-bench": ${JSON.stringify(tag)}`));

function worker(id: string, url: string): ChildProcess {
  return spawn(process.execPath, [require.resolve("tsx/cli"), path.join(ROOT, "tools/grader-worker/main.ts"), "--id", id, "--concurrency", "1"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore", detached: true });
}
const stop = (c: ChildProcess) => {
  try {
    process.kill(-c.pid!, "SIGTERM");
  } catch {
    /* gone */
  }
};

async function setup(hub: TestHub, n: number, due = 86400e3): Promise<{ prof: string; tokens: string[] }> {
  const prof = await hub.userToken("prof", "instructors");
  const ids = Array.from({ length: n }, (_, i) => `s${i}`);
  const roster = await hub.course("POST", "api/instructor/roster", { token: prof, type: "text/csv", body: `id,name,email\n${ids.map((i) => `${i},${i},`).join("\n")}\n` });
  if (roster.status !== 200) throw new Error(`roster: ${roster.status}`);
  const now = Date.now();
  for (const id of ["t1", "t2", "burst"]) {
    await hub.course("POST", "api/instructor/assignments", { token: prof, type: "application/json", body: JSON.stringify({ id, exercise: "autoencoders", opensAt: new Date(now - 3600e3).toISOString(), dueAt: new Date(now + due).toISOString(), timeZone: "UTC", latePolicy: { kind: "none" }, resubmission: "last" }) });
  }
  const tokens: string[] = [];
  for (const id of ids) tokens.push((await hub.hubApi<{ token: string }>("POST", `/users/${id}/tokens`, { expires_in: 7200 })).data.token);
  return { prof, tokens };
}

async function submit(hub: TestHub, token: string, assignment: string, tag: string): Promise<{ id: string; at: number }> {
  for (;;) {
    const r = await hub.course("POST", `api/assignments/${assignment}/submissions`, { token, type: "application/x-ipynb+json", body: notebook(tag) }).catch(() => null);
    if (r && (r.status === 201 || r.status === 200)) return { id: (await r.json()).receipt.id, at: Date.now() };
    await r?.text();
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** Polls until every submission is graded; returns id → time graded (ms). */
async function gradedTimes(hub: TestHub, prof: string, assignment: string, ids: Set<string>, timeoutMs: number, superseded: Set<string> = new Set()): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const end = Date.now() + timeoutMs;
  while (seen.size < ids.size && Date.now() < end) {
    const book = await (await hub.course("GET", `api/instructor/gradebook?assignment=${assignment}`, { token: prof })).json();
    for (const row of book.rows) if (row.submission && ids.has(row.submission.id) && row.submission.status === "graded" && !seen.has(row.submission.id)) seen.set(row.submission.id, Date.now());
    // Under "last", a student's newer submission supersedes their queued older one: settled, never graded.
    for (const id of ids) if (!seen.has(id) && superseded.has(id)) seen.set(id, NaN);
    await new Promise((r) => setTimeout(r, 500));
  }
  return seen;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

export async function throughput(hub: TestHub, prof: string, tokens: string[], url: string, workers: number, assignment: string, n: number, round = 0): Promise<number> {
  const procs = Array.from({ length: workers }, (_, i) => worker(`bench-w${i}`, url));
  try {
    const t0 = Date.now();
    const subs = await Promise.all(tokens.slice(0, n).map((t, i) => submit(hub, t, assignment, `${assignment}-${round}-${i}`)));
    const done = await gradedTimes(hub, prof, assignment, new Set(subs.map((s) => s.id)), 30 * 60e3);
    return (done.size / ((Math.max(...done.values()) - t0) / 1000)) * 60;
  } finally {
    procs.forEach(stop);
  }
}

export async function burst(hub: TestHub, prof: string, tokens: string[], n: number, minutes: number): Promise<{ p50: number; p99: number; lost: number; submitP99Ms: number; drainedAfterLastSubmitS: number; loadavg: number[] }> {
  const gap = (minutes * 60e3) / n;
  const submitMs: number[] = [];
  const subs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise((r) => setTimeout(r, i * gap)).then(async () => {
        const t = Date.now();
        const s = await submit(hub, tokens[i % tokens.length], "burst", `burst-${i}`);
        submitMs.push(s.at - t);
        return s;
      }),
    ),
  );
  const unique = new Map(subs.map((s) => [s.id, s.at]));
  const done = await gradedTimes(hub, prof, "burst", new Set(unique.keys()), 60 * 60e3);
  const graded = [...done].filter(([, t]) => !Number.isNaN(t));
  const lat = graded.map(([id, t]) => (t - unique.get(id)!) / 1000);
  const lastSubmit = Math.max(...unique.values());
  const drained = (Math.max(...graded.map(([, t]) => t)) - lastSubmit) / 1000;
  // The load average says how busy the machine was: a burst on a shared machine is slower than on its own.
  return { p50: pct(lat, 50), p99: pct(lat, 99), lost: unique.size - done.size, submitP99Ms: pct(submitMs, 99), drainedAfterLastSubmitS: Math.round(drained), loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) };
}

/** `npm run bench -- --files class`: grading throughput with 1 and 2 workers (one run each is minutes). */
export const suite: BenchSuite = {
  title: "class: grading throughput through the HTTP API (submissions/min)",
  perBackend: false,
  cases: [1, 2].map((workers) => ({
    name: `${workers} grader-worker(s), PostgreSQL`,
    unit: "submissions/s",
    scale: 60,
    async setup() {
      const cluster = await PgCluster.start();
      const hub = await startHub({ databaseUrl: cluster.url, serviceArgs: ["--workers", "0"], env: { COURSE_RATE_PER_MINUTE: "100000" } });
      const { prof, tokens } = await setup(hub, 8);
      let round = 0;
      return {
        run: async () => {
          // New bytes each round: the same bytes again would be the earlier receipt, already graded.
          await throughput(hub, prof, tokens, cluster.url, workers, "t1", 8, ++round);
          return 8;
        },
        dispose: () => void hub.stop().then(() => cluster.stop()),
      };
    },
  })),
};

async function onPostgres(out: Record<string, unknown>, n: number, minutes: number, tn: number, students: number): Promise<void> {
  const cluster = await PgCluster.start();
  const hub = await startHub({ databaseUrl: cluster.url, serviceArgs: ["--workers", "0"], env: { COURSE_RATE_PER_MINUTE: "100000" } });
  try {
    const { prof, tokens } = await setup(hub, Math.max(students, tn));
    out.throughput1 = await throughput(hub, prof, tokens, cluster.url, 1, "t1", tn);
    console.log(`throughput, 1 worker: ${(out.throughput1 as number).toFixed(1)} submissions/min`);
    out.throughput2 = await throughput(hub, prof, tokens, cluster.url, 2, "t2", tn);
    console.log(`throughput, 2 workers: ${(out.throughput2 as number).toFixed(1)} submissions/min`);
    const procs = [worker("burst-w0", cluster.url), worker("burst-w1", cluster.url)];
    try {
      out.burstPostgres = await burst(hub, prof, tokens, n, minutes);
    } finally {
      procs.forEach(stop);
    }
    console.log(`burst on PostgreSQL, 2 workers: ${JSON.stringify(out.burstPostgres)}`);
  } finally {
    await hub.stop();
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { submissions: { type: "string", default: "500" }, minutes: { type: "string", default: "5" }, throughput: { type: "string", default: "12" }, "skip-pglite": { type: "boolean" }, "skip-postgres": { type: "boolean" } } });
  const n = Number(values.submissions);
  const minutes = Number(values.minutes);
  const tn = Number(values.throughput);
  const out: Record<string, unknown> = { cores: os.cpus().length, loadavg: os.loadavg(), submissions: n, minutes };
  const students = n; // one submission per student: none supersedes another
  out.kernelAfterTraining = [await kernelAfterFirstTraining(), await kernelAfterFirstTraining({ COURSE_BACKEND: "wasm" })];
  console.log(`course kernel after the autoencoder lecture's first training cell: ${JSON.stringify(out.kernelAfterTraining)}`);
  if (!values["skip-postgres"]) await onPostgres(out, n, minutes, tn, students);
  if (!values["skip-pglite"]) {
    const lite = await startHub({ serviceArgs: ["--workers", "2"], env: { COURSE_RATE_PER_MINUTE: "100000" } });
    try {
      const { prof, tokens } = await setup(lite, students);
      out.burstPglite = await burst(lite, prof, tokens, n, minutes);
      console.log(`burst on embedded PGlite, grading in the service (2 at a time): ${JSON.stringify(out.burstPglite)}`);
    } finally {
      await lite.stop();
    }
  }
  fs.mkdirSync(path.join(ROOT, "build/bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "build/bench/class.json"), JSON.stringify(out, null, 2) + "\n");
  console.log(capacityTable(out));
}

type Burst = Awaited<ReturnType<typeof burst>>;

/** The README's capacity table, from one run's figures (build/bench/class.json keeps them all). */
export function capacityTable(out: Record<string, unknown>): string {
  const rows: [string, string][] = [];
  const kernels = (out.kernelAfterTraining ?? []) as { backend: string; rssMB: number; cpuSeconds: number }[];
  for (const k of kernels) rows.push([`course kernel after the autoencoder lecture's first training cell (${k.backend})`, `${Math.round(k.rssMB)} MB resident, ${Math.round(k.cpuSeconds)} s CPU`]);
  if (out.throughput1 != null) rows.push(["grading throughput, 1 / 2 grader-workers, PostgreSQL", `${(out.throughput1 as number).toFixed(0)} / ${(out.throughput2 as number).toFixed(0)} submissions/min`]);
  const burstRow = (label: string, b: Burst | undefined) => {
    if (!b) return;
    rows.push([`deadline burst, ${out.submissions} submissions in ${out.minutes} min, ${label}`, `submit→graded p50 ${b.p50.toFixed(0)} s, p99 ${b.p99.toFixed(0)} s; ${b.lost} lost; submit p99 ${(b.submitP99Ms / 1000).toFixed(2)} s; queue empty ${b.drainedAfterLastSubmitS} s after the last submission (load ${b.loadavg[0]})`]);
  };
  burstRow("2 grader-workers, PostgreSQL", out.burstPostgres as Burst | undefined);
  burstRow("embedded gradebook (PGlite), grading in the service", out.burstPglite as Burst | undefined);
  const width = Math.max(...rows.map(([w]) => w.length));
  return [`capacity on ${out.cores} cores (load at start ${(out.loadavg as number[])[0].toFixed(1)})`, ...rows.map(([w, m]) => `  ${w.padEnd(width)}  ${m}`)].join("\n");
}

if (require.main === module) main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
