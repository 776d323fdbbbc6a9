/**
 * Written answers graded by hand. The grader reports each hand-graded question with the student's
 * answer (results.manual); staff score the counting submission's answers here (manual_scores,
 * every change kept in manual_score_changes). Who scored and when come from the login and the
 * server's clock, never from the request.
 *
 * A question's state on a graded submission:
 *   scored                 an instructor's or TA's points (0..the registry's points)
 *   no answer              the cell was left as released: 0 points, no one needs to read it (staff may still score it)
 *   awaiting hand grading  answered, not scored yet: not in the total, and the total says so
 */
import type { Database, Queryable } from "./db";
import { answersInNotebook, courseRegistry } from "./grading";
import { Assignment, extensionsFor, getAssignment } from "./gradebook";
import { ApiError, badRequest, notFound } from "./http";
import { isSubmissionId, submissionsOf } from "./submissions";

export interface Question {
  manualId: string;
  title: string;
  /** Its points, from the registry (exercises/exercises.json). */
  max: number;
}

export type AnswerStatus = "scored" | "no answer" | "awaiting hand grading";

export interface ManualAnswer extends Question {
  /** The student's text (capped at 4 000 characters by the grader); undefined when not loaded. */
  answer?: string | null;
  answered: boolean;
  /** The score; 0 for no answer; null while awaiting hand grading. */
  points: number | null;
  comment: string;
  gradedBy: string | null;
  gradedAt: Date | null;
  status: AnswerStatus;
}

export interface ManualSummary {
  /** Points of the scored answers (unanswered ones count 0). */
  points: number;
  max: number;
  /** Manual ids still awaiting hand grading. */
  awaiting: string[];
  answers: ManualAnswer[];
}

/** The hand-graded questions of an exercise, from the registry. */
export function questionsOf(exercise: string): Question[] {
  const entry = courseRegistry().exercises.find((e) => e.name === exercise);
  return (entry?.manual ?? []).map((m) => ({ manualId: m.manualId, title: m.title, max: m.points }));
}

export function manualMaxOf(exercise: string): number {
  return questionsOf(exercise).reduce((s, q) => s + q.max, 0);
}

interface ScoreRow {
  submission_id: string;
  manual_id: string;
  points: number;
  comment: string;
  graded_by: string;
  graded_at: Date;
}

interface AnswerRow {
  submission_id: string;
  /** [{manualId, answer}] (answer null when the cell was left as released), or null for results stored before the gradebook kept them. */
  manual: { manualId: string; answer: string | null }[] | null;
  notebook: Buffer | null;
}

/**
 * The written answers and scores of an assignment's graded submissions (of every student, or one):
 * submission id → summary. `withText` loads the answers themselves (the instructor's list);
 * without it only whether each was answered (totals).
 */
export async function manualSummaries(db: Queryable, a: Assignment, o: { studentId?: string; withText?: boolean } = {}): Promise<Map<string, ManualSummary>> {
  const questions = questionsOf(a.exercise);
  const out = new Map<string, ManualSummary>();
  if (!questions.length) return out;
  const params: unknown[] = [a.id];
  let where = "s.assignment_id = $1";
  if (o.studentId) {
    params.push(o.studentId);
    where += " AND s.student_id = $2";
  }
  // Totals need only "answered or not": the answers' text stays in the database unless asked for.
  const manual = o.withText
    ? "r.manual"
    : `(SELECT jsonb_agg(jsonb_build_object('manualId', m->>'manualId', 'answer', CASE WHEN m->>'answer' IS NULL THEN NULL ELSE '' END)) FROM jsonb_array_elements(r.manual) m) AS manual`;
  const answers = (await db.query<AnswerRow>(
    `SELECT r.submission_id, ${manual}, CASE WHEN r.manual IS NULL THEN s.notebook END AS notebook
       FROM results r JOIN submissions s ON s.id = r.submission_id WHERE ${where}`,
    params,
  )).rows;
  const scores = (await db.query<ScoreRow>(
    `SELECT ms.submission_id, ms.manual_id, ms.points, ms.comment, ms.graded_by, ms.graded_at
       FROM manual_scores ms JOIN submissions s ON s.id = ms.submission_id WHERE ${where}`,
    params,
  )).rows;
  const scoreOf = new Map(scores.map((x) => [`${x.submission_id}\0${x.manual_id}`, x]));
  const max = questions.reduce((s, q) => s + q.max, 0);
  for (const row of answers) {
    const text = row.manual ? new Map(row.manual.map((m) => [m.manualId, m.answer])) : answersInNotebook(a.exercise, (row.notebook ?? Buffer.alloc(0)).toString("utf8"));
    const list = questions.map((q): ManualAnswer => {
      const answer = text.get(q.manualId) ?? null;
      const s = scoreOf.get(`${row.submission_id}\0${q.manualId}`);
      const base = { ...q, ...(o.withText ? { answer } : {}), answered: answer != null };
      if (s) return { ...base, points: s.points, comment: s.comment, gradedBy: s.graded_by, gradedAt: s.graded_at, status: "scored" };
      if (answer == null) return { ...base, points: 0, comment: "", gradedBy: null, gradedAt: null, status: "no answer" };
      return { ...base, points: null, comment: "", gradedBy: null, gradedAt: null, status: "awaiting hand grading" };
    });
    out.set(row.submission_id, {
      points: list.reduce((s, x) => s + (x.points ?? 0), 0),
      max,
      awaiting: list.filter((x) => x.status === "awaiting hand grading").map((x) => x.manualId),
      answers: list,
    });
  }
  return out;
}

export interface ScoreChange {
  points: number;
  previousPoints: number | null;
  comment: string;
  changedBy: string;
  changedAt: Date;
}

/** Every change of the scores of an assignment: "submission id\0manual id" → changes, oldest first. */
export async function scoreHistory(db: Queryable, assignmentId: string): Promise<Map<string, ScoreChange[]>> {
  const rows = (await db.query<{ submission_id: string; manual_id: string; points: number; previous_points: number | null; comment: string; changed_by: string; changed_at: Date }>(
    `SELECT c.submission_id, c.manual_id, c.points, c.previous_points, c.comment, c.changed_by, c.changed_at
       FROM manual_score_changes c JOIN submissions s ON s.id = c.submission_id WHERE s.assignment_id = $1 ORDER BY c.id`,
    [assignmentId],
  )).rows;
  const out = new Map<string, ScoreChange[]>();
  for (const r of rows) {
    const key = `${r.submission_id}\0${r.manual_id}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push({ points: r.points, previousPoints: r.previous_points, comment: r.comment, changedBy: r.changed_by, changedAt: r.changed_at });
  }
  return out;
}

export const MAX_COMMENT_CHARS = 2000;

export interface SetScore {
  /** When given (the page's form), the submission must belong to this assignment. */
  assignmentId?: string;
  submissionId: string;
  manualId: string;
  points: unknown;
  comment?: unknown;
}

/**
 * Sets (or changes) the score of one written answer of the counting, graded submission. `by` is
 * the logged-in staff user; the time is the database server's. Refusals say what is wrong.
 */
export async function setManualScore(db: Database, by: string, change: SetScore) {
  return db.transaction(async (tx) => {
    // The row lock serialises two graders scoring the same submission (their history stays in order).
    const sub = isSubmissionId(change.submissionId)
      ? (await tx.query<{ id: string; assignment_id: string; student_id: string; status: string }>("SELECT id, assignment_id, student_id, status FROM submissions WHERE id = $1 FOR UPDATE", [change.submissionId])).rows[0]
      : undefined;
    if (!sub || (change.assignmentId !== undefined && sub.assignment_id !== change.assignmentId)) throw notFound(`submission ${change.submissionId.slice(0, 80)}${change.assignmentId ? ` of assignment "${change.assignmentId.slice(0, 80)}"` : ""}`);
    const a = (await getAssignment(tx, sub.assignment_id))!;
    const questions = questionsOf(a.exercise);
    const q = questions.find((x) => x.manualId === change.manualId);
    if (!q) throw new ApiError(404, "not_found", `${a.title} has no written question "${change.manualId.slice(0, 80)}"; its questions are ${questions.map((x) => `"${x.manualId}" (${x.title}, ${x.max} points)`).join(", ") || "none"}`);
    const points = change.points;
    if (typeof points !== "number" || !Number.isFinite(points) || points < 0 || points > q.max) {
      throw badRequest(`points must be a number from 0 to ${q.max} for "${q.title}" (${q.manualId}); got ${JSON.stringify(points)?.slice(0, 40) ?? "nothing"}`, { min: 0, max: q.max });
    }
    if (change.comment !== undefined && typeof change.comment !== "string") throw badRequest("comment must be a string");
    const comment = ((change.comment as string | undefined) ?? "").trim();
    if (comment.length > MAX_COMMENT_CHARS) throw badRequest(`comment is ${comment.length} characters; at most ${MAX_COMMENT_CHARS}`);
    const graded = (await tx.query("SELECT 1 FROM results WHERE submission_id = $1", [sub.id])).rows.length > 0;
    if (sub.status !== "graded" || !graded) {
      const why = graded ? `is being graded again (status ${sub.status})` : `is not graded yet (status ${sub.status})`;
      throw new ApiError(409, "conflict", `submission ${sub.id} of ${sub.student_id} ${why}: its written answers are read when it is graded; score them then`, { status: sub.status });
    }
    const counts = ((await submissionsOf(tx, a, await extensionsFor(tx, a.id), sub.student_id)).get(sub.student_id) ?? []).find((x) => x.counts);
    if (counts?.id !== sub.id) {
      throw new ApiError(409, "conflict", `submission ${sub.id} of ${sub.student_id} does not count for ${a.title} (${a.resubmission === "last" ? "the latest submission counts" : "the best on time counts"}${counts ? `: ${counts.id}` : ""}); score the counting submission's answers`, { counting: counts?.id ?? null });
    }
    const now = (await tx.query<{ now: Date }>("SELECT now() AS now")).rows[0].now;
    const prev = (await tx.query<{ points: number }>("SELECT points FROM manual_scores WHERE submission_id = $1 AND manual_id = $2", [sub.id, q.manualId])).rows[0];
    await tx.query(
      `INSERT INTO manual_scores (submission_id, manual_id, points, comment, graded_by, graded_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (submission_id, manual_id) DO UPDATE SET points = EXCLUDED.points, comment = EXCLUDED.comment, graded_by = EXCLUDED.graded_by, graded_at = EXCLUDED.graded_at`,
      [sub.id, q.manualId, points, comment, by, now],
    );
    await tx.query(
      `INSERT INTO manual_score_changes (submission_id, manual_id, points, previous_points, comment, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [sub.id, q.manualId, points, prev?.points ?? null, comment, by, now],
    );
    return { submissionId: sub.id, assignmentId: a.id, student: sub.student_id, manualId: q.manualId, title: q.title, points, max: q.max, comment, gradedBy: by, gradedAt: now.toISOString(), previousPoints: prev?.points ?? null };
  });
}
