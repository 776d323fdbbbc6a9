/**
 * The grading queue, in the gradebook's own tables: any number of workers on any machines claim
 * jobs with row locks (FOR UPDATE SKIP LOCKED), hold them under a lease they renew while grading,
 * and write the result only while they still hold the lease, so a worker that was killed, or
 * that lost its lease, can never write a second result.
 *
 *   queued ─claim─► running ─complete─► done               (result upserted, submission graded)
 *                      │ ─retry──► queued                   (grader failure, attempts left)
 *                      │ ─lease expires─► queued | failed   (worker gone)
 *                      └ ─give up─► failed                  (submission "needs-attention", with the reason)
 *   queued ─newer submission under "last"─► superseded
 */
import type { Database, Queryable } from "./db";

export interface Job {
  id: number;
  submission_id: string;
  attempts: number;
  max_attempts: number;
  lease_owner: string;
}

export interface ClaimedJob extends Job {
  assignment_id: string;
  student_id: string;
  submitted_at: Date;
  exercise: string;
  notebook: Buffer;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/** Queues grading of a submission (no-op when it already has an open job). */
export async function enqueue(tx: Queryable, submissionId: string, enqueuedAt: Date, maxAttempts = DEFAULT_MAX_ATTEMPTS): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO grading_jobs (submission_id, state, enqueued_at, max_attempts) VALUES ($1, 'queued', $2, $3)
     ON CONFLICT (submission_id) WHERE state IN ('queued', 'running') DO NOTHING RETURNING id`,
    [submissionId, enqueuedAt, maxAttempts],
  );
  if (r.rows.length) await tx.query(`UPDATE submissions SET status = 'queued', reason = NULL WHERE id = $1 AND status <> 'grading'`, [submissionId]);
  return r.rows.length > 0;
}

/** Under "last": the student's older submissions still waiting are not graded at all. */
export async function supersedeQueued(tx: Queryable, assignmentId: string, studentId: string, keepSubmissionId: string): Promise<number> {
  const r = await tx.query<{ submission_id: string }>(
    `UPDATE grading_jobs j SET state = 'superseded', finished_at = now()
       FROM submissions s
      WHERE j.submission_id = s.id AND j.state = 'queued' AND s.assignment_id = $1 AND s.student_id = $2 AND s.id <> $3
      RETURNING j.submission_id`,
    [assignmentId, studentId, keepSubmissionId],
  );
  for (const row of r.rows) await tx.query(`UPDATE submissions SET status = 'superseded' WHERE id = $1`, [row.submission_id]);
  return r.rows.length;
}

/** Leases that ran out (a worker killed or cut off): back to the queue, or set aside after the last attempt. */
export async function expireLeases(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const r = await tx.query<{ id: number; submission_id: string; attempts: number; max_attempts: number; lease_owner: string }>(
      `SELECT id, submission_id, attempts, max_attempts, lease_owner FROM grading_jobs
        WHERE state = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED`,
    );
    for (const j of r.rows) {
      const reason = `the grading worker ${j.lease_owner} stopped while grading (its lease expired) on attempt ${j.attempts} of ${j.max_attempts}`;
      await settleFailure(tx, j, reason);
    }
    return r.rows.length;
  });
}

async function settleFailure(tx: Queryable, j: { id: number; submission_id: string; attempts: number; max_attempts: number }, reason: string): Promise<"queued" | "failed"> {
  if (j.attempts < j.max_attempts) {
    // Back off a little so a crash loop does not spin; other submissions go first meanwhile.
    await tx.query(
      `UPDATE grading_jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, last_error = $2,
              available_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [j.id, reason, Math.min(30, 2 ** j.attempts)],
    );
    await tx.query(`UPDATE submissions SET status = 'queued' WHERE id = $1`, [j.submission_id]);
    return "queued";
  }
  const why = `${reason}; gave up after ${j.attempts} attempt(s)`;
  await tx.query(`UPDATE grading_jobs SET state = 'failed', lease_owner = NULL, last_error = $2, finished_at = now() WHERE id = $1`, [j.id, why]);
  await tx.query(`UPDATE submissions SET status = 'needs-attention', reason = $2 WHERE id = $1`, [j.submission_id, why]);
  return "failed";
}

/** Claims the oldest waiting job (first come by server time), or null. */
export async function claim(db: Database, owner: string, leaseSeconds: number): Promise<ClaimedJob | null> {
  return db.transaction(async (tx) => {
    const r = await tx.query<Job>(
      `WITH next AS (
         SELECT id FROM grading_jobs WHERE state = 'queued' AND available_at <= now()
          ORDER BY enqueued_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
       UPDATE grading_jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = $1,
              lease_expires_at = now() + make_interval(secs => $2)
         FROM next WHERE j.id = next.id
       RETURNING j.id, j.submission_id, j.attempts, j.max_attempts, j.lease_owner`,
      [owner, leaseSeconds],
    );
    const job = r.rows[0];
    if (!job) return null;
    const s = await tx.query<Omit<ClaimedJob, keyof Job>>(
      `UPDATE submissions s SET status = 'grading' FROM assignments a
        WHERE s.id = $1 AND a.id = s.assignment_id
        RETURNING s.assignment_id, s.student_id, s.submitted_at, a.exercise, s.notebook`,
      [job.submission_id],
    );
    return { ...job, ...s.rows[0] };
  });
}

/** Extends a lease; false when the job is no longer ours (expired and taken, or finished). */
export async function renewLease(db: Database, job: Job, leaseSeconds: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE grading_jobs SET lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
    [job.id, job.lease_owner, leaseSeconds],
  );
  return r.rows.length > 0;
}

export interface StoredResult {
  points: number;
  max: number;
  tests: unknown[];
  items: unknown[];
  problems: string[];
  /** The grader's hand-graded questions with the student's answers (never scored by the grader). */
  manual?: unknown[];
  durationMs: number;
}

/**
 * Writes the one result of a submission and closes the job, if the job is still ours.
 * Returns false (and writes nothing) when the lease was lost: another worker grades it.
 */
export async function complete(db: Database, job: Job, result: StoredResult): Promise<boolean> {
  return db.transaction(async (tx) => {
    const mine = await tx.query(`UPDATE grading_jobs SET state = 'done', finished_at = now(), last_error = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`, [job.id, job.lease_owner]);
    if (!mine.rows.length) return false;
    await tx.query(
      `INSERT INTO results (submission_id, points, max_points, tests, items, problems, graded_at, duration_ms, worker, job_id, manual)
       VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10)
       ON CONFLICT (submission_id) DO UPDATE SET points = EXCLUDED.points, max_points = EXCLUDED.max_points, tests = EXCLUDED.tests,
         items = EXCLUDED.items, problems = EXCLUDED.problems, graded_at = EXCLUDED.graded_at, duration_ms = EXCLUDED.duration_ms,
         worker = EXCLUDED.worker, job_id = EXCLUDED.job_id, manual = EXCLUDED.manual`,
      [job.submission_id, result.points, result.max, JSON.stringify(result.tests), JSON.stringify(result.items), JSON.stringify(result.problems), Math.round(result.durationMs), job.lease_owner, job.id, JSON.stringify(result.manual ?? [])],
    );
    await tx.query(`UPDATE submissions SET status = 'graded', reason = NULL WHERE id = $1`, [job.submission_id]);
    return true;
  });
}

/** A grader failure (not the student's code): try again later, or set aside with the reason. */
export async function fail(db: Database, job: Job, reason: string): Promise<"queued" | "failed" | "lost"> {
  return db.transaction(async (tx) => {
    const mine = await tx.query<Job>(`SELECT id, submission_id, attempts, max_attempts FROM grading_jobs WHERE id = $1 AND lease_owner = $2 AND state = 'running' FOR UPDATE`, [job.id, job.lease_owner]);
    if (!mine.rows.length) return "lost";
    return settleFailure(tx, mine.rows[0], reason);
  });
}

export interface QueueStats {
  queued: number;
  running: number;
  failed: number;
  done: number;
}

export async function queueStats(db: Queryable): Promise<QueueStats> {
  const r = await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM grading_jobs GROUP BY state`);
  const get = (s: string) => r.rows.find((x) => x.state === s)?.n ?? 0;
  return { queued: get("queued"), running: get("running"), failed: get("failed"), done: get("done") };
}
