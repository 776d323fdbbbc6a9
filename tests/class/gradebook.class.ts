/**
 * The gradebook and its queue on both engines: migrations, submissions idempotent by hash,
 * superseding under "last", row-locked claims, leases that expire, bounded retries, and exactly
 * one result per submission. No grader here (queue.ts only): grading is in service.class.ts.
 */
import { strict as assert } from "assert";
import type { Database } from "../../tools/course-service/db";
import { openDatabase } from "../../tools/course-service/db";
import { migrate, MIGRATIONS } from "../../tools/course-service/migrations";
import { claim, complete, expireLeases, fail } from "../../tools/course-service/queue";
import { storeSubmission, submissionsOf } from "../../tools/course-service/submissions";
import { AUTOENCODERS_EXERCISE, autoencodersAssignment, forEachDatabase } from "./dbTargets";

const NOTEBOOK = AUTOENCODERS_EXERCISE;

const newAssignment = (db: Database, resubmission: "last" | "best" = "last") => autoencodersAssignment(db, { resubmission, maxPoints: 13 });

const variant = (n: number) => Buffer.from(NOTEBOOK.toString("utf8").replace('"nbformat": 4', `"nbformat": 4, "x": ${n}`));
const count = async (db: Database, sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

describe("gradebook and grading queue", function () {
  this.timeout(120_000);
  forEachDatabase((target) => {
    it("applies migrations once, and again finds nothing to do", async () => {
      const db = await target().open();
      assert.deepEqual(await migrate(db), []);
      assert.equal(await count(db, "SELECT count(*)::int AS n FROM schema_migrations"), MIGRATIONS.length);
    });

    it("stores a submission with the server's time; the same bytes again return the same receipt", async () => {
      const db = await target().open();
      const a = await newAssignment(db);
      const before = Date.now();
      const r1 = await storeSubmission(db, a, "alice", variant(1), a.dueAt);
      assert.ok(new Date(r1.submittedAt).getTime() >= before - 1000);
      const again = await storeSubmission(db, a, "alice", variant(1), a.dueAt);
      assert.equal(again.id, r1.id);
      assert.equal(again.duplicate, true);
      // Twice at once (a double click): one submission.
      const [x, y] = await Promise.all([storeSubmission(db, a, "bob", variant(2), a.dueAt), storeSubmission(db, a, "bob", variant(2), a.dueAt)]);
      assert.equal(x.id, y.id);
      assert.equal(await count(db, "SELECT count(*)::int AS n FROM submissions WHERE student_id = 'bob'"), 1);
      assert.equal(await count(db, "SELECT count(*)::int AS n FROM grading_jobs j JOIN submissions s ON s.id = j.submission_id WHERE s.student_id = 'bob'"), 1);
    });

    it("under 'last', a newer submission supersedes the queued older ones; first come first served", async () => {
      const db = await target().open();
      const a = await newAssignment(db, "last");
      const first = await storeSubmission(db, a, "carol", variant(1), a.dueAt);
      const dave = await storeSubmission(db, a, "dave", variant(9), a.dueAt);
      const second = await storeSubmission(db, a, "carol", variant(2), a.dueAt);
      const subs = (await submissionsOf(db, a, new Map(), "carol")).get("carol")!;
      assert.equal(subs.find((s) => s.id === first.id)!.status, "superseded");
      assert.equal(subs.find((s) => s.counts)!.id, second.id);
      const j1 = await claim(db, "w1", 30);
      const j2 = await claim(db, "w1", 30);
      assert.deepEqual([j1!.submission_id, j2!.submission_id], [dave.id, second.id]);
      assert.equal(await claim(db, "w1", 30), null);
    });

    it("two workers never claim the same job (row locks, SKIP LOCKED)", async () => {
      const db = await target().open();
      const a = await newAssignment(db);
      for (let i = 0; i < 12; i++) await storeSubmission(db, a, `s${i}`, variant(i), a.dueAt);
      // On PostgreSQL a second pool is a second client; on PGlite claims serialise in one process.
      const other = target().kind === "postgres" ? await openDatabase({ url: target().url!, dataDir: "" }) : db;
      try {
        const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => claim(i % 2 ? other : db, `w${i % 2}`, 30)));
        const ids = claims.filter((c) => c).map((c) => c!.id);
        assert.equal(ids.length, 12);
        assert.equal(new Set(ids).size, 12);
      } finally {
        if (other !== db) await other.close();
      }
    });

    it("an expired lease returns the job; a stale worker's result is dropped; exactly one result", async () => {
      const db = await target().open();
      const a = await newAssignment(db);
      const r = await storeSubmission(db, a, "erin", variant(1), a.dueAt);
      const dead = (await claim(db, "dead-worker", 1))!;
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(await expireLeases(db), 1);
      await db.query("UPDATE grading_jobs SET available_at = now()");
      const live = (await claim(db, "live-worker", 30))!;
      assert.equal(live.submission_id, r.id);
      assert.equal(live.attempts, 2);
      const result = { points: 5, max: 13, tests: [], items: [], problems: [], durationMs: 10 };
      assert.equal(await complete(db, dead, { ...result, points: 13 }), false, "the dead worker's lease is gone");
      assert.equal(await complete(db, live, result), true);
      assert.equal(await count(db, "SELECT count(*)::int AS n FROM results WHERE submission_id = $1", [r.id]), 1);
      assert.equal(await count(db, "SELECT points::int AS n FROM results WHERE submission_id = $1", [r.id]), 5);
    });

    it("retries are bounded: then 'needs-attention' with the reason", async () => {
      const db = await target().open();
      const a = await newAssignment(db);
      const r = await storeSubmission(db, a, "frank", variant(1), a.dueAt);
      for (let i = 1; i <= 3; i++) {
        await db.query("UPDATE grading_jobs SET available_at = now()");
        const j = (await claim(db, "w", 30))!;
        assert.equal(await fail(db, j, `grader failure: runner died (${i})`), i < 3 ? "queued" : "failed");
      }
      const s = (await db.query<{ status: string; reason: string }>("SELECT status, reason FROM submissions WHERE id = $1", [r.id])).rows[0];
      assert.equal(s.status, "needs-attention");
      assert.match(s.reason, /runner died \(3\); gave up after 3 attempt/);
      assert.equal(await claim(db, "w", 30), null);
    });
  });
});
