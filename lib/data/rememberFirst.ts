/**
 * A long-dependency task: read T symbols, then name the *first* one. Everything after position 0
 * is noise, so a model succeeds only if information from position 0 survives T − 1 steps
 * (a recurrent net) or is fetched directly (attention). Chance is 1 / symbols.
 */
import { mulberry32 } from "../seed";

export interface RememberFirstBatch {
  /** Symbol ids, row-major [batch, length], values 0..symbols−1. */
  inputs: Int32Array;
  /** The first symbol of each row [batch]. */
  targets: Int32Array;
  batch: number;
  length: number;
}

/** `batch` sequences of `length` random symbols; the target is each sequence's first symbol. */
export function rememberFirstBatch(batch: number, length: number, symbols: number, rng: () => number = mulberry32(1)): RememberFirstBatch {
  if (!(Number.isInteger(length) && length >= 1)) throw new Error(`rememberFirstBatch: length must be a positive integer, got ${length}`);
  if (!(Number.isInteger(symbols) && symbols >= 2)) throw new Error(`rememberFirstBatch: symbols must be an integer ≥ 2, got ${symbols}`);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`rememberFirstBatch: batch must be a positive integer, got ${batch}`);
  const inputs = new Int32Array(batch * length);
  for (let i = 0; i < inputs.length; i++) inputs[i] = Math.floor(rng() * symbols);
  const targets = new Int32Array(batch);
  for (let b = 0; b < batch; b++) targets[b] = inputs[b * length];
  return { inputs, targets, batch, length };
}
