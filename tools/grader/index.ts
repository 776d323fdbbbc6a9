/**
 * The grader as a library: what a course service (or any script) calls. The command-line tools
 * (check, submit, autograde) are built from the same pieces.
 *
 *   const result = await gradeNotebooks({
 *     student: user.name,              // from the caller's login, never from the notebook
 *     submittedAt: new Date(),         // the server's clock, never the client's
 *     notebooks: [{ name: "autoencoders.ipynb", bytes }],
 *   });
 *   result.total, result.max, result.items, result.tests   // points per cell and per test
 *   feedbackHtml(result)                                   // the page the student reads
 *
 * Identity and time come only from the caller: a notebook's content never names its owner or
 * its time. Everything else is the same trusted pipeline as `npm run autograde`: the notebook is
 * compiled in a runner process per submission, its code runs in a sandbox (no network, no file
 * writes, no reading of the hidden tests, memory, CPU and time capped), and points come from the
 * specs and the solution notebooks' metadata, never from the submission. The functions never throw
 * for what a student submitted (a broken notebook is a result with problems); they throw
 * GradeRequestError for a caller's mistake (no student, an unknown exercise), and StagingRefused
 * when the deployment keeps the sandbox from reading the grader's own code.
 *
 * Results are plain JSON (store them as they are). A result's `graderErrors` non-empty (status
 * "grader-error") means the grader itself failed: grade it again later; it is not the student's
 * fault and not a grade.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { MAX_NOTEBOOK_BYTES, readSubmissionBuffer } from "./archive";
import { Grader } from "./grade";
import { specFilesPresent } from "./paths";
import { ExerciseEntry, findExercise, readRegistry, Registry } from "./registry";
import { feedbackHtml as renderFeedback, FeedbackOptions } from "./report";
import type { SubmissionResult } from "./result";
import { compileRuntime } from "./runtime";
import { Submission, trustedSubmission } from "./submission";
import { checkForSubmissionText } from "./submit";
import { printableLine } from "./text";

export type { Flag, FlagKind, IdentitySource, ItemScore, ManualScore, OtherSubmission, ResultStatus, SubmissionResult, TestResult, TimeSource, Visibility } from "./result";
export type { ExerciseEntry, GradedItem, ManualItem, Registry } from "./registry";
export type { FeedbackOptions } from "./report";
/** Thrown when the sandbox's user cannot read the grader's code and nothing readable could be staged: a deployment problem, with what to do. */
export { StagingRefused } from "./stage";
/** Written answers: read from a notebook's text (for results stored before answers were), and the model answers (instructors only). */
export { modelAnswers, writtenAnswersInText } from "./manual";

/** A mistake of the caller (not of the student): no student, an unknown exercise, a bad time. */
export class GradeRequestError extends Error {
  override name = "GradeRequestError";
}

export interface NotebookFile {
  /** The exercise's notebook name ("autoencoders.ipynb") or the exercise's name ("autoencoders"). */
  name: string;
  /** The notebook file as submitted (UTF-8 JSON). */
  bytes: Uint8Array | string;
}

export interface GradeRequest {
  /** Who submitted: the caller's authenticated user. Shown in reports as given. */
  student: string;
  /** When: the server's time of submission. */
  submittedAt: Date;
  notebooks: NotebookFile[];
  /** Which exercises make the grade (a missing notebook scores 0); default: those of `notebooks`. */
  exercises?: string[];
  /** A label for reports, e.g. "submission 42" (default "course service"). */
  source?: string;
}

export interface CheckRequest {
  notebooks: NotebookFile[];
  exercises?: string[];
  /** Shown on the page; default "you". */
  student?: string;
}

export interface ArchiveRequest {
  student: string;
  submittedAt: Date;
  /** A `npm run submit` archive (.tar.gz), as uploaded. Its manifest's id is compared with `student`, never used. */
  archive: Uint8Array;
  exercises?: string[];
  source?: string;
}

/** The exercises, their graded cells, points and the functions each cell declares (exercises/exercises.json). */
export function listExercises(): ExerciseEntry[] {
  return readRegistry().exercises;
}

/** Grades notebooks with the public and hidden tests: the grade. */
export async function gradeNotebooks(req: GradeRequest): Promise<SubmissionResult> {
  const [student, at] = [studentOf(req.student), timeOf(req.submittedAt)];
  const { registry, notebooks, problems, exercises } = notebooksOf(req.notebooks, req.exercises);
  const sub = trustedSubmission(student, at, notebooks, req.source ?? "course service", problems);
  return (await graderFor(true, exercises, registry)).grade(sub);
}

/** Runs the public tests only: what a student's "Check" shows. Its result has scope "public". */
export async function checkNotebooks(req: CheckRequest): Promise<SubmissionResult> {
  const { registry, notebooks, problems, exercises } = notebooksOf(req.notebooks, req.exercises);
  const sub = trustedSubmission(studentOf(req.student ?? "you"), null, notebooks, "check", problems);
  return (await graderFor(false, exercises, registry)).grade(sub);
}

/** Grades an uploaded `npm run submit` archive for a known student at a known time. */
export async function gradeArchive(req: ArchiveRequest): Promise<SubmissionResult> {
  const [student, at] = [studentOf(req.student), timeOf(req.submittedAt)];
  const unpacked = await readSubmissionBuffer(Buffer.from(req.archive), req.source ?? "upload");
  const claimed = unpacked.claimed.student;
  const registry = readRegistry();
  const exercises = req.exercises ?? registry.exercises.map((e) => e.name);
  const sub: Submission = {
    ...trustedSubmission(student, at, unpacked.notebooks, req.source ?? "upload", unpacked.problems),
    claimedStudent: claimed,
    flags: claimed && claimed !== student ? [{ kind: "identity-mismatch", message: `the archive says it is ${claimed}'s; graded as ${student}'s (the uploader)` }] : [],
  };
  return (await graderFor(true, exerciseNames(exercises, registry), registry)).grade(sub);
}

/** The student's feedback page: every message escaped, hidden tests without details. */
export function feedbackHtml(result: SubmissionResult, options: FeedbackOptions = {}): string {
  return renderFeedback(result, readRegistry(), options);
}

/**
 * What a student may see of a result as data: hidden tests keep their title and points, lose
 * their message; the grader's own diagnostics and the identity findings are left out.
 */
export function studentView(result: SubmissionResult): SubmissionResult {
  return {
    ...result,
    tests: result.tests.map((t) => (t.visibility === "hidden" || t.failure === "grader" ? { ...t, message: t.passed ? undefined : t.failure === "grader" ? "not graded (a problem of the grader)" : "a hidden test: details are not shown" } : t)),
    graderErrors: result.graderErrors.length ? ["the grader had a problem (not your code): it will be graded again"] : [],
    flags: [],
    others: [],
    source: "",
  };
}

/** What `npm run submit` checks in one notebook: graded cells all present, parses; stubs and syntax errors warned. */
export function validateNotebook(file: NotebookFile): { exercise: string; errors: string[]; warnings: string[] } {
  const registry = readRegistry();
  const entry = exerciseOf(file.name, registry);
  return { exercise: entry.name, ...checkForSubmissionText(entry, textOf(file.bytes), entry.notebook) };
}

// ── helpers ────────────────────────────────────────────────────────────────────────────────

function studentOf(student: unknown): string {
  if (typeof student !== "string" || !student.trim()) throw new GradeRequestError("a grade needs the student's id (from the caller's login)");
  const shown = printableLine(student, 128);
  if (shown !== student) throw new GradeRequestError(`student id ${JSON.stringify(shown)} holds control characters or is longer than 128 characters`);
  return student;
}

function timeOf(t: unknown): Date {
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) throw new GradeRequestError("submittedAt must be a valid Date (the server's time of submission)");
  return t;
}

function textOf(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

function exerciseOf(name: string, registry: Registry): ExerciseEntry {
  try {
    return findExercise(registry, name);
  } catch (err) {
    throw new GradeRequestError((err as Error).message);
  }
}

function exerciseNames(names: string[], registry: Registry): string[] {
  return [...new Set(names.map((n) => exerciseOf(n, registry).name))];
}

function notebooksOf(files: NotebookFile[], exercises: string[] | undefined): { registry: Registry; notebooks: Map<string, string>; problems: string[]; exercises: string[] } {
  const registry = readRegistry();
  const notebooks = new Map<string, string>();
  const problems: string[] = [];
  for (const f of files) {
    const entry = exerciseOf(f.name, registry);
    const size = typeof f.bytes === "string" ? Buffer.byteLength(f.bytes) : f.bytes.byteLength;
    if (size > MAX_NOTEBOOK_BYTES) problems.push(`refused ${entry.notebook}: ${size} bytes, more than the limit of ${MAX_NOTEBOOK_BYTES}`);
    else if (notebooks.has(entry.name)) problems.push(`${entry.notebook} was given twice: the first is graded`);
    else notebooks.set(entry.name, textOf(f.bytes));
  }
  const names = exerciseNames(exercises ?? files.map((f) => f.name), registry);
  if (!names.length) throw new GradeRequestError("nothing to grade: no notebook and no exercise given");
  return { registry, notebooks, problems, exercises: names };
}

/** One Grader per (scope, exercises), kept while the registry, specs and runtime sources are unchanged. */
const graders = new Map<string, { fingerprint: string; grader: Promise<Grader> }>();

function fingerprint(registry: Registry): string {
  const hash = crypto.createHash("sha256").update(JSON.stringify(registry));
  for (const f of specFilesPresent()) hash.update(f).update(fs.existsSync(f) ? fs.readFileSync(f) : "");
  return hash.update(compileRuntime().key).digest("hex");
}

function graderFor(hidden: boolean, exercises: string[], registry: Registry): Promise<Grader> {
  const key = `${hidden}:${[...exercises].sort().join(",")}`;
  const print = fingerprint(registry);
  const hit = graders.get(key);
  if (hit && hit.fingerprint === print) return hit.grader;
  const grader = (async () => {
    const g = new Grader({ hidden, exercises, registry, jobs: 1 });
    await g.tests();
    return g;
  })();
  grader.catch(() => graders.delete(key));
  graders.set(key, { fingerprint: print, grader });
  return grader;
}
