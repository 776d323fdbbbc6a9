/**
 * The course service through its real HTTP API behind a real JupyterHub, with real hub tokens of
 * two students and an instructor, on both gradebooks: the whole loop (roster, release, fetch,
 * check, submit, grade through the queue, extension, feedback, CSV) and every wall (another
 * student's data, instructor endpoints, hidden tests and solutions, forged requests, CSRF, size).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { BrowserSession } from "./browserSession";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";
import { PgCluster } from "../../tools/hub/fixtures/pgCluster";
import { manualMaxPoints, maxPoints } from "../helpers/points";
import { json } from "../helpers/responseJson";

const AE_POINTS = maxPoints("autoencoders");
const AE_TOTAL = AE_POINTS + manualMaxPoints("autoencoders");

const ROOT = path.join(__dirname, "../..");
const EXERCISE = fs.readFileSync(path.join(ROOT, "exercises/autoencoders.ipynb"));
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions/autoencoders.ipynb"));
const NB = "application/x-ipynb+json";

/** Lines of reference code (between BEGIN/END SOLUTION) that must never reach a student who did not write them. */
function solutionLines(): string[] {
  const text = JSON.parse(SOLUTION.toString("utf8")).cells.map((c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
  const out: string[] = [];
  for (const m of text.matchAll(/\/\/ BEGIN SOLUTION\n([\s\S]*?)\/\/ END SOLUTION/g)) out.push(...m[1].split("\n").map((l: string) => l.trim()).filter((l: string) => l.length >= 25));
  return out;
}
/** Test titles only the hidden specs have. */
function hiddenSpecText(): string[] {
  const text = fs.readFileSync(path.join(ROOT, "tests/autograder/hidden/autoencoders.grade.ts"), "utf8");
  return [...text.matchAll(/expect\w*\([^;]{30,}/g)].map((m) => m[0].slice(0, 60));
}

async function waitGraded(hub: TestHub, token: string, assignment: string, ms = 300_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const a = await json(await hub.course("GET", `api/assignments/${assignment}`, { token }));
    if (a.status === "graded" || a.status === "needs-attention") return a;
    if (Date.now() > until) throw new Error(`not graded in time: ${JSON.stringify(a)}\n${hub.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

for (const engine of ["pglite", "postgres"] as const) {
  describe(`course service through JupyterHub (${engine})`, function () {
    this.timeout(600_000);
    let hub: TestHub;
    let cluster: PgCluster | undefined;
    let prof: string, alice: string, bob: string;
    const seenByBob: string[] = [];
    const asBob = async (method: string, p: string, o: Parameters<TestHub["course"]>[2] = {}) => {
      const res = await hub.course(method, p, { ...o, token: bob });
      const text = await res.text();
      seenByBob.push(text);
      return { status: res.status, body: (() => { try { return JSON.parse(text); } catch { return { text }; } })() };
    };
    let aliceReceipt: any;

    before(async () => {
      if (engine === "postgres") cluster = await PgCluster.start();
      hub = await startHub({ databaseUrl: cluster?.url, env: { COURSE_MAX_NOTEBOOK_BYTES: String(4 * 1024 * 1024) } });
      prof = await hub.userToken("prof", "instructors");
      const roster = await json(await hub.course("POST", "api/instructor/roster", { token: prof, type: "text/csv", body: "id,name,email\nalice,Alice Liddell,alice@example.edu\nbob,Bob,bob@example.edu\ncarol,=cmd|' /C calc'!A0,carol@example.edu\n" }));
      assert.deepEqual(roster.added, ["alice", "bob", "carol"]);
      alice = await hub.userToken("alice");
      bob = await hub.userToken("bob");
    });
    after(async () => {
      await hub?.stop();
      await cluster?.stop();
    });

    it("the instructor releases assignments; students see them with due dates in their zone", async () => {
      const mk = (body: object) => hub.course("POST", "api/instructor/assignments", { token: prof, type: "application/json", body: JSON.stringify(body) });
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      let r = await mk({ id: "ae-1", exercise: "autoencoders", opensAt: iso(now - 3600e3), dueAt: iso(now + 86400e3), timeZone: "Europe/Berlin", latePolicy: { kind: "per-day", percentPerDay: 10, capPercent: 50, maxDaysLate: null }, resubmission: "last" });
      assert.equal(r.status, 201, await r.text());
      r = await mk({ id: "ae-late", exercise: "autoencoders", title: "Autoencoders (late)", opensAt: iso(now - 3 * 86400e3), dueAt: iso(now - 1.5 * 86400e3), timeZone: "Europe/Berlin", latePolicy: { kind: "per-day", percentPerDay: 10, capPercent: 50, maxDaysLate: null }, resubmission: "last" });
      assert.equal(r.status, 201);
      r = await mk({ id: "ae-later", exercise: "autoencoders", opensAt: iso(now + 86400e3), dueAt: iso(now + 2 * 86400e3), timeZone: "UTC", latePolicy: { kind: "none" }, resubmission: "best" });
      assert.equal(r.status, 201);
      assert.equal((await mk({ id: "ae-1", exercise: "autoencoders", opensAt: iso(now), dueAt: iso(now), timeZone: "UTC", latePolicy: { kind: "none" }, resubmission: "last" })).status, 409);
      const list = (await asBob("GET", "api/assignments")).body.assignments;
      assert.deepEqual(list.map((a: any) => a.id).sort(), ["ae-1", "ae-late", "ae-later"]);
      const ae1 = list.find((a: any) => a.id === "ae-1");
      assert.equal(ae1.status, "open");
      assert.match(ae1.dueLocal, /\(Europe\/Berlin, UTC\+01:00\)$/);
      assert.equal(list.find((a: any) => a.id === "ae-later").status, "not-open");
    });

    it("a student fetches the exercise as released: no solutions, no hidden tests", async () => {
      const r = await asBob("GET", "api/assignments/ae-1/notebook");
      assert.equal(r.status, 200);
      assert.equal(seenByBob.at(-1), EXERCISE.toString("utf8"));
      assert.equal((await asBob("GET", "api/assignments/ae-later/notebook")).body.error.code, "not_open");
    });

    it("check runs the public tests only and says what failed", async () => {
      const r = await asBob("POST", "api/assignments/ae-1/check", { type: NB, body: EXERCISE });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.points, 0);
      assert.ok(r.body.max > 0 && r.body.hiddenPoints > 0);
      assert.ok(r.body.tests.every((t: any) => !t.hidden));
      assert.match(r.body.tests[0].message, /not implemented yet/);
    });

    it("submit: the server's time and identity, a receipt with the SHA-256, idempotent by hash", async () => {
      const r = await hub.course("POST", "api/assignments/ae-1/submissions", { token: alice, type: NB, body: SOLUTION });
      assert.equal(r.status, 201);
      aliceReceipt = (await json(r)).receipt;
      assert.equal(aliceReceipt.user, "alice");
      assert.equal(aliceReceipt.sha256, require("crypto").createHash("sha256").update(SOLUTION).digest("hex"));
      assert.ok(Math.abs(Date.parse(aliceReceipt.submittedAt) - Date.now()) < 60_000);
      const again = await hub.course("POST", "api/assignments/ae-1/submissions", { token: alice, type: NB, body: SOLUTION });
      assert.equal(again.status, 200);
      assert.equal((await json(again)).receipt.id, aliceReceipt.id);
      const late = await asBob("POST", "api/assignments/ae-late/submissions", { type: NB, body: EXERCISE });
      assert.equal(late.status, 201);
      assert.equal(late.body.receipt.late, true);
      assert.equal(late.body.receipt.lateDays, 2);
      assert.equal(late.body.receipt.penaltyPercent, 20);
    });

    it("mangled notebooks are refused with the cell named and how to recover; nothing stored", async () => {
      const nb = JSON.parse(EXERCISE.toString("utf8"));
      nb.cells = nb.cells.filter((c: any) => c.metadata?.course?.grade_id !== "ae-vae-kl");
      const r = await asBob("POST", "api/assignments/ae-1/submissions", { type: NB, body: JSON.stringify(nb) });
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, "invalid_notebook");
      assert.match(r.body.error.message, /ae-vae-kl is missing/);
      assert.match(r.body.error.details.recover, /Fetch a fresh copy/);
      assert.equal((await asBob("GET", "api/assignments/ae-1/submissions")).body.submissions.length, 0);
    });

    it("grading runs through the queue; exactly one result per submission", async () => {
      const a = await waitGraded(hub, alice, "ae-1");
      assert.equal(a.status, "graded");
      assert.equal(a.score, null, "no score before feedback is released");
      const b = await waitGraded(hub, bob, "ae-late");
      assert.equal(b.status, "graded");
    });

    it("a student never reads another's submission, grade or feedback, nor instructor endpoints", async () => {
      assert.equal((await asBob("GET", `api/submissions/${aliceReceipt.id}`)).status, 404);
      const other = await asBob("GET", `feedback/ae-1?student=alice`);
      assert.equal(other.status, 400);
      assert.match(other.body.text, /who you are comes from your login/);
      for (const [m, p] of [
        ["GET", "api/instructor/gradebook?assignment=ae-1"],
        ["GET", "api/instructor/grades.csv"],
        ["GET", `api/instructor/submissions/${aliceReceipt.id}`],
        ["GET", `api/instructor/submissions/${aliceReceipt.id}/notebook`],
        ["GET", "api/instructor/roster"],
        ["GET", "instructor/"],
      ]) assert.equal((await asBob(m, p)).status, 403, `${m} ${p}`);
      const post = (p: string, body: object) => asBob("POST", p, { type: "application/json", body: JSON.stringify(body) });
      assert.equal((await post("api/instructor/assignments/ae-late/extensions", { student: "bob", dueAt: "2030-01-01T00:00" })).status, 403);
      assert.equal((await post("api/instructor/assignments/ae-1/release-feedback", { released: true })).status, 403);
      assert.equal((await post("api/instructor/assignments/ae-1/regrade", {})).status, 403);
      assert.equal((await post(`api/instructor/submissions/${aliceReceipt.id}/regrade`, {})).status, 403);
      const mine = (await asBob("GET", "api/assignments")).body.assignments.find((a: any) => a.id === "ae-1");
      assert.equal(mine.submission, null, "bob sees no submission of alice's as his");
    });

    it("identity in the request is refused; a hub token of no one is refused", async () => {
      const r = await asBob("POST", "api/assignments/ae-1/submissions?student=alice", { type: NB, body: EXERCISE });
      assert.equal(r.body.error.code, "identity_in_request");
      const forged = await hub.course("GET", "api/me", { token: "0123456789abcdef0123456789abcdef" });
      assert.equal(forged.status, 401);
      const noAuth = await hub.course("GET", "api/assignments", { headers: { "X-Forwarded-User": "alice" } });
      assert.equal(noAuth.status, 401);
    });

    it("one student submitting 11 times in a minute is slowed down (429 with Retry-After), others are not", async () => {
      const dan = await hub.userToken("dan", "students");
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await hub.course("POST", "api/assignments/ae-1/submissions", { token: dan, type: NB, body: Buffer.from(EXERCISE.toString("utf8").replace('"nbformat": 4', `"nbformat": 4, "x": ${i}`)) });
        statuses.push(r.status);
        if (r.status === 429) {
          assert.ok(Number(r.headers.get("retry-after")) > 0);
          assert.match((await json(r)).error.message, /at most 10 a minute/);
        } else await r.text();
      }
      assert.deepEqual(statuses, [...Array(10).fill(201), 429]);
      const subs = (await json(await hub.course("GET", "api/assignments/ae-1/submissions", { token: dan }))).submissions;
      assert.equal(subs.length, 10);
      assert.ok(subs.filter((s: any) => s.status === "superseded").length >= 5, "under 'last' the older queued ones are superseded");
      assert.equal((await asBob("GET", "api/assignments")).status, 200);
    });

    it("oversized uploads are refused and nothing is kept", async () => {
      // Its own connection (agent: false): the proxy drops a connection whose upload was refused midway.
      const big = Buffer.alloc(5 * 1024 * 1024, 32);
      const r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`${hub.url}/services/course/api/assignments/ae-1/submissions`, { method: "POST", agent: false, headers: { Authorization: `token ${bob}`, "Content-Type": NB, "Content-Length": big.length } }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        });
        req.on("error", reject);
        req.end(big);
      });
      assert.equal(r.status, 413);
      assert.match(JSON.parse(r.text).error.message, /larger than the limit/);
    });

    it("cookie sessions come from the hub's OAuth; changes need the CSRF token and this origin", async () => {
      const b = new BrowserSession(hub.url);
      await b.hubLogin("carol", "carol-password-1");
      const me = await b.follow("/services/course/login?next=/services/course/api/me");
      const body = await json(me);
      assert.equal(body.user, "carol");
      assert.ok(body.csrfToken);
      const submit = (headers: Record<string, string>) => b.request("POST", "/services/course/api/assignments/ae-1/submissions", { body: EXERCISE, headers: { "Content-Type": NB, ...headers } });
      let r = await submit({});
      assert.equal(r.status, 403);
      assert.equal((await json(r)).error.code, "csrf_failed");
      r = await submit({ "X-Course-CSRF": body.csrfToken, Origin: "http://evil.example" });
      assert.equal((await json(r)).error.code, "csrf_failed");
      r = await submit({ "X-Course-CSRF": "x".repeat(body.csrfToken.length) });
      assert.equal((await json(r)).error.code, "csrf_failed");
      r = await submit({ "X-Course-CSRF": body.csrfToken, Origin: hub.url });
      assert.equal(r.status, 201, await r.text());
      // An instructor page's form without its _csrf field is refused too.
      const form = await b.request("POST", "/services/course/instructor/assignments/ae-1/regrade", { body: "student=carol", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      assert.equal(form.status, 403);
    });

    it("an extension recomputes the penalty; released feedback shows each student their own score only", async () => {
      const ext = await json(await hub.course("POST", "api/instructor/assignments/ae-late/extensions", { token: prof, type: "application/json", body: JSON.stringify({ student: "bob", dueAt: new Date(Date.now() - 86400e3).toISOString() }) }));
      assert.equal(ext.recomputed[0].lateDays, 1);
      assert.equal(ext.recomputed[0].penaltyPercent, 10);
      for (const id of ["ae-1", "ae-late"]) {
        const r = await hub.course("POST", `api/instructor/assignments/${id}/release-feedback`, { token: prof, type: "application/json", body: '{"released": true}' });
        assert.equal(r.status, 200);
      }
      const a = (await json(await hub.course("GET", "api/assignments/ae-1", { token: alice }))).score;
      assert.deepEqual([a.points, a.max, a.final], [AE_POINTS, AE_POINTS, AE_POINTS]);
      const fb = await asBob("GET", "api/assignments/ae-late/feedback");
      assert.equal(fb.status, 200);
      assert.ok(fb.body.tests.some((t: any) => t.hidden && !t.passed));
      assert.ok(fb.body.tests.filter((t: any) => t.hidden).every((t: any) => t.message === null), "hidden tests carry no message");
      const page = await asBob("GET", "feedback/ae-late");
      assert.equal(page.status, 200);
      assert.match(page.body.text, /Feedback for bob/);
      assert.match(page.body.text, /1 day\(s\) late: −10 %/);
      assert.equal((await asBob("GET", "api/assignments/ae-1/feedback")).body.submission, null);
    });

    it("nothing a student received contains a solution or a hidden test", () => {
      const all = seenByBob.join("\n");
      for (const line of solutionLines()) assert.ok(!all.includes(line), `a solution line reached bob: ${line}`);
      for (const t of hiddenSpecText()) assert.ok(!all.includes(t), `hidden spec text reached bob: ${t}`);
    });

    it("the instructor's gradebook, re-grade and Canvas CSV agree with the grader", async () => {
      const book = await json(await hub.course("GET", "api/instructor/gradebook?assignment=ae-late", { token: prof }));
      const bobRow = book.rows.find((r: any) => r.student === "bob");
      assert.equal(bobRow.penaltyPercent, 10);
      const regrade = await json(await hub.course("POST", "api/instructor/assignments/ae-1/regrade", { token: prof, type: "application/json", body: "{}" }));
      assert.ok(regrade.queued >= 1);
      await waitGraded(hub, alice, "ae-1");
      const csv = await (await hub.course("GET", "api/instructor/grades.csv", { token: prof })).text();
      const lines = csv.trim().split("\r\n");
      assert.equal(lines[0], "Student,ID,SIS User ID,SIS Login ID,Section,Autoencoders (late) (ae-late),Autoencoders (ae-1),Autoencoders (ae-later)");
      // Points possible include the written answer (graded by hand); alice's answer awaits it, so her cell stays empty (manual.class.ts scores one).
      assert.equal(lines[1], `Points Possible,,,,,${AE_TOTAL},${AE_TOTAL},${AE_TOTAL}`);
      assert.ok(lines.includes(`Alice Liddell,,alice,alice@example.edu,,,,`), csv);
      assert.ok(lines.includes("Bob,,bob,bob@example.edu,,0,,"), csv);
      assert.ok(lines.includes("'=cmd|' /C calc'!A0,,carol,carol@example.edu,,,0,"), "formula defused: " + csv);
      const page = await (await hub.course("GET", "instructor/", { token: prof })).text();
      assert.match(page, /Gradebook/);
      assert.ok(!page.includes("=cmd|' /C calc'") || page.includes("=cmd|&#39; /C calc&#39;"), "escaped");
    });
  });
}
