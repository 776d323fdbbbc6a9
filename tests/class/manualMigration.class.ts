/**
 * Migration 2 (written answers graded by hand) on a gradebook that already holds data, on both
 * engines: a result graded under schema 1 has no stored answers, so they are read from the stored
 * notebook; it can be scored, and its total and history follow.
 */
import { strict as assert } from "assert";
import { manualSummaries, setManualScore } from "../../tools/course-service/manualGrading";
import { migrate, MIGRATIONS } from "../../tools/course-service/migrations";
import { claim } from "../../tools/course-service/queue";
import { storeSubmission, submissionsOf } from "../../tools/course-service/submissions";
import { withAnswer } from "../helpers/writtenAnswer";
import { AUTOENCODERS_EXERCISE, autoencodersAssignment, forEachDatabase } from "./dbTargets";

const EXERCISE = AUTOENCODERS_EXERCISE;
const ANSWER = "Copying the input is no longer a solution: the target is the clean image.";

describe("migration 2: written answers on a gradebook with data", function () {
  this.timeout(120_000);
  forEachDatabase((target) => {
    it("upgrades a schema-1 gradebook; old results' answers come from their notebooks and can be scored", async () => {
      const db = await target().open(MIGRATIONS.filter((m) => m.version === 1));
      const a = await autoencodersAssignment(db, { maxPoints: 16 });
      const answered = await storeSubmission(db, a, "alice", withAnswer(EXERCISE, ANSWER), a.dueAt);
      const blank = await storeSubmission(db, a, "bob", EXERCISE, a.dueAt);
      // Graded as the version-1 service did: a result row without the written answers.
      for (let i = 0; i < 2; i++) {
        const job = (await claim(db, "old-worker", 60))!;
        await db.query(
          `INSERT INTO results (submission_id, points, max_points, tests, items, problems, graded_at, duration_ms, worker, job_id) VALUES ($1, 7, 16, '[]', '[]', '[]', now(), 1, 'old-worker', $2)`,
          [job.submission_id, job.id],
        );
        await db.query("UPDATE submissions SET status = 'graded' WHERE id = $1", [job.submission_id]);
        await db.query("UPDATE grading_jobs SET state = 'done' WHERE id = $1", [job.id]);
      }

      assert.deepEqual(await migrate(db), [2], "only the new migration runs");
      assert.deepEqual(await migrate(db), [], "and only once");
      assert.equal((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM results WHERE manual IS NULL")).rows[0].n, 2, "old results keep no answers");

      const before = await manualSummaries(db, a, { withText: true });
      assert.equal(before.get(answered.id)!.answers[0].answer, ANSWER, "read from the stored notebook");
      assert.deepEqual(before.get(answered.id)!.awaiting, ["ae-why-denoising"]);
      assert.equal(before.get(blank.id)!.answers[0].status, "no answer");

      const scored = await setManualScore(db, "prof", { submissionId: answered.id, manualId: "ae-why-denoising", points: 1.5, comment: "ok" });
      assert.equal(scored.gradedBy, "prof");
      const alice = (await submissionsOf(db, a, new Map(), "alice")).get("alice")![0];
      assert.deepEqual([alice.points, alice.manualPoints, alice.total, alice.totalMax, alice.final, alice.awaiting], [7, 1.5, 8.5, 18, 8.5, []]);
      assert.equal((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM manual_score_changes")).rows[0].n, 1);
    });
  });
});
