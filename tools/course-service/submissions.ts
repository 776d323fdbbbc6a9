/**
 * Submissions: storing one (with the server's time and identity, idempotent by content hash),
 * and reading a student's submissions with their lateness and scores, computed on read from the
 * submission time and the effective due date, so an extension recomputes every penalty.
 */
import * as crypto from "crypto";
import type { Database, Queryable } from "./db";
import type { Assignment } from "./gradebook";
import { countedSubmission, finalScore, lateness, Lateness } from "./policy";
import { manualMaxOf, ManualSummary, manualSummaries } from "./manualGrading";
import { enqueue, supersedeQueued } from "./queue";

export type SubmissionStatus = "queued" | "grading" | "graded" | "needs-attention" | "superseded";

export interface Receipt {
  id: string;
  assignmentId: string;
  user: string;
  submittedAt: string;
  sha256: string;
  bytes: number;
  late: boolean;
  lateDays: number;
  penaltyPercent: number;
  duplicate: boolean;
}

export interface SubmissionView extends Lateness {
  id: string;
  assignmentId: string;
  studentId: string;
  submittedAt: Date;
  sha256: string;
  bytes: number;
  status: SubmissionStatus;
  reason: string | null;
  attempts: number;
  /** Raw points and maximum; null until graded. */
  points: number | null;
  max: number | null;
  /** Written answers graded by hand: points scored so far (unanswered count 0); null until graded. */
  manualPoints: number | null;
  manualMax: number;
  /** Manual ids answered but not scored yet ("awaiting hand grading"); the total leaves them out. */
  awaiting: string[];
  /** points + manualPoints, and max + manualMax; null until graded. */
  total: number | null;
  totalMax: number | null;
  /** The total after the late penalty: the penalty is on the submission, so on its written answers too. */
  final: number | null;
  /** The autograded points after the penalty: what "best" compares (hand scores come later and must not move which submission counts). */
  autoFinal: number | null;
  counts: boolean;
}

export function sha256Hex(data: Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** A stable 63-bit key per (assignment, student) for the advisory lock that serialises their submits. */
function lockKey(assignmentId: string, studentId: string): string {
  return BigInt.asIntN(64, BigInt("0x" + crypto.createHash("sha256").update(`${assignmentId}\0${studentId}`).digest("hex").slice(0, 16))).toString();
}

/**
 * Stores a submission and queues its grading in one transaction. The same bytes as the student's
 * latest submission return that receipt (a retried or doubled submit); under "last" the student's
 * older submissions still queued are superseded.
 */
export async function storeSubmission(db: Database, a: Assignment, studentId: string, notebook: Buffer, dueAt: Date): Promise<Receipt> {
  const sha = sha256Hex(notebook);
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(a.id, studentId)]);
    const now = (await tx.query<{ now: Date }>("SELECT clock_timestamp() AS now")).rows[0].now;
    const latest = (await tx.query<{ id: string; submitted_at: Date; sha256: string; bytes: number }>(
      "SELECT id, submitted_at, sha256, bytes FROM submissions WHERE assignment_id = $1 AND student_id = $2 ORDER BY submitted_at DESC LIMIT 1",
      [a.id, studentId],
    )).rows[0];
    if (latest && latest.sha256 === sha) {
      const l = lateness(latest.submitted_at, dueAt, a.latePolicy);
      return { id: latest.id, assignmentId: a.id, user: studentId, submittedAt: latest.submitted_at.toISOString(), sha256: sha, bytes: latest.bytes, late: l.late, lateDays: l.lateDays, penaltyPercent: l.penaltyPercent, duplicate: true };
    }
    const l = lateness(now, dueAt, a.latePolicy);
    if (!l.accepted) throw new DeadlinePassed(dueAt);
    const id = crypto.randomUUID();
    await tx.query(
      `INSERT INTO submissions (id, assignment_id, student_id, submitted_at, sha256, bytes, notebook, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued')`,
      [id, a.id, studentId, now, sha, notebook.length, notebook],
    );
    await enqueue(tx, id, now);
    if (a.resubmission === "last") await supersedeQueued(tx, a.id, studentId, id);
    return { id, assignmentId: a.id, user: studentId, submittedAt: now.toISOString(), sha256: sha, bytes: notebook.length, late: l.late, lateDays: l.lateDays, penaltyPercent: l.penaltyPercent, duplicate: false };
  });
}

export class DeadlinePassed extends Error {
  constructor(readonly dueAt: Date) {
    super("the deadline has passed");
  }
}

interface Row {
  id: string;
  assignment_id: string;
  student_id: string;
  submitted_at: Date;
  sha256: string;
  bytes: number;
  status: SubmissionStatus;
  reason: string | null;
  points: number | null;
  max_points: number | null;
  attempts: number | null;
}

const SELECT = `SELECT s.id, s.assignment_id, s.student_id, s.submitted_at, s.sha256, s.bytes, s.status, s.reason,
  r.points, r.max_points, (SELECT max(j.attempts) FROM grading_jobs j WHERE j.submission_id = s.id) AS attempts
  FROM submissions s LEFT JOIN results r ON r.submission_id = s.id`;

function view(r: Row, a: Assignment, dueAt: Date, manual: ManualSummary | undefined, manualMax: number): SubmissionView {
  const l = lateness(r.submitted_at, dueAt, a.latePolicy);
  const graded = r.status === "graded" && r.points != null;
  return {
    id: r.id,
    assignmentId: r.assignment_id,
    studentId: r.student_id,
    submittedAt: r.submitted_at,
    sha256: r.sha256,
    bytes: r.bytes,
    status: r.status,
    reason: r.reason,
    attempts: r.attempts ?? 0,
    ...l,
    points: graded ? r.points : null,
    max: graded ? r.max_points : null,
    manualPoints: graded ? (manual?.points ?? 0) : null,
    manualMax,
    awaiting: graded ? (manual?.awaiting ?? []) : [],
    total: graded ? r.points! + (manual?.points ?? 0) : null,
    totalMax: graded ? r.max_points! + manualMax : null,
    final: graded ? finalScore(r.points! + (manual?.points ?? 0), l.penaltyPercent) : null,
    autoFinal: graded ? finalScore(r.points!, l.penaltyPercent) : null,
    counts: false,
  };
}

/** One assignment's submissions of every student (or one), newest first, with the counted one marked. */
export async function submissionsOf(db: Queryable, a: Assignment, extensions: Map<string, Date>, studentId?: string): Promise<Map<string, SubmissionView[]>> {
  const params: unknown[] = [a.id];
  let where = "WHERE s.assignment_id = $1";
  if (studentId) {
    params.push(studentId);
    where += " AND s.student_id = $2";
  }
  const rows = (await db.query<Row>(`${SELECT} ${where} ORDER BY s.submitted_at DESC`, params)).rows;
  const manual = await manualSummaries(db, a, { studentId });
  const manualMax = manualMaxOf(a.exercise);
  const byStudent = new Map<string, SubmissionView[]>();
  for (const r of rows) {
    const list = byStudent.get(r.student_id) ?? [];
    list.push(view(r, a, extensions.get(r.student_id) ?? a.dueAt, manual.get(r.id), manualMax));
    byStudent.set(r.student_id, list);
  }
  for (const list of byStudent.values()) {
    const candidates = list.filter((s) => s.status !== "superseded").map((s) => ({ id: s.id, submittedAt: s.submittedAt, late: s.late, final: s.autoFinal }));
    const counted = countedSubmission(candidates, a.resubmission);
    if (counted) list.find((s) => s.id === counted.id)!.counts = true;
  }
  return byStudent;
}

/** Whether `id` has the form of a submission id (a UUID): anything else is no submission, and never reaches SQL as a uuid. */
export function isSubmissionId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

/** One submission by id (any student's: callers check who may see it). */
export async function submissionById(db: Queryable, id: string): Promise<Row | null> {
  if (!isSubmissionId(id)) return null;
  return (await db.query<Row>(`${SELECT} WHERE s.id = $1`, [id])).rows[0] ?? null;
}

export interface FullResult {
  points: number;
  max_points: number;
  tests: import("./grading").TestResult[];
  items: { exercise: string; gradeId: string; title: string; points: number; max: number }[];
  problems: string[];
  graded_at: Date;
}

export async function resultOf(db: Queryable, submissionId: string): Promise<FullResult | null> {
  return (await db.query<FullResult>("SELECT points, max_points, tests, items, problems, graded_at FROM results WHERE submission_id = $1", [submissionId])).rows[0] ?? null;
}

export async function notebookOf(db: Queryable, submissionId: string): Promise<Buffer | null> {
  return (await db.query<{ notebook: Buffer }>("SELECT notebook FROM submissions WHERE id = $1", [submissionId])).rows[0]?.notebook ?? null;
}

/** Re-queues submissions: one, or for an assignment the counted (else latest) one of each student. */
export async function requeue(db: Database, submissionIds: string[]): Promise<number> {
  return db.transaction(async (tx) => {
    let n = 0;
    const now = (await tx.query<{ now: Date }>("SELECT now()")).rows[0].now;
    for (const id of submissionIds) if (await enqueue(tx, id, now)) n++;
    return n;
  });
}
