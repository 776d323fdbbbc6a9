/**
 * TypeScript (and JavaScript) highlighting in one pass over the characters.
 *
 * Why not highlight.js for these: its TypeScript grammar is one large alternation of regular
 * expressions tried at every position, and on a lecture it took half of the whole export (about
 * 0.5 s of 1 s). A course shows TypeScript almost everywhere, so it gets this small lexer; other
 * languages still go through highlight.js (./highlight.ts).
 *
 * The output uses highlight.js's class names, so the one stylesheet (theme.css) styles both:
 *   keyword  string  number  literal  comment  regexp  built_in  title.function_  title.class_  attr  subst
 * It is a lexer, not a parser: a name is a function title when "(" follows it, a type when it
 * starts with a capital, an attribute when ":" follows it (as in `x: number` or `{ units: 64 }`).
 * "/" starts a regular expression where a value is expected (after an operator, "(", ",", a
 * keyword such as return, or at the start), and means division after a value.
 */
import { escapeHtml } from "./escape";

const KEYWORDS = new Set(
  ("abstract as async await break case catch class const continue debugger declare default delete do else enum export extends " +
    "finally for from function get if implements import in infer instanceof interface is keyof let module namespace new of " +
    "override private protected public readonly return satisfies set static super switch this throw try type typeof var void while with yield").split(" "),
);
const LITERALS = new Set(["true", "false", "null", "undefined", "NaN", "Infinity"]);
const BUILT_INS = new Set(
  ("any unknown never object number string boolean bigint symbol Array Boolean Date Error JSON Map Math Number Object Promise " +
    "Record Partial Readonly ReadonlyArray RegExp Set String Symbol Float32Array Int32Array Uint8Array console process require " +
    "globalThis setTimeout setImmediate parseInt parseFloat").split(" "),
);
/** After these keywords a "/" starts a regular expression, not a division. */
const VALUE_EXPECTED_AFTER = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

const span = (cls: string, text: string) => `<span class="hljs-${cls}">${escapeHtml(text)}</span>`;

/** Highlighted HTML (for inside <code>) of TypeScript or JavaScript source. */
export function highlightTypeScript(code: string): string {
  return new Lexer(code).run();
}

class Lexer {
  private at = 0;
  private out = "";
  /** True where a value may start (so "/" opens a regular expression). */
  private valueExpected = true;

  constructor(private readonly src: string) {}

  run(untilBrace = false): string {
    const s = this.src;
    let depth = 0;
    while (this.at < s.length) {
      const c = s.charCodeAt(this.at);
      const next = s.charCodeAt(this.at + 1);
      if (untilBrace && c === 125 /* } */ && depth === 0) break;
      if (c === 47 /* / */ && next === 47) this.comment(s.indexOf("\n", this.at));
      else if (c === 47 && next === 42 /* * */) this.comment(s.indexOf("*/", this.at + 2) + 2 || s.length);
      else if (c === 34 || c === 39 /* " ' */) this.quoted(c);
      else if (c === 96 /* ` */) this.template();
      else if (c === 47 && this.valueExpected) this.regexp();
      else if (isDigit(c) || (c === 46 && isDigit(next))) this.number();
      else if (isIdentStart(c)) this.word();
      else {
        if (untilBrace && c === 123) depth++;
        if (untilBrace && c === 125) depth--;
        this.other(c);
      }
    }
    return this.out;
  }

  private emit(cls: string | null, end: number, valueAfter: boolean): void {
    const text = this.src.slice(this.at, end);
    this.out += cls ? span(cls, text) : escapeHtml(text);
    this.at = end;
    this.valueExpected = valueAfter;
  }

  private comment(end: number): void {
    const keep = this.valueExpected; // a comment does not change what may follow
    this.emit("comment", end < 0 ? this.src.length : end, keep);
  }

  private quoted(quote: number): void {
    let i = this.at + 1;
    while (i < this.src.length) {
      const c = this.src.charCodeAt(i);
      if (c === 92 /* \ */) i += 2;
      else if (c === quote || c === 10) {
        i++;
        break;
      } else i++;
    }
    this.emit("string", Math.min(i, this.src.length), false);
  }

  /** `text ${expression} text`: the text is a string, each ${…} is highlighted as code. */
  private template(): void {
    const s = this.src;
    this.out += '<span class="hljs-string">`';
    let i = this.at + 1;
    let from = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) break;
      else if (c === 36 && s.charCodeAt(i + 1) === 123 /* ${ */) {
        this.out += escapeHtml(s.slice(from, i)) + '<span class="hljs-subst">${';
        const inner = new Lexer(s);
        inner.at = i + 2;
        this.out += inner.run(true);
        i = inner.at;
        if (i < s.length) {
          this.out += "}";
          i++;
        }
        this.out += "</span>";
        from = i;
      } else i++;
    }
    this.out += escapeHtml(s.slice(from, Math.min(i + 1, s.length))) + "</span>";
    this.at = Math.min(i + 1, s.length);
    this.valueExpected = false;
  }

  private regexp(): void {
    const s = this.src;
    let i = this.at + 1;
    let inClass = false;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 10) return this.emit(null, this.at + 1, true); // not a regular expression after all
      if (c === 92) i += 2;
      else {
        if (c === 91) inClass = true;
        else if (c === 93) inClass = false;
        else if (c === 47 && !inClass) break;
        i++;
      }
    }
    i++;
    while (i < s.length && isIdentPart(s.charCodeAt(i))) i++; // flags
    this.emit("regexp", Math.min(i, s.length), false);
  }

  private number(): void {
    const s = this.src;
    let i = this.at;
    const hex = s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X"); // 0xE-1 is a subtraction
    while (i < s.length && (isIdentPart(s.charCodeAt(i)) || s.charCodeAt(i) === 46)) {
      // 1e-5, 1.5e+3: a sign right after an exponent belongs to the number
      const c = s.charCodeAt(i);
      i++;
      if ((c === 101 || c === 69) && !hex && (s[i] === "-" || s[i] === "+")) i++;
    }
    this.emit("number", i, false);
  }

  private word(): void {
    const s = this.src;
    let i = this.at + 1;
    while (i < s.length && isIdentPart(s.charCodeAt(i))) i++;
    const word = s.slice(this.at, i);
    const afterDot = this.previousNonSpace() === 46; // obj.keyword is a property, not a keyword
    let j = i;
    while (s.charCodeAt(j) === 32) j++;
    const following = s.charCodeAt(j);
    if (!afterDot && KEYWORDS.has(word)) return this.emit("keyword", i, VALUE_EXPECTED_AFTER.has(word) || word !== "this");
    if (!afterDot && LITERALS.has(word)) return this.emit("literal", i, false);
    if (following === 40 /* ( */) return this.emit("title function_", i, false);
    if (!afterDot && BUILT_INS.has(word)) return this.emit("built_in", i, false);
    if (following === 58 /* : */ && s.charCodeAt(j + 1) !== 58) return this.emit("attr", i, false);
    if (!afterDot && word.charCodeAt(0) >= 65 && word.charCodeAt(0) <= 90) return this.emit("title class_", i, false);
    this.emit(null, i, false);
  }

  private other(c: number): void {
    // After a closing bracket a value has just ended; after any other punctuation one may start.
    const closes = c === 41 || c === 93 || c === 125; // ) ] }
    const space = c === 32 || c === 9 || c === 10 || c === 13;
    this.emit(null, this.at + 1, space ? this.valueExpected : !closes);
  }

  private previousNonSpace(): number {
    let i = this.at - 1;
    while (i >= 0 && (this.src.charCodeAt(i) === 32 || this.src.charCodeAt(i) === 10)) i--;
    return i >= 0 ? this.src.charCodeAt(i) : -1;
  }
}
