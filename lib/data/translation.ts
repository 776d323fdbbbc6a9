/**
 * A toy translation task, generated: English number words to digits.
 *
 *   "four thousand two hundred seven"  →  "4207"
 *   "nineteen"                         →  "19"
 *
 * Small enough to train in a minute, yet a real sequence-to-sequence problem: the output is
 * not word-by-word (one word can give two digits, "hundred" gives none or a "0"), its length
 * differs from the input's, and the digits must come out in order. Train and test numbers are
 * disjoint, so exact match on the test set measures generalisation, not memory.
 */
import { permutation, random } from "../seed";

const ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/** 0 ≤ n ≤ 999,999 in words, without "and" or hyphens: 4207 → "four thousand two hundred seven". */
export function numberToWords(n: number): string {
  if (!(Number.isInteger(n) && n >= 0 && n < 1_000_000)) throw new Error(`numberToWords: ${n} is not an integer in 0..999999`);
  if (n === 0) return "zero";
  const below1000 = (k: number): string[] => {
    const words: string[] = [];
    if (k >= 100) {
      words.push(ONES[Math.floor(k / 100)], "hundred");
      k %= 100;
    }
    if (k >= 20) {
      words.push(TENS[Math.floor(k / 10)]);
      if (k % 10) words.push(ONES[k % 10]);
    } else if (k > 0) {
      words.push(ONES[k]);
    }
    return words;
  };
  const words: string[] = [];
  if (n >= 1000) words.push(...below1000(Math.floor(n / 1000)), "thousand");
  words.push(...below1000(n % 1000));
  return words.join(" ");
}

/** The words a number can use: the source vocabulary. */
export const NUMBER_WORDS: readonly string[] = [...ONES, ...TENS.filter(Boolean), "hundred", "thousand"];

export interface TranslationPair {
  source: string[]; // words
  target: string[]; // digits
  value: number;
}

export interface TranslationSplit {
  train: TranslationPair[];
  test: TranslationPair[];
}

/**
 * Numbers 0..maxValue split into disjoint train and test sets (seeded by the course's stream).
 * `trainSize`/`testSize` cap the sizes (default: all numbers, 10% test).
 */
export function numberTranslationData(options: { maxValue?: number; testFraction?: number; trainSize?: number; testSize?: number; rng?: () => number } = {}): TranslationSplit {
  const maxValue = options.maxValue ?? 9999;
  const order = permutation(maxValue + 1, options.rng ?? random);
  const nTest = Math.round((maxValue + 1) * (options.testFraction ?? 0.1));
  const pair = (value: number): TranslationPair => ({ source: numberToWords(value).split(" "), target: String(value).split(""), value });
  const test = order.slice(0, nTest).slice(0, options.testSize ?? nTest).map(pair);
  const train = order.slice(nTest).slice(0, options.trainSize ?? order.length).map(pair);
  return { train, test };
}

/** Token ↔ id for one side of a translation task, with the special tokens first. */
export class Seq2SeqVocab {
  static readonly PAD = "[PAD]";
  static readonly BOS = "[BOS]";
  static readonly EOS = "[EOS]";
  readonly tokens: string[];
  private readonly index: Map<string, number>;

  constructor(tokens: Iterable<string>) {
    const specials = [Seq2SeqVocab.PAD, Seq2SeqVocab.BOS, Seq2SeqVocab.EOS];
    this.tokens = [...specials, ...[...new Set(tokens)].filter((t) => !specials.includes(t))];
    this.index = new Map(this.tokens.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.tokens.length;
  }
  get padId(): number {
    return 0;
  }
  get bosId(): number {
    return 1;
  }
  get eosId(): number {
    return 2;
  }

  id(token: string): number {
    const i = this.index.get(token);
    if (i == null) throw new Error(`Seq2SeqVocab: unknown token "${token}"`);
    return i;
  }

  /** tokens → ids, optionally wrapped in [BOS] … [EOS], padded with [PAD] to `length`. */
  encode(tokens: string[], options: { bos?: boolean; eos?: boolean; length?: number } = {}): number[] {
    const ids = [...(options.bos ? [this.bosId] : []), ...tokens.map((t) => this.id(t)), ...(options.eos ? [this.eosId] : [])];
    if (options.length != null) {
      if (ids.length > options.length) throw new Error(`Seq2SeqVocab.encode: ${ids.length} tokens do not fit in length ${options.length}`);
      while (ids.length < options.length) ids.push(this.padId);
    }
    return ids;
  }

  /** ids → tokens, stopping at [EOS] and dropping [PAD] and [BOS]. */
  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === this.eosId) break;
      if (ids[i] === this.padId || ids[i] === this.bosId) continue;
      out.push(this.tokens[ids[i]]);
    }
    return out;
  }
}
