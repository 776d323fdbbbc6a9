/**
 * The ONE file that talks to the sandboxed grader (tools/grader). Everything else in the service
 * and the workers calls `gradeNotebook` with identity and time that the server decided, so moving
 * to the grader's public API (tools/grader/index.ts, `gradeNotebooks`) changes only this file.
 */
import type { Submission } from "../grader/archive";
import { Grader, SubmissionResult } from "../grader/grade";
import { readRegistry, Registry } from "../grader/registry";
import { escapeHtml, feedbackHtml } from "../grader/report";
import type { TestResult } from "../grader/runner";

export type { TestResult };
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
  max: number;
  tests: TestResult[];
  items: { exercise: string; gradeId: string; title: string; points: number; max: number }[];
  problems: string[];
  /** Failures of the grader, not of the student's code: the job is tried again. */
  graderErrors: string[];
  durationMs: number;
}

let registryCache: Registry | null = null;
export function courseRegistry(): Registry {
  return (registryCache ??= readRegistry());
}

const graders = new Map<string, Promise<Grader>>();

/** One Grader per (exercise, hidden), with its trusted test list loaded once. */
function graderFor(exercise: string, hidden: boolean): Promise<Grader> {
  const key = `${exercise}:${hidden}`;
  let g = graders.get(key);
  if (!g) {
    g = (async () => {
      const grader = new Grader({ hidden, exercises: [exercise], registry: courseRegistry(), jobs: 1 });
      await grader.tests();
      return grader;
    })();
    g.catch(() => graders.delete(key));
    graders.set(key, g);
  }
  return g;
}

export async function gradeNotebook(req: GradeRequest): Promise<GradeOutcome> {
  const grader = await graderFor(req.exercise, req.hidden);
  const sub: Submission = {
    student: req.student,
    source: "course-service",
    submittedAt: req.submittedAt.toISOString(),
    notebooks: new Map([[req.exercise, req.notebook]]),
    problems: [],
  };
  const r = await grader.grade(sub);
  return { points: r.total, max: r.max, tests: r.tests, items: r.items, problems: r.problems, graderErrors: r.graderErrors, durationMs: r.durationMs };
}

/** The grader's own feedback page for a stored result, with the service's notes (lateness) added. */
export function feedbackPage(student: string, submittedAt: Date, outcome: Omit<GradeOutcome, "durationMs">, notes: string[]): string {
  const result: SubmissionResult = {
    student,
    source: "course-service",
    submittedAt: submittedAt.toISOString(),
    problems: [...notes, ...outcome.problems],
    tests: outcome.tests,
    items: outcome.items,
    total: outcome.points,
    max: outcome.max,
    durationMs: 0,
    sandboxStarts: 0,
    graderErrors: outcome.graderErrors,
    attempts: 1,
  };
  return feedbackHtml(result, courseRegistry());
}
