/**
 * Written answers graded by hand, through the real HTTP API behind a real JupyterHub with real hub
 * tokens, on both gradebooks: the grader's answers are stored with the result, staff list and
 * score them (instructor and TA; a student never), the score's grader and time are the server's,
 * bad scores are refused with a message, totals / Canvas CSV / the student's score and feedback
 * include the score and say "awaiting hand grading" until then, the page escapes answers and its
 * form saves, and a re-submission under "last" brings a new, ungraded answer.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";
import { PgCluster } from "../../tools/hub/fixtures/pgCluster";
import { manualMaxPoints, maxPoints } from "../helpers/points";
import { withAnswer } from "../helpers/writtenAnswer";
import { json } from "../helpers/responseJson";

const AE_POINTS = maxPoints("autoencoders");
const TOTAL = AE_POINTS + manualMaxPoints("autoencoders"); // ae-why-denoising: 2 points by hand
const ROOT = path.join(__dirname, "../..");
const EXERCISE = fs.readFileSync(path.join(ROOT, "exercises/autoencoders.ipynb"));
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions/autoencoders.ipynb"));
const NB = "application/x-ipynb+json";
const JSON_TYPE = "application/json";
const Q = "ae-why-denoising";
const FIRST = "Denoising <script>alert('x')</script> & copying: the target is the clean input, so the identity is penalised.";
const SECOND = "Second try: the corrupted input forces the code to capture dependencies between pixels.";

async function waitGraded(hub: TestHub, token: string, assignment: string, submissionId: string, ms = 300_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const a = await json(await hub.course("GET", `api/assignments/${assignment}`, { token }));
    if (a.submission?.id === submissionId && (a.status === "graded" || a.status === "needs-attention")) {
      assert.equal(a.status, "graded", JSON.stringify(a));
      return;
    }
    if (Date.now() > until) throw new Error(`not graded in time: ${JSON.stringify(a)}\n${hub.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

for (const engine of ["pglite", "postgres"] as const) {
  describe(`written answers graded by hand, through JupyterHub (${engine})`, function () {
    this.timeout(600_000);
    let hub: TestHub;
    let cluster: PgCluster | undefined;
    let prof: string, tess: string, alice: string, bob: string;
    let aliceFirst: string, bobSub: string;
    const api = (token: string, method: string, p: string, body?: unknown) =>
      hub.course(method, p, { token, ...(body !== undefined ? { type: JSON_TYPE, body: JSON.stringify(body) } : {}) });
    const score = (token: string, submission: string, body: unknown, question = Q) => api(token, "PUT", `api/instructor/submissions/${submission}/manual/${question}`, body);
    const answers = async () => (await json(await api(prof, "GET", "api/instructor/assignments/ae-1/manual"))).questions;
    const row = async (student: string) => (await json(await api(prof, "GET", "api/instructor/gradebook?assignment=ae-1"))).rows.find((r: any) => r.student === student);
    const csvLine = async (student: string) => {
      const lines = (await (await api(prof, "GET", "api/instructor/grades.csv?assignment=ae-1")).text()).trim().split("\r\n");
      return { possible: lines[1], line: lines.find((l) => l.split(",")[2] === student)! };
    };

    before(async () => {
      if (engine === "postgres") cluster = await PgCluster.start();
      hub = await startHub({ databaseUrl: cluster?.url });
      prof = await hub.userToken("prof", "instructors");
      tess = await hub.userToken("tess", "tas");
      const roster = await json(await hub.course("POST", "api/instructor/roster", { token: prof, type: "text/csv", body: "id,name,email\nalice,Alice Liddell,alice@example.edu\nbob,Bob,bob@example.edu\n" }));
      assert.deepEqual(roster.added, ["alice", "bob"]);
      alice = await hub.userToken("alice");
      bob = await hub.userToken("bob");
      const now = Date.now();
      const r = await api(prof, "POST", "api/instructor/assignments", { id: "ae-1", exercise: "autoencoders", opensAt: new Date(now - 3600e3).toISOString(), dueAt: new Date(now + 86400e3).toISOString(), timeZone: "Europe/Berlin", latePolicy: { kind: "per-day", percentPerDay: 10, capPercent: 50, maxDaysLate: null }, resubmission: "last" });
      assert.equal(r.status, 201, await r.text());
    });
    after(async () => {
      await hub?.stop();
      await cluster?.stop();
    });

    it("the grader's answers are stored with the result; staff list them per question and student", async () => {
      aliceFirst = (await json(await hub.course("POST", "api/assignments/ae-1/submissions", { token: alice, type: NB, body: withAnswer(SOLUTION, FIRST) }))).receipt.id;
      bobSub = (await json(await hub.course("POST", "api/assignments/ae-1/submissions", { token: bob, type: NB, body: EXERCISE }))).receipt.id;
      // Right after submitting, grading has not finished: nothing to score yet.
      const early = await score(prof, aliceFirst, { points: 1 });
      assert.equal(early.status, 409);
      assert.match((await json(early)).error.message, /is not graded yet \(status (queued|grading)\)/);
      await waitGraded(hub, alice, "ae-1", aliceFirst);
      await waitGraded(hub, bob, "ae-1", bobSub);

      const [q] = await answers();
      assert.deepEqual([q.manualId, q.max], [Q, 2]);
      assert.match(q.modelAnswer, /plain autoencoder/, "staff see the model answer");
      const a = q.answers.find((x: any) => x.student === "alice");
      assert.deepEqual([a.submission.id, a.answer, a.status, a.points, a.gradedBy], [aliceFirst, FIRST, "awaiting hand grading", null, null]);
      const b = q.answers.find((x: any) => x.student === "bob");
      assert.deepEqual([b.answer, b.status, b.points], [null, "no answer", 0], "an answer left as released counts 0, with nothing to read");

      const aliceRow = await row("alice");
      assert.deepEqual([aliceRow.points, aliceRow.manualPoints, aliceRow.awaitingHandGrading, aliceRow.final, aliceRow.totalMax], [AE_POINTS, 0, [Q], AE_POINTS, TOTAL]);
      const csv = await csvLine("alice");
      assert.equal(csv.possible, `Points Possible,,,,,${TOTAL}`);
      assert.equal(csv.line, "Alice Liddell,,alice,alice@example.edu,,", "awaiting hand grading: no grade exported yet");
      assert.equal((await csvLine("bob")).line, "Bob,,bob,bob@example.edu,,0");
    });

    it("a student can neither list nor score (403); a forged grader or time, a score out of range, an unknown question are refused", async () => {
      assert.equal((await api(alice, "GET", "api/instructor/assignments/ae-1/manual")).status, 403);
      assert.equal((await score(alice, aliceFirst, { points: 2 })).status, 403);
      assert.equal((await api(alice, "GET", "instructor/assignments/ae-1/manual")).status, 403);

      const forged = await score(prof, aliceFirst, { points: 2, gradedBy: "mallory", gradedAt: "2001-01-01T00:00:00Z" });
      assert.equal(forged.status, 400);
      const fe = (await json(forged)).error;
      assert.equal(fe.code, "identity_in_request");
      assert.match(fe.message, /"gradedBy", "gradedAt": who scored and when come from your login and the server's clock/);
      for (const [points, shown] of [[3, "3"], [-0.5, "-0.5"], ["2", '"2"']] as const) {
        const r = await score(prof, aliceFirst, { points });
        assert.equal(r.status, 400, `points ${shown}`);
        assert.equal((await json(r)).error.message, `points must be a number from 0 to 2 for "Why denoising beats copying" (${Q}); got ${shown}`);
      }
      const unknown = await score(prof, aliceFirst, { points: 1 }, "ae-why-nothing");
      assert.equal(unknown.status, 404);
      assert.match((await json(unknown)).error.message, /has no written question "ae-why-nothing"; its questions are "ae-why-denoising" \(Why denoising beats copying, 2 points\)/);
      assert.equal((await score(prof, "00000000-0000-4000-8000-000000000000", { points: 1 })).status, 404);
      const a = (await answers())[0].answers.find((x: any) => x.student === "alice");
      assert.deepEqual([a.status, a.history.length], ["awaiting hand grading", 0], "nothing was stored");
    });

    it("the instructor scores an answer: the gradebook, the CSV and the student's score and feedback include it", async () => {
      const before = Date.now();
      const r = await score(prof, aliceFirst, { points: 1.5, comment: "Right idea; say why the identity fails." });
      assert.equal(r.status, 200);
      const s = await json(r);
      assert.deepEqual([s.points, s.max, s.gradedBy, s.previousPoints], [1.5, 2, "prof", null]);
      assert.ok(Math.abs(Date.parse(s.gradedAt) - before) < 60_000, "the server's time");

      const aliceRow = await row("alice");
      assert.deepEqual([aliceRow.manualPoints, aliceRow.total, aliceRow.final, aliceRow.awaitingHandGrading], [1.5, AE_POINTS + 1.5, AE_POINTS + 1.5, []]);
      assert.equal((await csvLine("alice")).line, `Alice Liddell,,alice,alice@example.edu,,${AE_POINTS + 1.5}`);

      assert.equal((await api(prof, "POST", "api/instructor/assignments/ae-1/release-feedback", { released: true })).status, 200);
      const mine = (await json(await api(alice, "GET", "api/assignments/ae-1"))).score;
      assert.deepEqual([mine.points, mine.manualPoints, mine.final, mine.totalMax, mine.awaitingHandGrading], [AE_POINTS, 1.5, AE_POINTS + 1.5, TOTAL, []]);
      const fb = await json(await api(alice, "GET", "api/assignments/ae-1/feedback"));
      assert.deepEqual(fb.manual.map((m: any) => [m.manualId, m.points, m.max, m.status, m.comment]), [[Q, 1.5, 2, "scored", "Right idea; say why the identity fails."]]);
      assert.ok(!("gradedBy" in fb.manual[0]), "students do not see which staff member scored");
      const page = await (await api(alice, "GET", "feedback/ae-1")).text();
      assert.ok(page.includes(`Total: ${AE_POINTS + 1.5} / ${TOTAL} points (tests ${AE_POINTS} / ${AE_POINTS}, written answers 1.5 / 2)`), page);
      assert.match(page, /graded by hand<\/small><div class="msg">Right idea; say why the identity fails\.<\/div><\/td><td class="pts">1\.5 \/ 2/);
    });

    it("a TA may change the score; the history keeps who changed what when", async () => {
      const r = await score(tess, aliceFirst, { points: 2 });
      assert.equal(r.status, 200);
      assert.deepEqual(((await json(r)) as any).gradedBy, "tess");
      const a = (await answers())[0].answers.find((x: any) => x.student === "alice");
      assert.deepEqual([a.points, a.gradedBy, a.comment], [2, "tess", ""]);
      assert.deepEqual(a.history.map((h: any) => [h.changedBy, h.points, h.previousPoints]), [["prof", 1.5, null], ["tess", 2, 1.5]]);
      assert.ok(Date.parse(a.history[1].changedAt) >= Date.parse(a.history[0].changedAt));
      assert.equal((await json(await api(alice, "GET", "api/assignments/ae-1"))).score.final, TOTAL);
    });

    it("the page shows each answer escaped with a labelled score field, and its form saves", async () => {
      const page = await (await api(prof, "GET", "instructor/assignments/ae-1/manual")).text();
      assert.ok(page.includes("Denoising &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; copying"), "the answer is escaped");
      assert.ok(!page.includes("<script>alert"), "never rendered as HTML");
      assert.match(page, /Why denoising beats copying <code>ae-why-denoising<\/code>: 2 point\(s\)/);
      assert.match(page, /<label for="p-ae-why-denoising--bob">Points \(0–2\)<\/label> <input id="p-ae-why-denoising--bob" type="number" name="points" min="0" max="2"/);
      assert.match(page, /<label for="c-ae-why-denoising--bob">Comment<\/label>/);
      const form = (fields: Record<string, string>) => hub.course("POST", "instructor/assignments/ae-1/manual", { token: prof, type: "application/x-www-form-urlencoded", body: new URLSearchParams(fields).toString() });
      const saved = await form({ submission: bobSub, manualId: Q, points: "0.5", comment: "<b>see me</b>" });
      assert.equal(saved.status, 303);
      assert.match(saved.headers.get("location")!, /\/services\/course\/instructor\/assignments\/ae-1\/manual#ae-why-denoising--bob$/);
      const refused = await form({ submission: bobSub, manualId: Q, points: "5" });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /points must be a number from 0 to 2/);
      const after = await (await api(prof, "GET", "instructor/assignments/ae-1/manual")).text();
      assert.ok(after.includes("&lt;b&gt;see me&lt;/b&gt;") && !after.includes("<b>see me"), "comments are escaped too");
      assert.match(after, /Scored 0\.5 by prof at/);
      assert.equal((await row("bob")).manualPoints, 0.5);
    });

    it("a re-submission under 'last' brings the new answer, ungraded; the old one can no longer be scored", async () => {
      const second = (await json(await hub.course("POST", "api/assignments/ae-1/submissions", { token: alice, type: NB, body: withAnswer(SOLUTION, SECOND) }))).receipt.id;
      await waitGraded(hub, alice, "ae-1", second);
      const a = (await answers())[0].answers.find((x: any) => x.student === "alice");
      assert.deepEqual([a.submission.id, a.answer, a.status, a.points, a.history.length], [second, SECOND, "awaiting hand grading", null, 0]);
      assert.deepEqual((await row("alice")).awaitingHandGrading, [Q]);
      assert.equal((await csvLine("alice")).line, "Alice Liddell,,alice,alice@example.edu,,");
      const mine = (await json(await api(alice, "GET", "api/assignments/ae-1"))).score;
      assert.deepEqual([mine.final, mine.totalMax, mine.awaitingHandGrading], [AE_POINTS, TOTAL, [Q]]);
      assert.match(await (await api(alice, "GET", "feedback/ae-1")).text(), /awaiting hand grading: Why denoising beats copying \(2 points\), not in the total yet/);
      const old = await score(prof, aliceFirst, { points: 2 });
      assert.equal(old.status, 409);
      assert.match((await json(old)).error.message, new RegExp(`submission ${aliceFirst} of alice does not count for Autoencoders \\(the latest submission counts: ${second}\\)`));
    });
  });
}
