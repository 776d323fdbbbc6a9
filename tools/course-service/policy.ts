/**
 * Deadlines, time zones, late penalties and which submission counts: pure functions of their
 * arguments, so an extension granted later recomputes every penalty just by being read again.
 */

export type LatePolicy = { kind: "none" } | { kind: "per-day"; percentPerDay: number; capPercent: number; maxDaysLate: number | null };
export type Resubmission = "last" | "best";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Throws a readable error unless `zone` is an IANA time zone this Node knows. */
export function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    throw new Error(`"${zone}" is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC`);
  }
}

/** The zone's offset from UTC at instant `ms`, in minutes (Berlin in winter: 60). */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * "2026-12-10T23:59" read in `zone`, or an ISO time with its own offset ("…Z", "…+01:00"),
 * to a Date. A local time that a daylight-saving change skips is moved forward past the gap.
 */
export function parseCourseTime(text: string, zone: string, field = "time"): Date {
  if (typeof text !== "string") throw new Error(`${field} must be a string such as "2026-12-10T23:59"`);
  if (WITH_OFFSET.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const m = LOCAL.exec(text);
  if (!m) throw new Error(`${field} "${text}" is not a time: write "YYYY-MM-DDTHH:MM" (read in ${zone}) or an ISO time with an offset such as "2026-12-10T23:59+01:00"`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(guess);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new Error(`${field} "${text}" is not a valid date`);
  let utc = guess - zoneOffsetMinutes(zone, guess) * 60000;
  utc = guess - zoneOffsetMinutes(zone, utc) * 60000;
  return new Date(utc);
}

/** "2026-12-10 23:59 (Europe/Berlin, UTC+01:00)": how a due date is shown to people. */
export function formatInZone(date: Date, zone: string): string {
  const offset = zoneOffsetMinutes(zone, date.getTime());
  const local = new Date(date.getTime() + offset * 60000).toISOString();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local.slice(0, 10)} ${local.slice(11, 16)} (${zone}, UTC${sign}${hhmm})`;
}

/** Checks a late policy from a request; the message names what is wrong. */
export function parseLatePolicy(value: unknown): LatePolicy {
  const v = value as Record<string, unknown>;
  if (!v || typeof v !== "object") throw new Error(`latePolicy must be {"kind": "none"} or {"kind": "per-day", "percentPerDay": 10, "capPercent": 100, "maxDaysLate": null}`);
  if (v.kind === "none") {
    const extra = Object.keys(v).filter((k) => k !== "kind");
    if (extra.length) throw new Error(`latePolicy {"kind": "none"} takes no other fields (got ${extra.join(", ")})`);
    return { kind: "none" };
  }
  if (v.kind !== "per-day") throw new Error(`latePolicy.kind must be "none" or "per-day", not ${JSON.stringify(v.kind)}`);
  const extra = Object.keys(v).filter((k) => !["kind", "percentPerDay", "capPercent", "maxDaysLate"].includes(k));
  if (extra.length) throw new Error(`latePolicy has unknown field(s) ${extra.join(", ")}`);
  const pct = (name: string, x: unknown, dflt?: number) => {
    if (x === undefined && dflt !== undefined) return dflt;
    if (typeof x !== "number" || !(x >= 0 && x <= 100)) throw new Error(`latePolicy.${name} must be a number from 0 to 100`);
    return x;
  };
  const maxDaysLate = v.maxDaysLate ?? null;
  if (maxDaysLate !== null && !(Number.isInteger(maxDaysLate) && (maxDaysLate as number) >= 0)) throw new Error("latePolicy.maxDaysLate must be a whole number of days ≥ 0, or null for no limit");
  return { kind: "per-day", percentPerDay: pct("percentPerDay", v.percentPerDay), capPercent: pct("capPercent", v.capPercent, 100), maxDaysLate: maxDaysLate as number | null };
}

export function describeLatePolicy(p: LatePolicy): string {
  if (p.kind === "none") return "no late work";
  return `−${p.percentPerDay} % per started day late, at most −${p.capPercent} %${p.maxDaysLate == null ? "" : `; not accepted more than ${p.maxDaysLate} day(s) late`}`;
}

export interface Lateness {
  late: boolean;
  /** Started days after the effective due date (0 when on time). */
  lateDays: number;
  penaltyPercent: number;
  /** False when the policy refuses a submission this late. */
  accepted: boolean;
}

export function lateness(submittedAt: Date, dueAt: Date, policy: LatePolicy): Lateness {
  const overMs = submittedAt.getTime() - dueAt.getTime();
  if (overMs <= 0) return { late: false, lateDays: 0, penaltyPercent: 0, accepted: true };
  const lateDays = Math.ceil(overMs / DAY_MS);
  if (policy.kind === "none") return { late: true, lateDays, penaltyPercent: 100, accepted: false };
  const accepted = policy.maxDaysLate == null || lateDays <= policy.maxDaysLate;
  return { late: true, lateDays, penaltyPercent: Math.min(policy.capPercent, policy.percentPerDay * lateDays), accepted };
}

/** The last moment a submission is accepted (null: no limit). */
export function lastAcceptedAt(dueAt: Date, policy: LatePolicy): Date | null {
  if (policy.kind === "none") return dueAt;
  if (policy.maxDaysLate == null) return null;
  return new Date(dueAt.getTime() + policy.maxDaysLate * DAY_MS);
}

export function finalScore(points: number, penaltyPercent: number): number {
  return Math.round(points * (1 - penaltyPercent / 100) * 1000) / 1000;
}

export interface Candidate {
  id: string;
  submittedAt: Date;
  late: boolean;
  /** Points after penalty; null while not graded. */
  final: number | null;
}

/**
 * Which submission counts. "last": the latest. "best": the highest final score among those on
 * time; a student with none on time has their best late one; ungraded ones count only when
 * nothing is graded yet (then the latest).
 */
export function countedSubmission<C extends Candidate>(subs: C[], policy: Resubmission): C | null {
  if (!subs.length) return null;
  const latest = subs.reduce((a, b) => (b.submittedAt > a.submittedAt ? b : a));
  if (policy === "last") return latest;
  const best = (xs: C[]) => xs.filter((s) => s.final != null).reduce<C | null>((a, b) => (a == null || b.final! > a.final! || (b.final === a.final && b.submittedAt > a.submittedAt) ? b : a), null);
  return best(subs.filter((s) => !s.late)) ?? best(subs) ?? latest;
}
