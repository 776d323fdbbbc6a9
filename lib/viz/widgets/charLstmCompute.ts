/**
 * The character LSTM's writing, shared by Node and the browser bundle: the lecture's own
 * CharLstm.sample (lib/models/charLstm.ts: its LSTM step and sampler) on weights decoded from a page. In the browser bundle
 * "@tensorflow/tfjs" is tfjs-core (./runtime.ts aliases it to browser/tfjsCore.ts), so the code is the same code.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32 } from "../../seed";
import { CharLstm } from "../../models/charLstm";
import { decodeArray } from "./encoding";
import type { CharLstmPayload } from "./payloads";

export interface DecodedCharLstm {
  W: tf.Tensor2D; // [V, 4u]
  b: tf.Tensor1D; // [4u]
  U: tf.Tensor2D; // [u, 4u]
  Wy: tf.Tensor2D; // [u, V]
  by: tf.Tensor1D; // [V]
  units: number;
  chars: string[];
}

export function decodeCharLstm(p: CharLstmPayload): DecodedCharLstm {
  const t2 = (e: CharLstmPayload["W"]) => tf.tensor2d(decodeArray(e), e.shape as [number, number]);
  return { W: t2(p.W), b: tf.tensor1d(decodeArray(p.b)), U: t2(p.U), Wy: t2(p.Wy), by: tf.tensor1d(decodeArray(p.by)), units: p.U.shape[0], chars: p.chars };
}

/** The prompt's characters the model knows (lower-cased, as the lecture's text is), and the ones it dropped. */
export function promptIds(model: { chars: string[] }, prompt: string): { ids: number[]; dropped: string[] } {
  const ids: number[] = [];
  const dropped: string[] = [];
  for (const ch of prompt.toLowerCase()) {
    const id = model.chars.indexOf(ch);
    if (id >= 0) ids.push(id);
    else dropped.push(ch);
  }
  return { ids, dropped };
}

/**
 * `length` characters after the prompt, sampled at `temperature` with mulberry32(seed): the
 * lecture's own CharLstm.sample, run on the decoded weights (the class's methods need only them).
 */
export function writeText(model: DecodedCharLstm, prompt: number[], length: number, temperature: number, seed: number): string {
  if (prompt.length < 1) throw new Error("the seed text needs at least one character the model knows");
  const { W, b, U, Wy, by, units, chars } = model;
  const lstm = Object.assign(Object.create(CharLstm.prototype), { vocabSize: chars.length, units, W, b, U, Wy, by }) as CharLstm;
  return lstm.sample(prompt, length, temperature, mulberry32(seed)).map((id) => chars[id]).join("");
}
