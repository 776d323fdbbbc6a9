/**
 * Whose submission it is and when it came: never from inside the files alone.
 *
 * The course service passes the logged-in user and the server's time (submission.ts). An
 * instructor grading a folder of archives has a collection channel too: the LMS export names each
 * file (or folder) after the student, and that name is the identity (`--student-from file-name`, the
 * default, or `folder-name`; `--student-pattern` picks the id out of the name). The manifest's id is
 * then only compared: a mismatch is flagged, never obeyed. Trusting the manifest instead
 * (`--student-from manifest`) is possible and said so in the summary.
 *
 * Time: an archive's own timestamp is the submitter's claim. It orders one student's submissions
 * (the latest counts), but a claim in the future or far in the past is flagged, and whenever the
 * order rests on such a claim (or on a missing or equal one) the choice is flagged as uncertain.
 * Every submission that does not count is listed with the one that does, in every report.
 */
import * as path from "path";
import type { Unpacked } from "./archive";
import type { Flag, IdentitySource, OtherSubmission } from "./result";
import type { Submission } from "./submission";
import { printableLine } from "./text";

export type IdentityChannel = "file-name" | "folder-name" | "manifest";

export interface IdentityOptions {
  from: IdentityChannel;
  /** Applied to the file or folder name; the first group (or the whole match) is the id. */
  pattern?: RegExp;
  /** The grading run's time: claimed times later than this (and a few minutes of clock skew) are flagged. */
  now?: Date;
  /** Claimed times before this are flagged as far past (default: a year before `now`). */
  notBefore?: Date;
}

/** `npm run submit`'s file name, `<id>-YYYYMMDD-HHMMSS.tar.gz`, maybe with a browser's " (1)". */
export const DEFAULT_FILE_PATTERN = /^(.+?)(?:-\d{8}-\d{6})?(?: ?\(\d+\))?\.(?:tar\.gz|tgz)$/;
const CLOCK_SKEW_MS = 10 * 60_000;
const YEAR_MS = 365 * 86_400_000;

/** The name the channel gives: the archive's file name, or the folder that holds it (an unpacked submission is its own folder). */
export function channelName(source: string, from: "file-name" | "folder-name", isFolder: boolean): string {
  return from === "folder-name" && !isFolder ? path.basename(path.dirname(source)) : path.basename(source);
}

/** The id in a channel name, or null when the pattern does not match. */
export function idFromName(name: string, pattern: RegExp | undefined, isFolder: boolean): string | null {
  const re = pattern ?? (isFolder ? /^(.+)$/ : DEFAULT_FILE_PATTERN);
  const m = re.exec(name);
  const id = m ? (m[1] ?? m[0]) : null;
  return id && id.trim() ? id.trim() : null;
}

/** Decides a submission's identity and time from the channel, flagging what the archive claims otherwise. */
export function identify(unpacked: Unpacked, options: IdentityOptions, isFolder = false): Submission {
  const flags: Flag[] = [];
  const { claimed } = unpacked;
  let student: string;
  let source: IdentitySource;
  if (options.from === "manifest") {
    source = claimed.student ? "manifest" : "file-name";
    student = claimed.student ?? printableLine(path.basename(unpacked.source), 128);
    if (!claimed.student) flags.push({ kind: "identity-unclear", message: `the archive names no valid student: graded under its file name` });
  } else {
    source = options.from;
    const name = channelName(unpacked.source, options.from, isFolder);
    const id = idFromName(name, options.pattern, isFolder);
    student = printableLine(id ?? name, 128);
    if (!id) flags.push({ kind: "identity-unclear", message: `the ${options.from === "file-name" ? "file" : "folder"} name "${printableLine(name, 128)}" does not match the student pattern: graded under the whole name` });
    else if (student !== id) flags.push({ kind: "identity-unclear", message: `the ${options.from === "file-name" ? "file" : "folder"} name holds control characters or is too long: shown escaped` });
    if (claimed.student && claimed.student !== student) {
      flags.push({ kind: "identity-mismatch", message: `the archive says it is ${printableLine(claimed.student, 64)}'s; graded as ${student}'s (from its ${options.from === "file-name" ? "file" : "folder"} name)` });
    }
  }
  const now = options.now ?? new Date();
  const notBefore = options.notBefore ?? new Date(now.getTime() - YEAR_MS);
  if (!claimed.createdAt) flags.push({ kind: "time-missing", message: "the archive gives no time of submission" });
  else if (Date.parse(claimed.createdAt) > now.getTime() + CLOCK_SKEW_MS) flags.push({ kind: "time-future", message: `the archive claims it was made at ${claimed.createdAt}, after this grading run (${now.toISOString()})` });
  else if (Date.parse(claimed.createdAt) < notBefore.getTime()) flags.push({ kind: "time-far-past", message: `the archive claims it was made at ${claimed.createdAt}, before ${notBefore.toISOString().slice(0, 10)}` });
  return {
    student,
    source: unpacked.source,
    submittedAt: claimed.createdAt,
    trust: { student: source, submittedAt: claimed.createdAt ? "manifest" : "none" },
    claimedStudent: claimed.student,
    notebooks: unpacked.notebooks,
    problems: unpacked.problems,
    flags,
    others: [],
  };
}

const TIME_FLAGS = new Set(["time-future", "time-far-past", "time-missing"]);

/**
 * One submission per student: the latest by claimed time. The others are listed with it (and
 * flagged), and when the choice rests on missing, equal or implausible times it is flagged uncertain.
 */
export function latestPerStudent(subs: Submission[]): Submission[] {
  const groups = new Map<string, Submission[]>();
  for (const s of subs) groups.set(s.student, [...(groups.get(s.student) ?? []), s]);
  const kept: Submission[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => (a.submittedAt ?? "").localeCompare(b.submittedAt ?? "") || a.source.localeCompare(b.source));
    const latest = sorted[sorted.length - 1];
    if (sorted.length === 1) {
      kept.push(latest);
      continue;
    }
    const others: OtherSubmission[] = sorted.slice(0, -1).map((s) => ({
      source: s.source,
      claimedStudent: s.claimedStudent,
      submittedAt: s.submittedAt,
      why: `superseded by ${path.basename(latest.source)}${latest.submittedAt ? ` (${latest.submittedAt})` : ""}${s.flags.length ? `; its own flags: ${s.flags.map((f) => f.kind).join(", ")}` : ""}`,
    }));
    const flags: Flag[] = [...latest.flags, { kind: "superseded-others", message: `${others.length} other submission(s) of ${latest.student} do not count: ${others.map((o) => path.basename(o.source)).join(", ")}` }];
    const times = sorted.map((s) => s.submittedAt);
    const uncertain = sorted.some((s) => s.flags.some((f) => TIME_FLAGS.has(f.kind))) || new Set(times).size < times.length;
    if (uncertain) flags.push({ kind: "order-uncertain", message: `which submission counts rests on times the archives claim, and some are missing, equal or implausible: check ${[latest, ...sorted.slice(0, -1)].map((s) => path.basename(s.source)).join(", ")}` });
    kept.push({ ...latest, flags, others });
  }
  return kept;
}
