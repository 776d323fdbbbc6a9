/**
 * A submission as the grader grades it: whose it is and when it came, both decided outside the
 * files (by the caller, or by the collection channel: identity.ts), and the notebooks.
 */
import type { Flag, IdentitySource, OtherSubmission, TimeSource } from "./result";

export interface Submission {
  student: string;
  /** The archive or folder it came from, or what the caller named. */
  source: string;
  submittedAt: string | null;
  trust: { student: IdentitySource; submittedAt: TimeSource };
  /** The id the archive itself claims (its manifest), if any: compared, never trusted. */
  claimedStudent: string | null;
  /** exercise name → notebook text. */
  notebooks: Map<string, string>;
  /** What was wrong with it (refused files, manifest mismatches): shown in the feedback. */
  problems: string[];
  /** Identity and time findings for the instructor. */
  flags: Flag[];
  /** Other submissions of the same student that do not count. */
  others: OtherSubmission[];
}

/** A submission from a trusted caller (the course service): identity and time are the caller's. */
export function trustedSubmission(student: string, submittedAt: Date | null, notebooks: Map<string, string>, source = "caller", problems: string[] = []): Submission {
  return {
    student,
    source,
    submittedAt: submittedAt ? submittedAt.toISOString() : null,
    trust: { student: "caller", submittedAt: submittedAt ? "caller" : "none" },
    claimedStudent: null,
    notebooks,
    problems,
    flags: [],
    others: [],
  };
}
