/**
 * The character LSTM, live: type a seed text, pick a temperature, and it writes.
 * One call in a lecture cell: `charLstmWidget(lstm, vocab, { prompt: "the whale " })`.
 */
import { CharLstm } from "../../models/charLstm";
import type { CharVocab } from "../../text/charVocab";
import { decodeCharLstm, promptIds, writeText } from "./charLstmCompute";
import { encodeArray, encodedSize, Precision } from "./encoding";
import type { CharLstmPayload } from "./payloads";
import { showWidget, WidgetSpec } from "./widget";
import * as tf from "@tensorflow/tfjs";

export interface CharLstmWidgetOptions {
  /** The seed text at the start (default "the sea "). */
  prompt?: string;
  /** Default 0.8. */
  temperature?: number;
  /** Characters written per press (default 200). */
  length?: number;
  /** The first sample's seed (default 1). */
  seed?: number;
  /** How the matrices travel (default "int8"). */
  precision?: Precision;
}

export function charLstmSpec(model: CharLstm, vocab: CharVocab, options: CharLstmWidgetOptions = {}): WidgetSpec & { bytes: number } {
  if (vocab.size !== model.vocabSize) throw new Error(`charLstmWidget: the vocabulary has ${vocab.size} characters, the model ${model.vocabSize}`);
  const length = options.length ?? 200;
  if (!(Number.isInteger(length) && length >= 1 && length <= 2000)) throw new Error(`charLstmWidget: length must be an integer in 1..2000, got ${length}`);
  const temperature = options.temperature ?? 0.8;
  if (!(temperature >= 0 && temperature <= 2)) throw new Error(`charLstmWidget: temperature must be in [0, 2], got ${temperature}`);
  const precision = options.precision ?? "int8";
  const enc = (v: tf.Variable, p: Precision) => encodeArray(Float32Array.from(v.dataSync() as Float32Array), v.shape, p);
  const payload: CharLstmPayload = {
    W: enc(model.W, precision),
    b: enc(model.b, "float32"),
    U: enc(model.U, precision),
    Wy: enc(model.Wy, precision),
    by: enc(model.by, "float32"),
    chars: vocab.chars,
    prompt: options.prompt ?? "the sea ",
    temperature,
    length,
    seed: options.seed ?? 1,
  };
  // The static text: what the widget writes at its start, from the page's own weights.
  const decoded = decodeCharLstm(payload);
  const { ids } = promptIds(decoded, payload.prompt);
  const text = writeText(decoded, ids, length, temperature, payload.seed);
  tf.dispose([decoded.W, decoded.b, decoded.U, decoded.Wy, decoded.by]);
  const bytes = [payload.W, payload.b, payload.U, payload.Wy, payload.by].reduce((n, e) => n + encodedSize(e), 0);
  return {
    kind: "char-lstm",
    payload: payload as unknown as Record<string, unknown>,
    fallbackText: payload.prompt.toLowerCase() + text,
    label: `character LSTM (${model.units} units) writing after a seed text at temperature ${temperature}, ${(bytes / 1024).toFixed(0)} KB of weights`,
    bytes,
  };
}

/** Shows the live writer (the static sample where scripts do not run). */
export function charLstmWidget(model: CharLstm, vocab: CharVocab, options: CharLstmWidgetOptions = {}): void {
  showWidget(charLstmSpec(model, vocab, options));
}
