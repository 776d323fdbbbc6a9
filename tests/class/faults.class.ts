/**
 * Faults, each survived, against a real PostgreSQL server with two `npm run grader-worker`
 * processes and the course service behind a real JupyterHub (the service grades nothing itself):
 * a browser submitting twice at once, a worker killed mid-grade, PostgreSQL restarted under load,
 * the service killed during a burst (clients retry), and the database's disk full.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Database, openDatabase } from "../../tools/course-service/db";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";
import { PgCluster } from "../../tools/hub/fixtures/pgCluster";

const ROOT = path.join(__dirname, "../..");
const EXERCISE = fs.readFileSync(path.join(ROOT, "exercises/autoencoders.ipynb"), "utf8");
const NB = "application/x-ipynb+json";
const isRoot = process.getuid?.() === 0;

/** A distinct, valid notebook per (student, n): the exercise with a marker in its metadata. */
const notebook = (tag: string) => Buffer.from(EXERCISE.replace('"nbformat": 4', `"nbformat": 4, "x-test": ${JSON.stringify(tag)}`));

function startWorker(id: string, url: string): ChildProcess {
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(ROOT, "tools/grader-worker/main.ts"), "--id", id, "--concurrency", "1", "--lease-seconds", "4"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  child.stderr!.on("data", (c) => process.env.COURSE_TEST_VERBOSE && process.stderr.write(c));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* gone */
  }
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Submits like a browser that retries until it gets an answer (network errors, 502/503). */
async function submitWithRetry(hub: TestHub, token: string, body: Buffer, ms = 120_000): Promise<{ status: number; receipt: any; tries: number }> {
  const end = Date.now() + ms;
  for (let tries = 1; ; tries++) {
    try {
      const r = await hub.course("POST", "api/assignments/ae-1/submissions", { token, type: NB, body });
      if (r.status === 200 || r.status === 201) return { status: r.status, receipt: (await r.json()).receipt, tries };
      await r.text();
      if (![502, 503, 504].includes(r.status)) throw new Error(`submit answered ${r.status}`);
    } catch (err) {
      if (!/fetch failed|ECONN|socket/i.test(String((err as Error).message) + String((err as { cause?: Error }).cause?.message))) throw err;
    }
    if (Date.now() > end) throw new Error("submit kept failing");
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("faults survived (PostgreSQL, two grading workers)", function () {
  this.timeout(900_000);
  let cluster: PgCluster;
  let hub: TestHub;
  let db: Database;
  let prof: string;
  const workers = new Map<string, ChildProcess>();
  const tokens = new Map<string, string>();
  const student = async (name: string) => {
    if (!tokens.has(name)) tokens.set(name, await hub.userToken(name, "students"));
    return tokens.get(name)!;
  };
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

  before(async () => {
    cluster = await PgCluster.start(isRoot ? { tmpfsMb: 160 } : {});
    hub = await startHub({ databaseUrl: cluster.url, serviceArgs: ["--workers", "0"], env: { COURSE_RATE_PER_MINUTE: "1000", COURSE_MAX_NOTEBOOK_BYTES: String(8 * 1024 * 1024) } });
    db = await openDatabase({ url: cluster.url, dataDir: "" });
    prof = await hub.userToken("prof", "instructors");
    const now = Date.now();
    const r = await hub.course("POST", "api/instructor/assignments", { token: prof, type: "application/json", body: JSON.stringify({ id: "ae-1", exercise: "autoencoders", opensAt: new Date(now - 3600e3).toISOString(), dueAt: new Date(now + 86400e3).toISOString(), timeZone: "UTC", latePolicy: { kind: "none" }, resubmission: "last" }) });
    assert.equal(r.status, 201);
    for (const id of ["w1", "w2"]) workers.set(id, startWorker(id, cluster.url));
  });
  after(async () => {
    for (const w of workers.values()) killGroup(w, "SIGKILL");
    await db?.close();
    await hub?.stop();
    await cluster?.stop();
  });

  it("a browser submitting twice at once makes one submission", async () => {
    const token = await student("twice");
    const body = notebook("twice");
    const [a, b] = await Promise.all([0, 1].map(() => hub.course("POST", "api/assignments/ae-1/submissions", { token, type: NB, body })));
    assert.deepEqual([a.status, b.status].sort(), [200, 201]);
    const [ra, rb] = [(await a.json()).receipt, (await b.json()).receipt];
    assert.equal(ra.id, rb.id);
    assert.equal(await count("SELECT count(*)::int AS n FROM submissions WHERE student_id = 'twice'"), 1);
  });

  it("a worker killed mid-grade: its lease expires, the other grades it, one result", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await submitWithRetry(hub, await student(`kill${i}`), notebook(`kill${i}`))).receipt.id);
    // One of these four: an earlier test's job may still be in the queue (grading takes seconds now that the exercises train).
    const victim = await until("w1 to hold one of them", async () => (await db.query<{ submission_id: string }>("SELECT submission_id FROM grading_jobs WHERE state = 'running' AND lease_owner = 'w1' AND submission_id = ANY($1::uuid[])", [ids])).rows[0]?.submission_id, 120_000);
    killGroup(workers.get("w1")!, "SIGKILL");
    await until("every submission graded", async () => (await count("SELECT count(*)::int AS n FROM results WHERE submission_id = ANY($1::uuid[])", [ids])) === ids.length, 180_000);
    const jobs = (await db.query<{ attempts: number; state: string }>("SELECT attempts, state FROM grading_jobs WHERE submission_id = $1", [victim])).rows;
    assert.deepEqual(jobs.map((j) => j.state), ["done"]);
    assert.equal(jobs[0].attempts, 2, "graded once more after the kill");
    assert.equal(await count("SELECT count(*)::int AS n FROM results WHERE submission_id = ANY($1::uuid[])", [ids]), 4);
    workers.set("w1", startWorker("w1", cluster.url));
  });

  it("PostgreSQL restarted under load: the service answers 503 meanwhile, then everyone reconnects", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await submitWithRetry(hub, await student(`pg${i}`), notebook(`pg${i}`))).receipt.id);
    await db.close();
    cluster.stopServer("fast");
    const during = await hub.course("POST", "api/assignments/ae-1/submissions", { token: await student("pgdown"), type: NB, body: notebook("pgdown") });
    assert.equal(during.status, 503);
    assert.equal((await during.json()).error.code, "unavailable");
    await new Promise((r) => setTimeout(r, 2000));
    cluster.startServer();
    db = await openDatabase({ url: cluster.url, dataDir: "" });
    const retried = await submitWithRetry(hub, await student("pgdown"), notebook("pgdown"));
    ids.push(retried.receipt.id);
    await until("every submission graded after the restart", async () => (await count("SELECT count(*)::int AS n FROM results WHERE submission_id = ANY($1::uuid[])", [ids])) === ids.length, 240_000);
  });

  it("the service killed during a burst: clients retry, nothing lost or duplicated", async () => {
    const names = Array.from({ length: 16 }, (_, i) => `burst${i}`);
    for (const n of names) await student(n);
    const pid = hub.servicePid();
    const burst = Promise.all(names.map((n, i) => new Promise((r) => setTimeout(r, i * 150)).then(() => submitWithRetry(hub, tokens.get(n)!, notebook(n), 180_000))));
    await new Promise((r) => setTimeout(r, 700));
    process.kill(pid, "SIGKILL"); // the hub restarts its managed service
    const results = await burst;
    assert.ok(results.some((r) => r.tries > 1), "some clients had to retry");
    await until("the service back", async () => hub.servicePid() !== pid, 60_000);
    for (const n of names) {
      const rows = (await db.query<{ sha256: string }>("SELECT sha256 FROM submissions WHERE student_id = $1", [n])).rows;
      assert.equal(rows.length, 1, `${n} has exactly one submission`);
      assert.equal(rows[0].sha256, crypto.createHash("sha256").update(notebook(n)).digest("hex"));
    }
    const ids = results.map((r) => r.receipt.id);
    await until("the burst graded", async () => (await count("SELECT count(*)::int AS n FROM results WHERE submission_id = ANY($1::uuid[])", [ids])) === ids.length, 300_000);
  });

  (isRoot ? it : it.skip)("the database's disk full: submit says so, nothing half-written, fine again after", async () => {
    const token = await student("full");
    const filler = path.join(cluster.data, "filler");
    const chunk = Buffer.alloc(1024 * 1024);
    const fd = fs.openSync(filler, "w");
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, "ENOSPC");
    } finally {
      fs.closeSync(fd);
    }
    const before = await count("SELECT count(*)::int AS n FROM submissions").catch(() => -1);
    const big = Buffer.from(EXERCISE.replace('"nbformat": 4', `"nbformat": 4, "x-pad": "${crypto.randomBytes(3 * 1024 * 1024).toString("base64")}"`));
    const r = await hub.course("POST", "api/assignments/ae-1/submissions", { token, type: NB, body: big });
    const body = await r.json();
    fs.rmSync(filler);
    assert.equal(r.status, 507, JSON.stringify(body));
    assert.equal(body.error.code, "storage_full");
    assert.match(body.error.message, /storage is full, so nothing was stored/);
    await until("the database back", async () => (await count("SELECT count(*)::int AS n FROM submissions").catch(() => -1)) >= 0, 60_000);
    if (before >= 0) assert.equal(await count("SELECT count(*)::int AS n FROM submissions"), before, "nothing half-written");
    assert.equal(await count("SELECT count(*)::int AS n FROM submissions WHERE student_id = 'full'"), 0);
    const ok = await submitWithRetry(hub, token, notebook("full"));
    assert.equal(ok.status, 201);
  });
});
