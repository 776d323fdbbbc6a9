/**
 * What grading produces, and how points are counted.
 *
 * Points have one source: the solution notebook's metadata (`{"course": {"grade_id", "points"}}`),
 * copied into exercises/exercises.json by `npm run exercises`. The specs never state points; each
 * test has a weight (1 unless a spec says otherwise), and a graded cell's points are shared among
 * its tests, public and hidden together, in proportion to their weights. Where the hidden specs are
 * not present (a student's own copy), the share of a public test is unknown and stays null: the
 * student sees which tests pass and what the cell is worth, not invented numbers.
 */
import type { GradedTestInfo } from "./spec";
import type { Registry } from "./registry";

export type Visibility = "public" | "hidden";

export interface TestInfo extends GradedTestInfo {
  /** Unique: visibility + full title. */
  id: string;
  title: string;
  fullTitle: string;
  visibility: Visibility;
  /** This test's share of its cell's points; null when the hidden tests (and so the shares) are unknown. */
  points: number | null;
}

export interface TestResult extends TestInfo {
  passed: boolean;
  /** student: the code failed the test; grader: the grader itself failed (grade again). */
  failure?: "student" | "grader";
  message?: string;
  durationMs: number;
}

export interface ItemScore {
  exercise: string;
  gradeId: string;
  title: string;
  /** Points earned; null when the shares are unknown (public tests on a copy without the hidden specs). */
  points: number | null;
  /** Points the tests that ran could give (all of `max` when every test ran). */
  possible: number | null;
  /** The cell's points, from the solution notebook. */
  max: number;
  testsPassed: number;
  testsRun: number;
}

/** A written question graded by hand: the autograder reports it, never scores it. */
export interface ManualScore {
  exercise: string;
  manualId: string;
  title: string;
  /** Its points, from the solution notebook. */
  max: number;
  /** Always null from the grader: an instructor's score is stored by the course service, which fills it in for its feedback page. */
  points: number | null;
  status: "manual, ungraded" | "manual, graded";
  /** The instructor's comment (course service only). */
  comment?: string;
  /** What the student wrote (capped, as text), or null when the cell is missing or unanswered. */
  answer: string | null;
}

/** Where the student id came from: the caller (course service), the LMS export's file or folder name, or the archive's own claim. */
export type IdentitySource = "caller" | "file-name" | "folder-name" | "manifest" | "none";
/** Where the submission time came from: the caller (the server's clock), or the archive's own claim. */
export type TimeSource = "caller" | "manifest" | "none";

export type FlagKind =
  | "identity-mismatch" // the archive names another student than the collection channel
  | "identity-unclear" // no usable id from the channel
  | "time-future" // claimed time later than the grading run
  | "time-far-past" // claimed time before the plausible window
  | "time-missing"
  | "superseded-others" // this student handed in more than once; the others are listed in `others`
  | "order-uncertain"; // which submission counts rests on times that are missing, equal or flagged

export interface Flag {
  kind: FlagKind;
  message: string;
}

/** Another submission of the same student that does not count (it is listed, never silently dropped). */
export interface OtherSubmission {
  source: string;
  /** The id the archive itself claims, if any. */
  claimedStudent: string | null;
  submittedAt: string | null;
  why: string;
}

export type ResultStatus = "graded" | "grader-error" | "invalid";

export interface SubmissionResult {
  student: string;
  /** The archive or folder it came from, or what the caller named. */
  source: string;
  submittedAt: string | null;
  trust: { student: IdentitySource; submittedAt: TimeSource };
  /** "all": public and hidden tests (the grade); "public": public tests only (a check). */
  scope: "all" | "public";
  status: ResultStatus;
  /** Points earned (null in a check whose shares are unknown). */
  total: number | null;
  possible: number | null;
  max: number;
  items: ItemScore[];
  tests: TestResult[];
  /** Written questions the instructor grades by hand; not in `total` or `max`. */
  manual: ManualScore[];
  /** Their points in all. */
  manualMax: number;
  /** What was wrong with the submission itself (refused files, lost cells): shown to the student. */
  problems: string[];
  /** Identity and time findings for the instructor (never taken as truth, never hidden). */
  flags: Flag[];
  others: OtherSubmission[];
  /** Failures of the grader itself, not of the student's code; non-empty means "grade this again". */
  graderErrors: string[];
  durationMs: number;
  sandboxStarts: number;
  attempts: number;
}

/** A test's point share: the cell's points × its weight ÷ the weights of all the cell's tests. */
export function assignPoints<T extends GradedTestInfo>(tests: T[], registry: Registry, complete: boolean): (T & { points: number | null })[] {
  const cellPoints = new Map(registry.exercises.flatMap((e) => e.graded.map((g) => [g.gradeId, g.points] as [string, number])));
  const weights = new Map<string, number>();
  for (const t of tests) weights.set(t.gradeId, (weights.get(t.gradeId) ?? 0) + t.weight);
  return tests.map((t) => ({ ...t, points: complete ? ((cellPoints.get(t.gradeId) ?? 0) * t.weight) / (weights.get(t.gradeId) || 1) : null }));
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const sum = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0));

/** Scores per graded cell and in all, from the trusted test list and the runner's verdicts. */
export function scoreTests(tests: TestResult[], registry: Registry, exercises: string[]): { items: ItemScore[]; total: number | null; possible: number | null; max: number } {
  const items: ItemScore[] = [];
  for (const e of registry.exercises) {
    if (!exercises.includes(e.name)) continue;
    for (const g of e.graded) {
      const mine = tests.filter((t) => t.gradeId === g.gradeId);
      const known = mine.every((t) => t.points != null);
      items.push({
        exercise: e.name,
        gradeId: g.gradeId,
        title: g.title,
        points: known ? sum(mine.filter((t) => t.passed).map((t) => t.points!)) : null,
        possible: known ? sum(mine.map((t) => t.points!)) : null,
        max: g.points,
        testsPassed: mine.filter((t) => t.passed).length,
        testsRun: mine.length,
      });
    }
  }
  const known = items.every((i) => i.points != null);
  return {
    items,
    total: known ? sum(items.map((i) => i.points!)) : null,
    possible: known ? sum(items.map((i) => i.possible!)) : null,
    max: sum(items.map((i) => i.max)),
  };
}

/** The hand-graded questions of the exercises graded, with the answers found (by manual id). */
export function manualScores(registry: Registry, exercises: string[], answers: { exercise: string; manualId: string; answer: string | null }[]): { manual: ManualScore[]; manualMax: number } {
  const manual: ManualScore[] = [];
  for (const e of registry.exercises) {
    if (!exercises.includes(e.name)) continue;
    for (const m of e.manual ?? []) {
      const found = answers.find((a) => a.exercise === e.name && a.manualId === m.manualId);
      manual.push({ exercise: e.name, manualId: m.manualId, title: m.title, max: m.points, points: null, status: "manual, ungraded", answer: found?.answer ?? null });
    }
  }
  return { manual, manualMax: sum(manual.map((m) => m.max)) };
}

/** Points as people write them: 2, 0.75, 0.667. */
export function formatPoints(x: number | null): string {
  return x == null ? "?" : String(Math.round(x * 1000) / 1000);
}
