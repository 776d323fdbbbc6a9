/**
 * The gradebook's schema, as numbered migrations applied in order and recorded in
 * schema_migrations. A migration is never edited once released: a change is a new one.
 * Several processes may start at once (the service and workers on PostgreSQL): an advisory lock
 * held for the transaction makes the second wait and then find nothing to do.
 */
import type { Database } from "./db";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "roster, assignments, submissions, grading queue, results, sessions",
    sql: `
CREATE TABLE students (
  id          text PRIMARY KEY,
  name        text NOT NULL DEFAULT '',
  email       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
  id                text PRIMARY KEY,
  exercise          text NOT NULL,
  title             text NOT NULL,
  opens_at          timestamptz NOT NULL,
  due_at            timestamptz NOT NULL,
  time_zone         text NOT NULL,
  late_policy       jsonb NOT NULL,
  resubmission      text NOT NULL CHECK (resubmission IN ('last', 'best')),
  released          boolean NOT NULL DEFAULT true,
  feedback_released boolean NOT NULL DEFAULT false,
  notebook          bytea NOT NULL,          -- the exercise notebook as released (no solutions)
  graded_cells      jsonb NOT NULL,          -- [{gradeId, points}] of the released notebook
  max_points        double precision NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (due_at >= opens_at)
);

CREATE TABLE extensions (
  assignment_id text NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  student_id    text NOT NULL,
  due_at        timestamptz NOT NULL,
  granted_by    text NOT NULL,
  granted_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (assignment_id, student_id)
);

CREATE TABLE submissions (
  id            uuid PRIMARY KEY,
  assignment_id text NOT NULL REFERENCES assignments(id),
  student_id    text NOT NULL,
  submitted_at  timestamptz NOT NULL,          -- the server's clock, never the client's
  sha256        text NOT NULL,
  bytes         integer NOT NULL,
  notebook      bytea NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'grading', 'graded', 'needs-attention', 'superseded')),
  reason        text                            -- why it needs attention
);
CREATE INDEX submissions_by_student ON submissions (assignment_id, student_id, submitted_at DESC);

CREATE TABLE grading_jobs (
  id               serial PRIMARY KEY,
  submission_id    uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  state            text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'superseded')),
  enqueued_at      timestamptz NOT NULL,        -- first come, first served, by the server's clock
  available_at     timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL DEFAULT 3,
  lease_owner      text,
  lease_expires_at timestamptz,
  last_error       text,
  finished_at      timestamptz
);
-- At most one open job per submission: a regrade of a submission already in the queue is a no-op.
CREATE UNIQUE INDEX grading_jobs_one_open ON grading_jobs (submission_id) WHERE state IN ('queued', 'running');
CREATE INDEX grading_jobs_queue ON grading_jobs (enqueued_at, id) WHERE state = 'queued';
CREATE INDEX grading_jobs_leases ON grading_jobs (lease_expires_at) WHERE state = 'running';

-- Exactly one result per submission: a re-grade replaces it.
CREATE TABLE results (
  submission_id  uuid PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
  points         double precision NOT NULL,
  max_points     double precision NOT NULL,
  tests          jsonb NOT NULL,
  items          jsonb NOT NULL,
  problems       jsonb NOT NULL,
  graded_at      timestamptz NOT NULL,
  duration_ms    integer NOT NULL,
  worker         text NOT NULL,
  job_id         integer NOT NULL
);

CREATE TABLE sessions (
  id_sha256   text PRIMARY KEY,                 -- the cookie is never stored, only its hash
  user_name   text NOT NULL,
  hub_token   text NOT NULL,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: "written answers graded by hand: the grader's manual list on results, manual_scores and their history",
    sql: `
-- The grader's manual[] (manualId, title, max, answer capped at 4 000 characters). NULL on results
-- graded before version 2: their answers are read from the stored notebook instead (grading.ts).
ALTER TABLE results ADD COLUMN manual jsonb;

-- One score per written question of a submission. The grader (a staff user) and the time come
-- from the login and the server's clock, never from the request.
CREATE TABLE manual_scores (
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  manual_id     text NOT NULL,
  points        double precision NOT NULL CHECK (points >= 0),
  comment       text NOT NULL DEFAULT '',
  graded_by     text NOT NULL,
  graded_at     timestamptz NOT NULL,
  PRIMARY KEY (submission_id, manual_id)
);

-- Every change, kept: who set which score when, and what it was before.
CREATE TABLE manual_score_changes (
  id              serial PRIMARY KEY,
  submission_id   uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  manual_id       text NOT NULL,
  points          double precision NOT NULL,
  previous_points double precision,
  comment         text NOT NULL,
  changed_by      text NOT NULL,
  changed_at      timestamptz NOT NULL
);
CREATE INDEX manual_score_changes_by_question ON manual_score_changes (submission_id, manual_id, id);
`,
  },
];

/** Applies the migrations not yet recorded; returns the versions applied now. */
export async function migrate(db: Database, migrations = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(7345001)");
    await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    const done = new Set((await tx.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
    const newer = [...done].filter((v) => !migrations.some((m) => m.version === v));
    if (newer.length) throw new Error(`the gradebook has schema version ${Math.max(...newer)}, newer than this code knows (${Math.max(0, ...migrations.map((m) => m.version))}): update the course repository`);
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
