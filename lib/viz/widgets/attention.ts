/**
 * Attention, live: type a number in words (or pick one), the lecture's translator writes its digits
 * in the page, and hovering or focusing a token shows its attention weights per head: an output
 * digit shows the decoder's cross-attention over the source words, a source word the encoder's
 * self-attention over the sentence.
 * One call in a lecture cell: `translationAttentionWidget(translator, translationTask, { examples: numbers.test.slice(0, 8) })`.
 */
import * as tf from "@tensorflow/tfjs";
import type { Seq2SeqTransformer } from "../../models/seq2seq";
import type { Seq2SeqVocab, TranslationPair } from "../../data/translation";
import { encodeArray, encodedSize, Precision } from "./encoding";
import type { TranslatorPayload } from "./payloads";
import { attendSentence, decodeTranslator, disposeTranslator, translatorWeights } from "./translatorCompute";
import { showWidget, WidgetSpec } from "./widget";

export interface TranslationTaskLike {
  source: Seq2SeqVocab;
  target: Seq2SeqVocab;
}

export interface AttentionWidgetOptions {
  /** Sentences to offer (the first is shown first); the lecture's held-out pairs. */
  examples: readonly TranslationPair[];
  /** How the matrices travel (default "float16"; vectors stay float32). */
  precision?: Precision;
}

const pct = (v: number) => String(Math.round(100 * v)).padStart(4);

/** The static figure: the first example's translation and its cross-attention, as a text table. */
function attentionTable(words: string[], output: string[], predicts: string[], cross: number[][][]): string {
  const width = Math.max(8, ...words.map((w) => w.length + 1));
  const heads = cross.length;
  const lines = [`"${words.join(" ")}" → ${output.join("") || "(nothing)"}`, "", `cross-attention of the last decoder block, % of each position's attention (mean of ${heads} heads; then each head's top word):`, ""];
  lines.push(" ".repeat(16) + words.map((w) => w.padStart(width)).join(""));
  predicts.forEach((token, i) => {
    const mean = words.map((_, j) => cross.reduce((s, h) => s + h[i][j], 0) / heads);
    const tops = cross.map((h) => words[h[i].indexOf(Math.max(...h[i]))]);
    lines.push(`predicts ${token.padEnd(6)} ` + mean.map((v) => pct(v).padStart(width)).join("") + `   heads: ${tops.join(", ")}`);
  });
  return lines.join("\n");
}

export function translationAttentionSpec(translator: Seq2SeqTransformer, task: TranslationTaskLike, options: AttentionWidgetOptions): WidgetSpec & { bytes: number } {
  if (options.examples.length === 0) throw new Error("translationAttentionWidget: give at least one example sentence");
  const c = translator.config;
  if (task.source.size !== c.sourceVocabSize || task.target.size !== c.targetVocabSize) {
    throw new Error(`translationAttentionWidget: the vocabularies (${task.source.size}, ${task.target.size}) do not match the model's (${c.sourceVocabSize}, ${c.targetVocabSize})`);
  }
  const precision = options.precision ?? "float16";
  const weights: TranslatorPayload["weights"] = {};
  for (const [name, t] of Object.entries(translatorWeights(translator))) {
    weights[name] = encodeArray(Float32Array.from(t.dataSync() as Float32Array), t.shape, t.rank >= 2 ? precision : "float32");
  }
  const { dropout: _dropout, ...config } = c;
  const examples = options.examples.map((p) => p.source.join(" "));
  const payload: TranslatorPayload = { config, weights, sourceTokens: task.source.tokens, targetTokens: task.target.tokens, examples, start: examples[0] };

  // The static figure, from the page's own (decoded) weights.
  const before = tf.memory().numTensors;
  const decoded = decodeTranslator(payload);
  const words = payload.start.split(" ");
  const seen = attendSentence(decoded, words);
  disposeTranslator(decoded);
  if (tf.memory().numTensors !== before) throw new Error(`translationAttentionWidget: ${tf.memory().numTensors - before} tensors left behind (a bug)`);
  const bytes = Object.values(weights).reduce((n, e) => n + encodedSize(e), 0);
  return {
    kind: "attention",
    payload: payload as unknown as Record<string, unknown>,
    fallbackText: attentionTable(words, seen.output, seen.predicts, seen.cross),
    label: `attention of the number translator (${c.numHeads} heads, d ${c.dModel}): hover or focus a word or digit to see its weights per head; ${(bytes / 1024).toFixed(0)} KB of weights (${precision})`,
    bytes,
  };
}

/** Shows the live attention view (the first example's cross-attention as a table where scripts do not run). */
export function translationAttentionWidget(translator: Seq2SeqTransformer, task: TranslationTaskLike, options: AttentionWidgetOptions): void {
  showWidget(translationAttentionSpec(translator, task, options));
}
