/**
 * Text preprocessing for a character model: normalise the text, then map each character to an
 * integer id and back.
 *
 *   "Call me Ishmael. Some years ago" ─preprocess─► "call me ishmael. some years ago"
 *   ─encode─► [14, 12, 23, 23, 0, ...] ─decode─► "call me ishmael. some years ago"
 *
 * Characters are Unicode code points (so "é" or an emoji is one character, not two UTF-16 units).
 */

export interface PreprocessOptions {
  /** Lowercase everything (default true): halves the vocabulary, and "The"/"the" share statistics. */
  lowercase?: boolean;
  /** Remove the digits 0-9 (default true). */
  removeDigits?: boolean;
  /** Turn "\r\n" and "\r" into "\n" (default true). */
  normaliseNewlines?: boolean;
}

/** Lowercases, removes digits and normalises line ends. */
export function preprocessText(text: string, options: PreprocessOptions = {}): string {
  let out = text;
  if (options.normaliseNewlines ?? true) out = out.replace(/\r\n?/g, "\n");
  if (options.lowercase ?? true) out = out.toLowerCase();
  if (options.removeDigits ?? true) out = out.replace(/[0-9]/g, "");
  return out;
}

/** A printable name for a character in messages: "e", "\\n", "U+00E9 é". */
export function describeChar(ch: string): string {
  const special: Record<string, string> = { "\n": "\\n", "\t": "\\t", " ": "space", "\r": "\\r" };
  if (special[ch]) return special[ch];
  const code = ch.codePointAt(0)!;
  return code < 128 && code >= 32 ? ch : `U+${code.toString(16).toUpperCase().padStart(4, "0")} ${ch}`;
}

export class CharVocab {
  /** id → character, sorted by code point (so the ids do not depend on the order of the text). */
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  constructor(chars: Iterable<string>) {
    this.chars = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    for (const ch of this.chars) {
      if ([...ch].length !== 1) throw new Error(`CharVocab: "${ch}" is not a single character`);
    }
    this.ids = new Map(this.chars.map((ch, i) => [ch, i]));
  }

  /** The vocabulary of every character in `text`. */
  static fromText(text: string): CharVocab {
    return new CharVocab(text);
  }

  get size(): number {
    return this.chars.length;
  }

  has(ch: string): boolean {
    return this.ids.has(ch);
  }

  id(ch: string): number {
    const id = this.ids.get(ch);
    if (id == null) throw new Error(`CharVocab: unknown character ${describeChar(ch)}`);
    return id;
  }

  /** The characters of `text` that the vocabulary does not know, with how often each occurs. */
  unknownChars(text: string): Map<string, number> {
    const unknown = new Map<string, number>();
    for (const ch of text) if (!this.ids.has(ch)) unknown.set(ch, (unknown.get(ch) ?? 0) + 1);
    return unknown;
  }

  /** Text → ids. Throws, listing every unknown character, if the text has any. */
  encode(text: string): Int32Array {
    const unknown = this.unknownChars(text);
    if (unknown.size > 0) {
      const list = [...unknown].map(([ch, n]) => `${describeChar(ch)} (${n}×)`).join(", ");
      throw new Error(`CharVocab.encode: ${unknown.size} unknown character${unknown.size > 1 ? "s" : ""}: ${list}. Preprocess the text the same way as the training text, or build the vocabulary from it.`);
    }
    const out = new Int32Array([...text].length);
    let i = 0;
    for (const ch of text) out[i++] = this.ids.get(ch)!;
    return out;
  }

  /** Ids → text. Throws on an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): string {
    let out = "";
    for (let i = 0; i < ids.length; i++) {
      const ch = this.chars[ids[i]];
      if (ch === undefined) throw new Error(`CharVocab.decode: id ${ids[i]} at position ${i} is outside 0..${this.size - 1}`);
      out += ch;
    }
    return out;
  }

  toJSON(): { chars: string[] } {
    return { chars: this.chars };
  }

  static fromJSON(json: { chars: string[] }): CharVocab {
    return new CharVocab(json.chars);
  }
}
