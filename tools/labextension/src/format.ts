/**
 * Words for what the panel shows: dates with their time zone spelled out, scores with their
 * late penalty, statuses. Pure functions (no DOM, no JupyterLab), so mocha checks them
 * (tests/hub/labextensionFormat.spec.ts).
 */
import type { Assignment, AssignmentStatus, LatePolicy, Score } from './types';

/**
 * "2026-12-10 23:59 Europe/Berlin (UTC+01:00)": a wall-clock time that names its zone and offset
 * ("… 22:59 UTC" in UTC). `seconds` for receipts, where the second matters.
 */
export function formatInstant(iso: string, timeZone: string, options: { seconds?: boolean } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
    timeZoneName: 'longOffset'
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find(p => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}${options.seconds ? `:${part('second')}` : ''}`;
  const wall = `${part('year')}-${part('month')}-${part('day')} ${time} ${timeZone}`;
  if (timeZone === 'UTC') return wall;
  const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace('GMT', 'UTC');
  return `${wall} (${offset})`;
}

/** "in 2 days 3 h", "5 min ago": how far `targetMs` is from `nowMs`. */
export function relativeTime(targetMs: number, nowMs: number): string {
  const diff = targetMs - nowMs;
  const abs = Math.abs(diff);
  const minutes = Math.floor(abs / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  let span: string;
  if (days >= 1) span = `${days} day${days === 1 ? '' : 's'}${hours % 24 ? ` ${hours % 24} h` : ''}`;
  else if (hours >= 1) span = `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  else span = `${Math.max(minutes, 1)} min`;
  return diff >= 0 ? `in ${span}` : `${span} ago`;
}

/**
 * The due date for this student: in the assignment's zone, in the student's own zone when it
 * differs, whether an extension moved it, and how far away it is (by the server's clock).
 */
export function describeDue(a: Assignment, nowMs: number, viewerZone: string): { due: string; yourTime: string | null; extension: string | null; relative: string } {
  const effective = a.effectiveDueAt || a.dueAt;
  const due = formatInstant(effective, a.timeZone);
  const yourTime = viewerZone && viewerZone !== a.timeZone ? formatInstant(effective, viewerZone) : null;
  const extension = a.extensionDueAt ? `Extended for you; the class's due date is ${formatInstant(a.dueAt, a.timeZone)}.` : null;
  return { due, yourTime, extension, relative: relativeTime(Date.parse(effective), nowMs) };
}

export function describeLatePolicy(p: LatePolicy): string {
  if (p.kind === 'none') return 'No late work: submissions after the due date are refused.';
  const parts = [`Late work loses ${p.percentPerDay} % per started day`];
  if (p.capPercent < 100) parts.push(`at most ${p.capPercent} %`);
  const tail = p.maxDaysLate === null ? '' : `; refused after ${p.maxDaysLate} day${p.maxDaysLate === 1 ? '' : 's'}`;
  return `${parts.join(', ')}${tail}.`;
}

/**
 * "9.9 / 13 (11 points, −10 % for 1 day late)"; with written answers graded by hand the maximum
 * includes them and their points are shown, "17.5 / 18 (written answers 1.5 / 2)", or that they
 * are not scored yet: "16 / 18 (written answer awaiting hand grading)".
 */
export function describeScore(s: Score): string {
  const final = `${round(s.final)} / ${round(s.totalMax ?? s.max)}`;
  const notes: string[] = [];
  if (s.late && s.penaltyPercent !== 0) notes.push(`${round(s.total ?? s.points)} points, −${round(s.penaltyPercent)} % for ${s.lateDays} day${s.lateDays === 1 ? '' : 's'} late`);
  const waiting = s.awaitingHandGrading?.length ?? 0;
  if (waiting) notes.push(`${waiting === 1 ? 'written answer' : `${waiting} written answers`} awaiting hand grading`);
  else if (s.manualMax) notes.push(`written answers ${round(s.manualPoints ?? 0)} / ${round(s.manualMax)}`);
  return notes.length ? `${final} (${notes.join('; ')})` : final;
}

const STATUS: Record<AssignmentStatus, string> = {
  'not-open': 'Not open yet',
  open: 'Open: nothing submitted yet',
  submitted: 'Submitted: waiting for grading',
  graded: 'Graded',
  'needs-attention': 'Submitted: grading needs your instructor',
  closed: 'Closed: nothing was submitted'
};

export function statusLabel(status: AssignmentStatus | string): string {
  return STATUS[status as AssignmentStatus] ?? status;
}

/** Points as people write them: at most two decimals, no trailing zeros. */
export function round(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** "autoencoders.ipynb" -> "autoencoders". */
export function stem(fileName: string): string {
  return fileName.replace(/\.ipynb$/i, '');
}

/**
 * Whether a file in the home folder is a copy of this assignment's notebook: its own name, or
 * one the panel made beside it ("autoencoders-original.ipynb", "autoencoders-original-2.ipynb").
 */
export function isAssignmentFile(filePath: string, notebook: string): boolean {
  const name = filePath.split('/').pop() ?? filePath;
  if (!/\.ipynb$/i.test(name)) return false;
  const base = stem(notebook);
  return name === notebook || new RegExp(`^${escapeRegExp(base)}-original(-\\d+)?\\.ipynb$`, 'i').test(name);
}

/** The first of "<stem>-original.ipynb", "<stem>-original-2.ipynb", ... not in `taken`. */
export function freeOriginalName(notebook: string, taken: (name: string) => boolean): string {
  const base = stem(notebook);
  for (let i = 1; ; i++) {
    const name = i === 1 ? `${base}-original.ipynb` : `${base}-original-${i}.ipynb`;
    if (!taken(name)) return name;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
