/**
 * The ONE file that talks to the sandboxed grader, through its public API (tools/grader/index.ts).
 * Everything else in the service and the workers calls `gradeNotebook` with identity and time that
 * the server decided; the grader never reads either from the notebook.
 */
import * as fs from "fs";
import * as path from "path";
import { checkNotebooks, feedbackHtml, gradeNotebooks, listExercises, modelAnswers, writtenAnswersInText } from "../grader/index";
import type { ExerciseEntry, ManualScore, SubmissionResult, TestResult } from "../grader/index";
import { REPO_ROOT } from "../grader/paths";
import { escapeHtml } from "../grader/report";

export type { ManualScore, TestResult };
export { escapeHtml };

export interface GradeRequest {
  /** The hub user name: decided by the server from the login. */
  student: string;
  /** The server's time of submission. */
  submittedAt: Date;
  exercise: string;
  notebook: string;
  /** true: public + hidden tests (grading); false: public only (Check). */
  hidden: boolean;
}

export interface GradeOutcome {
  points: number;
  /** What the tests that ran could give: the whole assignment when grading, the public share for a check. */
  max: number;
  tests: TestResult[];
  items: { exercise: string; gradeId: string; title: string; points: number; max: number }[];
  problems: string[];
  /** Failures of the grader, not of the student's code: the job is tried again. */
  graderErrors: string[];
  /** Written questions graded by hand: the grader reports them "manual, ungraded" with the answers; results.manual stores them. */
  manual?: ManualScore[];
  durationMs: number;
}

/** The exercises as the course released them (exercises/exercises.json), read once. */
let exercisesCache: ExerciseEntry[] | null = null;
export function courseRegistry(): { exercises: ExerciseEntry[] } {
  return { exercises: (exercisesCache ??= listExercises()) };
}

/** The written answers in a stored notebook (for results graded before the gradebook kept them): manual id → answer. */
export function answersInNotebook(exercise: string, notebook: string): Map<string, string | null> {
  const entry = courseRegistry().exercises.find((e) => e.name === exercise);
  if (!entry) return new Map();
  return new Map(writtenAnswersInText(notebook, entry).map((a) => [a.manualId, a.answer]));
}

/** manual id → the model answer in the solution notebook: for instructors' pages only, never a student's. */
export function modelAnswersOf(exercise: string): Map<string, string> {
  const entry = courseRegistry().exercises.find((e) => e.name === exercise);
  try {
    return entry ? modelAnswers(fs.readFileSync(path.join(REPO_ROOT, "solutions", entry.notebook), "utf8")) : new Map();
  } catch {
    return new Map(); // a deployment without solutions/: the page says there is no model answer
  }
}

export async function gradeNotebook(req: GradeRequest): Promise<GradeOutcome> {
  const notebooks = [{ name: req.exercise, bytes: req.notebook }];
  const r = req.hidden
    ? await gradeNotebooks({ student: req.student, submittedAt: req.submittedAt, notebooks, exercises: [req.exercise], source: "course service" })
    : await checkNotebooks({ student: req.student, notebooks, exercises: [req.exercise] });
  return outcomeOf(r);
}

/** The service stores plain numbers: on the server the hidden specs are present, so every share is known. */
function outcomeOf(r: SubmissionResult): GradeOutcome {
  const known = (x: number | null, what: string) => {
    if (x == null) throw new Error(`the grader gave no ${what}: are the hidden specs missing on the server?`);
    return x;
  };
  return {
    points: known(r.total, "total"),
    max: r.scope === "public" ? known(r.possible, "possible points") : r.max,
    tests: r.tests,
    items: r.items.map((i) => ({ exercise: i.exercise, gradeId: i.gradeId, title: i.title, points: known(i.points, `points for ${i.gradeId}`), max: i.max })),
    problems: r.problems,
    graderErrors: r.graderErrors,
    manual: r.manual,
    durationMs: r.durationMs,
  };
}

/** The grader's own feedback page for a stored result, with the service's notes (lateness) added. */
export function feedbackPage(student: string, submittedAt: Date, outcome: Omit<GradeOutcome, "durationMs">, notes: string[]): string {
  const result: SubmissionResult = {
    student,
    source: "course service",
    submittedAt: submittedAt.toISOString(),
    trust: { student: "caller", submittedAt: "caller" },
    scope: "all",
    status: outcome.graderErrors.length ? "grader-error" : "graded",
    total: outcome.points,
    possible: outcome.max,
    max: outcome.max,
    items: outcome.items.map((i) => ({ ...i, possible: i.max, testsPassed: 0, testsRun: 0 })),
    tests: outcome.tests,
    manual: outcome.manual ?? [],
    manualMax: (outcome.manual ?? []).reduce((s, m) => s + m.max, 0),
    problems: outcome.problems,
    flags: [],
    others: [],
    graderErrors: outcome.graderErrors,
    durationMs: 0,
    sandboxStarts: 0,
    attempts: 1,
  };
  for (const item of result.items) {
    const mine = outcome.tests.filter((t) => t.gradeId === item.gradeId);
    item.testsRun = mine.length;
    item.testsPassed = mine.filter((t) => t.passed).length;
  }
  return feedbackHtml(result, { notes, handGrading: true });
}
