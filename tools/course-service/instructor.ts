/**
 * What instructors do, as plain operations that both the JSON API (instructorApi.ts) and the
 * HTML pages (pages.ts) call: import a roster, release an assignment, change it, grant an
 * extension, re-grade, release feedback, and read the gradebook.
 */
import * as fs from "fs";
import * as path from "path";
import type { AppConfig } from "./app";
import { canvasCsv, parseRoster } from "./csv";
import { courseRegistry } from "./grading";
import {
  Assignment,
  ASSIGNMENT_ID,
  AssignmentChange,
  deleteExtension,
  extensionsFor,
  getAssignment,
  insertAssignment,
  listAssignments,
  listStudents,
  setExtension,
  updateAssignment,
  STUDENT_ID,
  upsertStudents,
} from "./gradebook";
import { ApiError, badRequest, notFound } from "./http";
import { gradedCellSpecs } from "./notebookCheck";
import { checkTimeZone, parseCourseTime, parseLatePolicy } from "./policy";
import { manualMaxOf, manualSummaries, questionsOf, scoreHistory } from "./manualGrading";
import { modelAnswersOf } from "./grading";
import { requeue, submissionsOf, SubmissionView } from "./submissions";
import { REPO_ROOT } from "../grader/paths";

export async function importRoster(app: AppConfig, csv: string) {
  let parsed: ReturnType<typeof parseRoster>;
  try {
    parsed = parseRoster(csv);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  // Hub first: a student in the gradebook who cannot log in would be a silent failure.
  await app.hub.enrol(parsed.students.map((s) => s.id), "students");
  const changes = await app.db.transaction((tx) => upsertStudents(tx, parsed.students));
  return { ...changes, errors: parsed.errors };
}

export const ASSIGNMENT_FIELDS = ["id", "exercise", "title", "opensAt", "dueAt", "timeZone", "latePolicy", "resubmission", "released"];

function str(v: unknown, field: string): string {
  if (typeof v !== "string" || !v.trim()) throw badRequest(`${field} must be a non-empty string`);
  return v.trim();
}

function change(fields: Record<string, unknown>, zone: string): AssignmentChange {
  const out: AssignmentChange = {};
  try {
    if (fields.title !== undefined) out.title = str(fields.title, "title").slice(0, 200);
    if (fields.opensAt !== undefined) out.opensAt = parseCourseTime(fields.opensAt as string, zone, "opensAt");
    if (fields.dueAt !== undefined) out.dueAt = parseCourseTime(fields.dueAt as string, zone, "dueAt");
    if (fields.latePolicy !== undefined) out.latePolicy = parseLatePolicy(fields.latePolicy);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (fields.resubmission !== undefined) {
    if (fields.resubmission !== "last" && fields.resubmission !== "best") throw badRequest(`resubmission must be "last" or "best"`);
    out.resubmission = fields.resubmission;
  }
  if (fields.released !== undefined) {
    if (typeof fields.released !== "boolean") throw badRequest("released must be true or false");
    out.released = fields.released;
  }
  return out;
}

export async function releaseAssignment(app: AppConfig, fields: Record<string, unknown>): Promise<Assignment> {
  const id = str(fields.id, "id");
  if (!ASSIGNMENT_ID.test(id)) throw badRequest(`id "${id.slice(0, 80)}" must be 1-63 characters of a-z, 0-9 and "-"`);
  const exercise = courseRegistry().exercises.find((e) => e.name === fields.exercise);
  if (!exercise) throw badRequest(`exercise must be one of ${courseRegistry().exercises.map((e) => e.name).join(", ")} (got ${JSON.stringify(fields.exercise)})`);
  let zone: string;
  try {
    zone = checkTimeZone(str(fields.timeZone ?? app.timeZone, "timeZone"));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  for (const f of ["opensAt", "dueAt", "latePolicy", "resubmission"]) if (fields[f] === undefined) throw badRequest(`${f} is required`);
  const c = change(fields, zone);
  if (c.dueAt! < c.opensAt!) throw badRequest("dueAt is before opensAt");
  const notebook = fs.readFileSync(path.join(REPO_ROOT, "exercises", exercise.notebook));
  const graded = gradedCellSpecs(notebook.toString("utf8"));
  const ok = await insertAssignment(app.db, {
    id,
    exercise: exercise.name,
    title: c.title ?? exercise.title,
    opensAt: c.opensAt!,
    dueAt: c.dueAt!,
    timeZone: zone,
    latePolicy: c.latePolicy!,
    resubmission: c.resubmission!,
    released: c.released ?? true,
    notebook,
    gradedCells: graded,
    maxPoints: exercise.graded.reduce((s, g) => s + g.points, 0),
  });
  if (!ok) throw new ApiError(409, "conflict", `an assignment with id "${id}" exists; change it with PUT api/instructor/assignments/${id}`);
  return (await getAssignment(app.db, id))!;
}

export async function changeAssignment(app: AppConfig, id: string, fields: Record<string, unknown>): Promise<Assignment> {
  const a = await getAssignment(app.db, id);
  if (!a) throw notFound(`assignment "${id}"`);
  let zone = a.timeZone;
  if (fields.timeZone !== undefined) {
    try {
      zone = checkTimeZone(str(fields.timeZone, "timeZone"));
    } catch (err) {
      throw badRequest((err as Error).message);
    }
  }
  const c = { ...change(fields, zone), ...(fields.timeZone !== undefined ? { timeZone: zone } : {}) };
  if ((c.dueAt ?? a.dueAt) < (c.opensAt ?? a.opensAt)) throw badRequest("dueAt is before opensAt");
  return (await updateAssignment(app.db, id, c))!;
}

async function assignmentOr404(app: AppConfig, id: string): Promise<Assignment> {
  const a = await getAssignment(app.db, id);
  if (!a) throw notFound(`assignment "${id}"`);
  return a;
}

function recomputed(list: SubmissionView[]) {
  return list.map((s) => ({ submissionId: s.id, late: s.late, lateDays: s.lateDays, penaltyPercent: s.penaltyPercent, final: s.final }));
}

/** Grants (dueAt) or removes (null) an extension; returns the student's submissions recomputed. */
export async function extension(app: AppConfig, by: string, id: string, student: string, dueAt: string | null) {
  const a = await assignmentOr404(app, id);
  if (!STUDENT_ID.test(student)) throw badRequest(`student "${student.slice(0, 80)}" is not a student id`);
  let due: Date | null = null;
  if (dueAt == null) await deleteExtension(app.db, id, student);
  else {
    try {
      due = parseCourseTime(dueAt, a.timeZone, "dueAt");
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    await setExtension(app.db, id, student, due, by);
  }
  const list = (await submissionsOf(app.db, a, await extensionsFor(app.db, id), student)).get(student) ?? [];
  return { student, dueAt: due ? due.toISOString() : null, recomputed: recomputed(list) };
}

export async function regradeAssignment(app: AppConfig, id: string, student?: string): Promise<number> {
  const a = await assignmentOr404(app, id);
  const all = await submissionsOf(app.db, a, await extensionsFor(app.db, id), student);
  const ids: string[] = [];
  for (const list of all.values()) {
    const pick = list.find((s) => s.counts) ?? list[0];
    if (pick) ids.push(pick.id);
  }
  return requeue(app.db, ids);
}

export async function setFeedbackReleased(app: AppConfig, id: string, released: boolean): Promise<Assignment> {
  await assignmentOr404(app, id);
  return (await updateAssignment(app.db, id, { feedbackReleased: released }))!;
}

export interface GradebookRow {
  student: string;
  name: string;
  email: string;
  submission: SubmissionView | null;
  submissions: number;
  extensionDueAt: Date | null;
}

/** Every roster student (and anyone else who submitted) with their counted submission. */
export async function gradebook(app: AppConfig, a: Assignment): Promise<GradebookRow[]> {
  const ext = await extensionsFor(app.db, a.id);
  const subs = await submissionsOf(app.db, a, ext);
  const roster = await listStudents(app.db);
  const ids = [...new Set([...roster.map((s) => s.id), ...subs.keys()])].sort();
  return ids.map((id) => {
    const s = roster.find((r) => r.id === id);
    const list = subs.get(id) ?? [];
    return { student: id, name: s?.name ?? "", email: s?.email ?? "", submission: list.find((x) => x.counts) ?? list[0] ?? null, submissions: list.length, extensionDueAt: ext.get(id) ?? null };
  });
}

/** How many counting submissions still have answers awaiting hand grading (the export leaves their cells empty). */
export async function awaitingHandGrading(app: AppConfig, only?: string): Promise<number> {
  let n = 0;
  for (const a of (await listAssignments(app.db)).filter((x) => !only || x.id === only)) n += (await gradebook(app, a)).filter((r) => r.submission?.awaiting.length).length;
  return n;
}

export async function gradesCsv(app: AppConfig, only?: string): Promise<string> {
  const assignments = (await listAssignments(app.db)).filter((a) => !only || a.id === only);
  if (only && !assignments.length) throw notFound(`assignment "${only}"`);
  const columns = [];
  for (const a of assignments) {
    const rows = await gradebook(app, a);
    // Points possible include the written answers; a score still awaiting hand grading is left
    // empty (Canvas keeps no grade for it) rather than exported as if it were final.
    const scores = new Map(rows.map((r) => [r.student, r.submission && !r.submission.awaiting.length ? r.submission.final : null]));
    columns.push({ title: `${a.title} (${a.id})`, maxPoints: a.maxPoints + manualMaxOf(a.exercise), scores });
  }
  return canvasCsv(await listStudents(app.db), columns);
}

/**
 * The written answers to grade by hand: per question, per student, the counting submission's
 * answer with its score, comment, who scored it when, and every change.
 */
export async function manualAnswers(app: AppConfig, a: Assignment) {
  const rows = (await gradebook(app, a)).filter((r) => r.submission?.counts);
  const summaries = await manualSummaries(app.db, a, { withText: true });
  const history = await scoreHistory(app.db, a.id);
  const models = modelAnswersOf(a.exercise);
  return questionsOf(a.exercise).map((q) => ({
    ...q,
    modelAnswer: models.get(q.manualId) ?? null,
    answers: rows.map((r) => {
      const s = r.submission!;
      const m = summaries.get(s.id)?.answers.find((x) => x.manualId === q.manualId);
      return {
        student: r.student,
        name: r.name,
        submission: { id: s.id, submittedAt: s.submittedAt, status: s.status, late: s.late, penaltyPercent: s.penaltyPercent },
        answer: m ? (m.answer ?? null) : null,
        points: m ? m.points : null,
        comment: m?.comment ?? "",
        status: m ? m.status : ("not graded yet" as const),
        gradedBy: m?.gradedBy ?? null,
        gradedAt: m?.gradedAt ?? null,
        history: history.get(`${s.id}\0${q.manualId}`) ?? [],
      };
    }),
  }));
}
