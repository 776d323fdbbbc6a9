/**
 * Terminal text to HTML: ANSI SGR colours and styles become spans, and carriage returns and
 * backspaces are applied the way a terminal shows them (a progress line rewritten with "\r"
 * shows only its last state).
 *
 * The 16 basic colours are classes (`ansi-red`, `ansi-bright-blue-bg`, …) so the light and
 * dark themes can choose readable shades; 256-colour and true-colour codes are inline styles.
 */
import { escapeHtml } from "./escape";

const NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

interface Style {
  fg?: string; // class name or "#rrggbb"
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

/** Applies "\r" (back to line start, later text overwrites) and "\b" (erase one character). */
export function applyControlCharacters(text: string): string {
  if (!/[\r\b]/.test(text)) return text;
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      let out = "";
      for (const segment of line.split("\r")) {
        // each segment overwrites the start of the line so far
        let s = "";
        for (const ch of segment) s = ch === "\b" ? s.slice(0, -1) : s + ch;
        out = s + out.slice(s.length);
      }
      return out;
    })
    .join("\n");
}

function color256(n: number): string {
  if (n < 16) return n < 8 ? `ansi-${NAMES[n]}` : `ansi-bright-${NAMES[n - 8]}`;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return hex(v, v, v);
  }
  const i = n - 16;
  const level = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return hex(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
}

function hex(r: number, g: number, b: number): string {
  return "#" + [r, g, b].map((c) => Math.max(0, Math.min(255, c)).toString(16).padStart(2, "0")).join("");
}

function applyCodes(style: Style, codes: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) Object.keys(s).forEach((k) => delete (s as Record<string, unknown>)[k]);
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c === 27) s.inverse = false;
    else if (c >= 30 && c <= 37) s.fg = `ansi-${NAMES[c - 30]}`;
    else if (c === 39) delete s.fg;
    else if (c >= 40 && c <= 47) s.bg = `ansi-${NAMES[c - 40]}`;
    else if (c === 49) delete s.bg;
    else if (c >= 90 && c <= 97) s.fg = `ansi-bright-${NAMES[c - 90]}`;
    else if (c >= 100 && c <= 107) s.bg = `ansi-bright-${NAMES[c - 100]}`;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const v = color256(codes[i + 2] ?? 0);
      if (c === 38) s.fg = v;
      else s.bg = v;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      const v = hex(codes[i + 2] ?? 0, codes[i + 3] ?? 0, codes[i + 4] ?? 0);
      if (c === 38) s.fg = v;
      else s.bg = v;
      i += 4;
    }
  }
  return s;
}

function open(style: Style): string {
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) {
    [fg, bg] = [bg ?? "ansi-default-bg", fg ?? "ansi-default-fg"];
  }
  const classes: string[] = [];
  const css: string[] = [];
  if (fg) fg.startsWith("#") ? css.push(`color:${fg}`) : classes.push(fg.endsWith("-bg") ? fg.replace(/-bg$/, "-fg") : fg);
  if (bg) bg.startsWith("#") ? css.push(`background-color:${bg}`) : classes.push(bg.endsWith("-fg") ? bg.replace(/-fg$/, "-bg") : `${bg}-bg`);
  if (style.bold) classes.push("ansi-bold");
  if (style.dim) classes.push("ansi-dim");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  if (!classes.length && !css.length) return "";
  return `<span${classes.length ? ` class="${classes.join(" ")}"` : ""}${css.length ? ` style="${css.join(";")}"` : ""}>`;
}

/** Terminal text (with escapes) → HTML for inside a <pre>. */
export function ansiToHtml(raw: string): string {
  const text = applyControlCharacters(raw);
  // SGR sequences become styles; every other escape sequence (cursor moves, …) is dropped.
  const re = /\x1b\[([0-9;]*)([A-Za-z])|\x1b\][^\x07]*\x07|\x1b[()][A-Za-z0-9]/g;
  let out = "";
  let style: Style = {};
  let spanOpen = "";
  let last = 0;
  const flush = (chunk: string) => {
    if (!chunk) return;
    out += spanOpen ? `${spanOpen}${escapeHtml(chunk)}</span>` : escapeHtml(chunk);
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    flush(text.slice(last, m.index));
    last = re.lastIndex;
    if (m[2] === "m") {
      const codes = m[1] === "" ? [0] : m[1].split(";").map((x) => Number(x) || 0);
      style = applyCodes(style, codes);
      spanOpen = open(style);
    }
  }
  flush(text.slice(last));
  return out;
}

/** Removes every escape sequence (for plain-text uses such as the summary). */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Za-z0-9]/g, "");
}
