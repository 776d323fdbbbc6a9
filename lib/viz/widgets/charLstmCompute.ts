/**
 * The character LSTM's writing, shared by Node and the browser bundle: the lecture's own step
 * (lib/layers/lstmCell.ts fusedLstmStep) and sampler (lib/models/charLstm.ts sampleFromLogits),
 * the loop of CharLstm.sample, on weights decoded from a page. In the browser bundle
 * "@tensorflow/tfjs" is tfjs-core (./runtime.ts aliases it to browser/tfjsCore.ts), so the code is the same code.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32 } from "../../seed";
import { fusedLstmStep } from "../../layers/lstmCell";
import { sampleFromLogits } from "../../models/charLstm";
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

/** `length` characters after the prompt, sampled at `temperature` with mulberry32(seed): CharLstm.sample's loop. */
export function writeText(model: DecodedCharLstm, prompt: number[], length: number, temperature: number, seed: number): string {
  if (prompt.length < 1) throw new Error("the seed text needs at least one character the model knows");
  const rng = mulberry32(seed);
  let state = { h: tf.zeros([1, model.units]) as tf.Tensor2D, c: tf.zeros([1, model.units]) as tf.Tensor2D };
  const stepLogits = (id: number): Float32Array => {
    const next = tf.tidy(() => {
      const x = tf.add(tf.gather(model.W, [id]), model.b) as tf.Tensor2D; // one-hot · W = row `id` of W
      const s = fusedLstmStep(x, state, model.U);
      return { ...s, logits: tf.add(tf.matMul(s.h, model.Wy), model.by) };
    });
    tf.dispose([state.h, state.c]);
    state = { h: next.h, c: next.c };
    const values = next.logits.dataSync() as Float32Array;
    next.logits.dispose();
    return values;
  };
  let logits = new Float32Array(0);
  for (const id of prompt) logits = stepLogits(id);
  let out = "";
  for (let i = 0; i < length; i++) {
    const id = sampleFromLogits(logits, temperature, rng);
    out += model.chars[id];
    logits = stepLogits(id);
  }
  tf.dispose([state.h, state.c]);
  return out;
}
