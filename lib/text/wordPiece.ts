/**
 * A WordPiece-style subword tokenizer, trained here on the course's own text.
 *
 * Text → words: lowercase, strip accents, split on whitespace, and make every punctuation mark
 * a word of its own ("don't!" → don ' t !), as BERT's "uncased" tokenizer does.
 *
 * Words → pieces: each word is cut greedily, longest piece first, into pieces of the vocabulary;
 * a piece that continues a word carries a "##" prefix ("unhappily" → un ##happ ##ily). A word
 * that cannot be cut (a character never seen in training) becomes the single token [UNK].
 *
 * Learning the vocabulary: start from every character (word-initial "c" and continuing "##c"),
 * then repeatedly merge the most frequent adjacent pair of pieces inside words, until the
 * vocabulary has the size asked for. (That is how Hugging Face's WordPiece trainer builds it;
 * Google's original ranks pairs by a likelihood score instead of plain frequency.)
 */

export const PAD = "[PAD]";
export const UNK = "[UNK]";
export const CLS = "[CLS]";
export const SEP = "[SEP]";
export const MASK = "[MASK]";
/** The special tokens, in the order they take ids 0..4 (0 = [PAD], so padding is all zeros). */
export const SPECIAL_TOKENS: readonly string[] = [PAD, UNK, CLS, SEP, MASK];

const CONTINUATION = "##";
/** Splits text around literal special tokens; the capture group keeps them (at odd indices). */
const SPECIAL_PATTERN = /(\[PAD\]|\[UNK\]|\[CLS\]|\[SEP\]|\[MASK\])/;
const MAX_WORD_CHARS = 100;

/** Lowercase and strip accents ("Café" → "cafe"); curly quotes become straight ones, control characters spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[\p{Cc}\p{Cf}]/gu, " ")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .toLowerCase();
}

/** Normalised words: runs of letters and digits, and every other visible character on its own. */
export function preTokenize(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

export interface WordPieceTrainOptions {
  /** Vocabulary size to stop at, special tokens included (default 4000). */
  vocabSize?: number;
  /** Characters seen fewer times are left out, so they become [UNK] (default 2). */
  minCharCount?: number;
  /** Pairs seen fewer times are never merged (default 2). */
  minPairCount?: number;
}

export class WordPieceTokenizer {
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly maskId: number;

  constructor(vocab: readonly string[]) {
    for (let i = 0; i < SPECIAL_TOKENS.length; i++) {
      if (vocab[i] !== SPECIAL_TOKENS[i]) throw new Error(`vocabulary entry ${i} must be ${SPECIAL_TOKENS[i]}, got ${JSON.stringify(vocab[i])}`);
    }
    this.vocab = vocab.slice();
    this.ids = new Map();
    vocab.forEach((token, i) => {
      if (this.ids.has(token)) throw new Error(`vocabulary lists ${JSON.stringify(token)} twice (entries ${this.ids.get(token)} and ${i})`);
      this.ids.set(token, i);
    });
    [this.padId, this.unkId, this.clsId, this.sepId, this.maskId] = SPECIAL_TOKENS.map((t) => this.ids.get(t)!);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** True for [PAD] [UNK] [CLS] [SEP] [MASK]. */
  isSpecial(id: number): boolean {
    return id < SPECIAL_TOKENS.length;
  }

  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  tokenOf(id: number): string {
    const token = this.vocab[id];
    if (token === undefined) throw new Error(`token id ${id} is outside the vocabulary (size ${this.vocab.length})`);
    return token;
  }

  /** The pieces of one normalised word, or [UNK] when some part of it is not in the vocabulary. */
  wordPieces(word: string): string[] {
    if (word.length > MAX_WORD_CHARS) return [UNK];
    const pieces: string[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let found: string | null = null;
      for (; end > start; end--) {
        const candidate = (start > 0 ? CONTINUATION : "") + word.slice(start, end);
        if (this.ids.has(candidate)) {
          found = candidate;
          break;
        }
      }
      if (found == null) return [UNK];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** Text → pieces ("The cat's" → the cat ' s). Special tokens written in the text ("[SEP]") stay whole. */
  tokenize(text: string): string[] {
    return text.split(SPECIAL_PATTERN).flatMap((part, i) => (i % 2 === 1 ? [part] : preTokenize(part).flatMap((w) => this.wordPieces(w))));
  }

  /** Text → token ids (no [CLS]/[SEP]: see bertInputs.ts for those). */
  encode(text: string): number[] {
    return this.tokenize(text).map((t) => this.ids.get(t)!);
  }

  /**
   * Ids → text: pieces glued back into words, words joined by single spaces, special tokens
   * dropped unless `keepSpecial`. For text whose characters are all in the vocabulary,
   * decode(encode(s)) === preTokenize(s).join(" ").
   */
  decode(ids: ArrayLike<number>, options: { keepSpecial?: boolean } = {}): string {
    let out = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const token = this.tokenOf(id);
      if (this.isSpecial(id) && !(options.keepSpecial && id !== this.padId)) continue;
      if (token.startsWith(CONTINUATION) && out !== "") out += token.slice(CONTINUATION.length);
      else out += (out === "" ? "" : " ") + token;
    }
    return out;
  }

  /** The words of `text` that the vocabulary cannot spell, so they would become [UNK]. */
  unknownWords(text: string): string[] {
    return [...new Set(preTokenize(text).filter((w) => this.wordPieces(w)[0] === UNK))];
  }

  /** One token per line, the format of BERT's vocab.txt. */
  toVocabText(): string {
    return this.vocab.join("\n") + "\n";
  }

  static fromVocabText(text: string): WordPieceTokenizer {
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return new WordPieceTokenizer(lines);
  }

  /** Learns a vocabulary from `texts` (see the file comment for how). */
  static train(texts: readonly string[], options: WordPieceTrainOptions = {}): WordPieceTokenizer {
    return new WordPieceTokenizer(trainWordPieceVocab(texts, options));
  }
}

/** The vocabulary-learning loop: characters first, then frequent pair merges. */
export function trainWordPieceVocab(texts: readonly string[], options: WordPieceTrainOptions = {}): string[] {
  const vocabSize = options.vocabSize ?? 4000;
  const minCharCount = options.minCharCount ?? 2;
  const minPairCount = options.minPairCount ?? 2;

  // Distinct words and how often each occurs.
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const w of preTokenize(text)) if (w.length <= MAX_WORD_CHARS) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);

  // The alphabet: characters seen at least minCharCount times, in both positions.
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const alphabet = [...charCounts].filter(([, c]) => c >= minCharCount).map(([ch]) => ch).sort();
  const known = new Set(alphabet);

  const vocab: string[] = [...SPECIAL_TOKENS];
  const inVocab = new Set(vocab);
  const add = (t: string) => {
    if (!inVocab.has(t)) {
      inVocab.add(t);
      vocab.push(t);
    }
  };
  for (const ch of alphabet) add(ch);
  for (const ch of alphabet) add(CONTINUATION + ch);
  if (vocab.length > vocabSize) throw new Error(`vocabSize ${vocabSize} is smaller than the alphabet alone (${vocab.length} entries): raise it`);

  // Each word as a sequence of symbols; words with unknown characters cannot be learned from.
  const words: string[][] = [];
  const counts: number[] = [];
  for (const [w, c] of wordCounts) {
    const chars = [...w];
    if (!chars.every((ch) => known.has(ch))) continue;
    words.push(chars.map((ch, i) => (i === 0 ? ch : CONTINUATION + ch)));
    counts.push(c);
  }

  // Pair counts, and which words hold each pair (so a merge only revisits those words).
  const SEPARATOR = "\u0000";
  const pairCounts = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1) => {
    const symbols = words[wi];
    for (let k = 0; k + 1 < symbols.length; k++) {
      const key = symbols[k] + SEPARATOR + symbols[k + 1];
      const c = (pairCounts.get(key) ?? 0) + sign * counts[wi];
      if (c === 0) pairCounts.delete(key);
      else pairCounts.set(key, c);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);

  while (vocab.length < vocabSize) {
    let bestKey = "";
    let bestCount = minPairCount - 1;
    for (const [key, c] of pairCounts) {
      if (c > bestCount || (c === bestCount && c >= minPairCount && key < bestKey)) {
        bestKey = key;
        bestCount = c;
      }
    }
    if (bestKey === "") break; // nothing frequent enough left to merge
    const [left, right] = bestKey.split(SEPARATOR);
    const merged = left + right.slice(CONTINUATION.length);
    add(merged);
    for (const wi of pairWords.get(bestKey) ?? []) {
      addPairs(wi, -1);
      const symbols = words[wi];
      const next: string[] = [];
      for (let k = 0; k < symbols.length; k++) {
        if (k + 1 < symbols.length && symbols[k] === left && symbols[k + 1] === right) {
          next.push(merged);
          k++;
        } else next.push(symbols[k]);
      }
      words[wi] = next;
      addPairs(wi, 1);
    }
    pairCounts.delete(bestKey);
    pairWords.delete(bestKey);
  }
  return vocab;
}
