/**
 * Sentences and sentence pairs for next-sentence prediction (BERT's second pre-training task):
 * half the pairs are two consecutive sentences (isNext = true), half pair a sentence with a
 * random one from elsewhere in the corpus (isNext = false).
 */
import { random, randomInt } from "../seed";

/** Splits running text into sentences at . ! ? followed by space, joining wrapped lines. */
export function splitSentences(text: string, options: { minWords?: number } = {}): string[] {
  const minWords = options.minWords ?? 3;
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+(?=["'A-Z0-9])/)
    .map((s) => s.trim())
    .filter((s) => s.split(" ").length >= minWords);
}

export interface SentencePair {
  a: string;
  b: string;
  isNext: boolean;
}

/**
 * `count` pairs from a list of sentences in reading order. Random partners are never the true
 * next sentence. (Beware of ordered sources: if neighbouring lines share a label, consecutive
 * pairs leak that label into "unsupervised" pre-training; shuffle such sources first.)
 */
export function makeSentencePairs(sentences: readonly string[], count: number, rng: () => number = random): SentencePair[] {
  if (sentences.length < 3) throw new Error(`need at least 3 sentences to make pairs, got ${sentences.length}`);
  const pairs: SentencePair[] = [];
  for (let k = 0; k < count; k++) {
    const i = randomInt(sentences.length - 1, rng);
    if (rng() < 0.5) {
      pairs.push({ a: sentences[i], b: sentences[i + 1], isNext: true });
    } else {
      let j = randomInt(sentences.length, rng);
      while (j === i + 1 || j === i) j = randomInt(sentences.length, rng);
      pairs.push({ a: sentences[i], b: sentences[j], isNext: false });
    }
  }
  return pairs;
}
