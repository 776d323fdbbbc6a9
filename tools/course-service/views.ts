/** The JSON shapes of API.md, built from gradebook rows. */
import type { Assignment } from "./gradebook";
import { ManualAnswer, manualMaxOf, questionsOf } from "./manualGrading";
import { formatInZone, lastAcceptedAt } from "./policy";
import type { SubmissionView } from "./submissions";

export function submissionJson(s: SubmissionView, showScore: boolean) {
  return {
    id: s.id,
    assignmentId: s.assignmentId,
    submittedAt: s.submittedAt.toISOString(),
    sha256: s.sha256,
    bytes: s.bytes,
    late: s.late,
    lateDays: s.lateDays,
    penaltyPercent: s.penaltyPercent,
    status: s.status,
    counts: s.counts,
    ...(showScore ? { score: scoreJson(s) } : {}),
  };
}

/**
 * A score: `points`/`max` are the autograder's, `manualPoints`/`manualMax` the written answers'
 * scored by hand so far, `total`/`totalMax` both, `final` the total after the late penalty.
 * `awaitingHandGrading` names the answers not scored yet (the total leaves them out until then).
 */
export function scoreJson(s: SubmissionView | undefined) {
  if (!s || s.points == null) return null;
  return {
    points: s.points,
    max: s.max,
    manualPoints: s.manualPoints,
    manualMax: s.manualMax,
    awaitingHandGrading: s.awaiting,
    total: s.total,
    totalMax: s.totalMax,
    penaltyPercent: s.penaltyPercent,
    final: s.final,
    late: s.late,
    lateDays: s.lateDays,
  };
}

/** One written answer as staff see it (the answer text only when loaded). */
export function manualAnswerJson(m: ManualAnswer) {
  return {
    manualId: m.manualId,
    title: m.title,
    max: m.max,
    ...(m.answer !== undefined ? { answer: m.answer } : {}),
    points: m.points,
    comment: m.comment,
    status: m.status,
    gradedBy: m.gradedBy,
    gradedAt: m.gradedAt ? m.gradedAt.toISOString() : null,
  };
}

export type AssignmentStatus = "not-open" | "open" | "submitted" | "graded" | "needs-attention" | "closed";

export function assignmentStatus(a: Assignment, counted: SubmissionView | undefined, dueAt: Date, now: Date): AssignmentStatus {
  if (now < a.opensAt) return "not-open";
  if (counted) {
    if (counted.status === "graded") return "graded";
    if (counted.status === "needs-attention") return "needs-attention";
    return "submitted";
  }
  const last = lastAcceptedAt(dueAt, a.latePolicy);
  return last && now > last ? "closed" : "open";
}

/** An assignment as one student sees it. */
export function assignmentJson(a: Assignment, subs: SubmissionView[], extension: Date | null, now: Date) {
  const dueAt = extension ?? a.dueAt;
  const counted = subs.find((s) => s.counts);
  return {
    id: a.id,
    title: a.title,
    exercise: a.exercise,
    notebook: `${a.exercise}.ipynb`,
    opensAt: a.opensAt.toISOString(),
    dueAt: a.dueAt.toISOString(),
    timeZone: a.timeZone,
    dueLocal: formatInZone(a.dueAt, a.timeZone),
    extensionDueAt: extension ? extension.toISOString() : null,
    effectiveDueAt: dueAt.toISOString(),
    latePolicy: a.latePolicy,
    resubmission: a.resubmission,
    maxPoints: a.maxPoints,
    manualMaxPoints: manualMaxOf(a.exercise),
    released: a.released,
    status: assignmentStatus(a, counted, dueAt, now),
    submission: counted ? { id: counted.id, submittedAt: counted.submittedAt.toISOString(), sha256: counted.sha256, late: counted.late, status: counted.status } : null,
    score: a.feedbackReleased ? scoreJson(counted) : null,
    feedbackReleased: a.feedbackReleased,
    feedbackUrl: a.feedbackReleased ? `feedback/${a.id}` : null,
  };
}

/** An assignment as staff see and edit it. */
export function assignmentAdminJson(a: Assignment) {
  return {
    id: a.id,
    exercise: a.exercise,
    title: a.title,
    opensAt: a.opensAt.toISOString(),
    dueAt: a.dueAt.toISOString(),
    timeZone: a.timeZone,
    dueLocal: formatInZone(a.dueAt, a.timeZone),
    opensLocal: formatInZone(a.opensAt, a.timeZone),
    latePolicy: a.latePolicy,
    resubmission: a.resubmission,
    released: a.released,
    feedbackReleased: a.feedbackReleased,
    maxPoints: a.maxPoints,
    manualQuestions: questionsOf(a.exercise),
    manualMaxPoints: manualMaxOf(a.exercise),
  };
}
