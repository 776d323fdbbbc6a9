/**
 * Text that a student controls (error messages, grade ids, archive entry names, file names), made
 * safe to show: bounded in length and with control characters made visible.
 *
 * A terminal obeys ANSI escapes (ESC [ … m recolours or hides text, ESC ] sets the title), a
 * spreadsheet or a summary shows a carriage return as a line break, and bidirectional overrides
 * (U+202E) reorder what a reader sees. None of them is ever needed in a grade id, an entry name or
 * a student id, so everywhere they are shown as escapes ("\x1b", "\u202e") instead of acting.
 */

/** C0 and C1 controls except tab and newline; DEL; bidi embeddings, overrides and isolates; zero-width marks. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** At most `max` characters (the cut marked with "…"). */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** Multi-line text (messages): control characters escaped, tabs and newlines kept, length capped. */
export function printable(value: unknown, max = 4000): string {
  return clip(String(value), max).replace(CONTROL, escapeChar);
}

/** One line (names, ids, CSV cells, summary lines): also newlines and tabs escaped. */
export function printableLine(value: unknown, max = 200): string {
  return clip(String(value), max).replace(CONTROL, escapeChar).replace(/\n/g, "\\n").replace(/\t/g, " ");
}

/** A list of notes, each capped, at most `maxItems` of them (then one saying how many were left out). */
export function capList(items: string[], maxItems = 50, maxEach = 1000): string[] {
  const out = items.slice(0, maxItems).map((s) => printable(s, maxEach));
  if (items.length > maxItems) out.push(`… and ${items.length - maxItems} more`);
  return out;
}
