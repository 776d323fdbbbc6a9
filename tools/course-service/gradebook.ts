/**
 * The gradebook's roster, assignments and extensions: reading and writing rows, nothing else.
 * (Submissions and what counts: submissions.ts. The queue: queue.ts.)
 */
import type { Queryable } from "./db";
import { LatePolicy, Resubmission } from "./policy";

export const STUDENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ASSIGNMENT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface Student {
  id: string;
  name: string;
  email: string;
}

export interface Assignment {
  id: string;
  exercise: string;
  title: string;
  opensAt: Date;
  dueAt: Date;
  timeZone: string;
  latePolicy: LatePolicy;
  resubmission: Resubmission;
  released: boolean;
  feedbackReleased: boolean;
  gradedCells: { gradeId: string; points: number }[];
  maxPoints: number;
}

interface AssignmentRow {
  id: string;
  exercise: string;
  title: string;
  opens_at: Date;
  due_at: Date;
  time_zone: string;
  late_policy: LatePolicy;
  resubmission: Resubmission;
  released: boolean;
  feedback_released: boolean;
  graded_cells: { gradeId: string; points: number }[];
  max_points: number;
}

const ASSIGNMENT_COLUMNS = "id, exercise, title, opens_at, due_at, time_zone, late_policy, resubmission, released, feedback_released, graded_cells, max_points";

function toAssignment(r: AssignmentRow): Assignment {
  return {
    id: r.id,
    exercise: r.exercise,
    title: r.title,
    opensAt: r.opens_at,
    dueAt: r.due_at,
    timeZone: r.time_zone,
    latePolicy: r.late_policy,
    resubmission: r.resubmission,
    released: r.released,
    feedbackReleased: r.feedback_released,
    gradedCells: r.graded_cells,
    maxPoints: r.max_points,
  };
}

export async function upsertStudents(db: Queryable, students: Student[]): Promise<{ added: string[]; updated: string[]; unchanged: string[] }> {
  const out = { added: [] as string[], updated: [] as string[], unchanged: [] as string[] };
  for (const s of students) {
    const old = (await db.query<Student>("SELECT id, name, email FROM students WHERE id = $1", [s.id])).rows[0];
    if (!old) {
      await db.query("INSERT INTO students (id, name, email) VALUES ($1, $2, $3)", [s.id, s.name, s.email]);
      out.added.push(s.id);
    } else if (old.name !== s.name || old.email !== s.email) {
      await db.query("UPDATE students SET name = $2, email = $3, updated_at = now() WHERE id = $1", [s.id, s.name, s.email]);
      out.updated.push(s.id);
    } else out.unchanged.push(s.id);
  }
  return out;
}

export async function listStudents(db: Queryable): Promise<Student[]> {
  return (await db.query<Student>("SELECT id, name, email FROM students ORDER BY id")).rows;
}

export async function getStudent(db: Queryable, id: string): Promise<Student | null> {
  return (await db.query<Student>("SELECT id, name, email FROM students WHERE id = $1", [id])).rows[0] ?? null;
}

export interface NewAssignment extends Omit<Assignment, "feedbackReleased"> {
  notebook: Buffer;
}

export async function insertAssignment(db: Queryable, a: NewAssignment): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO assignments (id, exercise, title, opens_at, due_at, time_zone, late_policy, resubmission, released, notebook, graded_cells, max_points)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [a.id, a.exercise, a.title, a.opensAt, a.dueAt, a.timeZone, JSON.stringify(a.latePolicy), a.resubmission, a.released, a.notebook, JSON.stringify(a.gradedCells), a.maxPoints],
  );
  return r.rows.length > 0;
}

export type AssignmentChange = Partial<Pick<Assignment, "title" | "opensAt" | "dueAt" | "timeZone" | "latePolicy" | "resubmission" | "released" | "feedbackReleased">>;

export async function updateAssignment(db: Queryable, id: string, change: AssignmentChange): Promise<Assignment | null> {
  const cols: Record<keyof AssignmentChange, string> = {
    title: "title",
    opensAt: "opens_at",
    dueAt: "due_at",
    timeZone: "time_zone",
    latePolicy: "late_policy",
    resubmission: "resubmission",
    released: "released",
    feedbackReleased: "feedback_released",
  };
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, v] of Object.entries(change) as [keyof AssignmentChange, unknown][]) {
    if (v === undefined) continue;
    params.push(k === "latePolicy" ? JSON.stringify(v) : v);
    sets.push(`${cols[k]} = $${params.length}`);
  }
  if (!sets.length) return getAssignment(db, id);
  const r = await db.query<AssignmentRow>(`UPDATE assignments SET ${sets.join(", ")}, updated_at = now() WHERE id = $1 RETURNING ${ASSIGNMENT_COLUMNS}`, params);
  return r.rows[0] ? toAssignment(r.rows[0]) : null;
}

export async function getAssignment(db: Queryable, id: string): Promise<Assignment | null> {
  const r = await db.query<AssignmentRow>(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments WHERE id = $1`, [id]);
  return r.rows[0] ? toAssignment(r.rows[0]) : null;
}

export async function getAssignmentNotebook(db: Queryable, id: string): Promise<Buffer | null> {
  return (await db.query<{ notebook: Buffer }>("SELECT notebook FROM assignments WHERE id = $1", [id])).rows[0]?.notebook ?? null;
}

export async function listAssignments(db: Queryable): Promise<Assignment[]> {
  return (await db.query<AssignmentRow>(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments ORDER BY due_at, id`)).rows.map(toAssignment);
}

export async function setExtension(db: Queryable, assignmentId: string, studentId: string, dueAt: Date, grantedBy: string): Promise<void> {
  await db.query(
    `INSERT INTO extensions (assignment_id, student_id, due_at, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (assignment_id, student_id) DO UPDATE SET due_at = EXCLUDED.due_at, granted_by = EXCLUDED.granted_by, granted_at = now()`,
    [assignmentId, studentId, dueAt, grantedBy],
  );
}

export async function deleteExtension(db: Queryable, assignmentId: string, studentId: string): Promise<boolean> {
  return (await db.query("DELETE FROM extensions WHERE assignment_id = $1 AND student_id = $2 RETURNING student_id", [assignmentId, studentId])).rows.length > 0;
}

/** student id → extended due date, for one assignment. */
export async function extensionsFor(db: Queryable, assignmentId: string): Promise<Map<string, Date>> {
  const r = await db.query<{ student_id: string; due_at: Date }>("SELECT student_id, due_at FROM extensions WHERE assignment_id = $1", [assignmentId]);
  return new Map(r.rows.map((x) => [x.student_id, x.due_at]));
}

export async function extensionOf(db: Queryable, assignmentId: string, studentId: string): Promise<Date | null> {
  return (await db.query<{ due_at: Date }>("SELECT due_at FROM extensions WHERE assignment_id = $1 AND student_id = $2", [assignmentId, studentId])).rows[0]?.due_at ?? null;
}
