/**
 * What the course service answers (tools/course-service/API.md): only the fields the panel reads.
 * Times are ISO 8601 strings in UTC, stamped by the server.
 */

export interface Me {
  user: string;
  role: 'instructor' | 'ta' | 'student' | 'none';
  name: string | null;
  csrfToken: string;
  serverTime: string;
  /** The course's default IANA time zone. */
  timeZone: string;
}

export type LatePolicy =
  | { kind: 'none' }
  | { kind: 'per-day'; percentPerDay: number; capPercent: number; maxDaysLate: number | null };

export type AssignmentStatus = 'not-open' | 'open' | 'submitted' | 'graded' | 'needs-attention' | 'closed';

export interface SubmissionSummary {
  id: string;
  submittedAt: string;
  sha256: string;
  late: boolean;
  status: string;
}

export interface Score {
  /** The autograder's points and maximum. */
  points: number;
  max: number;
  /** Written answers graded by hand: scored so far, and their maximum (absent from older services). */
  manualPoints?: number | null;
  manualMax?: number;
  /** Ids of the written answers not scored yet: the total leaves them out until then. */
  awaitingHandGrading?: string[];
  total?: number | null;
  totalMax?: number | null;
  penaltyPercent: number;
  /** The total after the late penalty. */
  final: number;
  late: boolean;
  lateDays: number;
}

export interface Assignment {
  id: string;
  title: string;
  exercise: string;
  /** The notebook's file name, e.g. "autoencoders.ipynb". */
  notebook: string;
  opensAt: string;
  dueAt: string;
  timeZone: string;
  /** The due date in the assignment's zone, as the service words it. */
  dueLocal: string;
  extensionDueAt: string | null;
  effectiveDueAt: string;
  latePolicy: LatePolicy;
  resubmission: 'last' | 'best';
  maxPoints: number;
  /** Points of the written answers graded by hand, on top of maxPoints (absent from older services). */
  manualMaxPoints?: number;
  status: AssignmentStatus;
  submission: SubmissionSummary | null;
  score: Score | null;
  feedbackReleased: boolean;
  /** "feedback/<id>" relative to the service, once released. */
  feedbackUrl: string | null;
}

export interface CheckTest {
  gradeId: string;
  title: string;
  points: number;
  passed: boolean;
  message: string | null;
}

export interface CheckResult {
  points: number;
  max: number;
  hiddenPoints: number;
  tests: CheckTest[];
  items: { gradeId: string; title: string; points: number; max: number }[];
  problems: string[];
}

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

export interface SubmitResult {
  receipt: Receipt;
  status: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
