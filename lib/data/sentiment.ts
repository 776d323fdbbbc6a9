/**
 * 3,000 labelled sentences: the UCI "Sentiment Labelled Sentences" data set
 * (Kotzias, Denil, de Freitas, Smyth, KDD 2015), 500 positive and 500 negative sentences
 * from each of IMDB, Yelp and Amazon reviews, as shipped in the `sentiment` npm package's
 * test fixtures. The last entry of each file is empty ({"text": "", "class": null}) and is dropped.
 */
import * as fs from "fs";
import { packageFile } from "./files";

export type SentimentSource = "imdb" | "yelp" | "amazon";
export const SENTIMENT_SOURCES: readonly SentimentSource[] = ["imdb", "yelp", "amazon"];

export interface LabelledSentence {
  text: string;
  /** 1 = positive, 0 = negative. */
  label: 0 | 1;
  source: SentimentSource;
}

/** Loads the sentences of the given sources, in the files' order (which is not random: shuffle). */
export function loadSentiment(sources: readonly SentimentSource[] = SENTIMENT_SOURCES): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  for (const source of sources) {
    const file = packageFile("sentiment", `test/fixtures/${source}.json`);
    let entries: unknown;
    try {
      entries = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); reinstall with \`npm ci\``);
    }
    if (!Array.isArray(entries)) throw new Error(`${file}: expected a JSON array of {text, class}`);
    for (const entry of entries as { text?: unknown; class?: unknown }[]) {
      if (typeof entry.text !== "string" || entry.text.trim() === "" || entry.class == null) continue;
      if (entry.class !== 0 && entry.class !== 1) throw new Error(`${file}: unexpected class ${JSON.stringify(entry.class)}`);
      out.push({ text: entry.text.trim(), label: entry.class, source });
    }
  }
  return out;
}
