/**
 * BERT's input format: one or two segments packed into a fixed-length row.
 *
 *   tokens     [CLS] my cat is great [SEP] she loves food [SEP] [PAD] [PAD]
 *   segments     0   0   0   0   0     0    1    1     1    1     0     0
 *   mask         1   1   1   1   1     1    1    1     1    1     0     0
 *
 * [CLS] opens every row (its final hidden state summarises the row for the NSP and
 * classification heads); [SEP] closes each segment; the segment id says which sentence a token
 * belongs to; the attention mask keeps [PAD] out of attention.
 */
import * as tf from "@tensorflow/tfjs";
import { WordPieceTokenizer } from "./wordPiece";

export interface PackedRow {
  ids: number[];
  segments: number[];
  /** 1 for real tokens, 0 for padding. */
  mask: number[];
}

/**
 * Packs "[CLS] a [SEP]" or "[CLS] a [SEP] b [SEP]" into `maxLength` slots. Token ids or text.
 * When too long, the longer segment loses its last token until the row fits (BERT's rule).
 */
export function packSegments(tokenizer: WordPieceTokenizer, a: string | number[], b: string | number[] | null, maxLength: number): PackedRow {
  const first = typeof a === "string" ? tokenizer.encode(a) : a.slice();
  const second = b == null ? null : typeof b === "string" ? tokenizer.encode(b) : b.slice();
  const specials = second ? 3 : 2;
  if (maxLength < specials + (second ? 2 : 1)) throw new Error(`maxLength ${maxLength} is too short to hold ${second ? "two segments" : "a segment"} with [CLS]/[SEP]`);
  while (first.length + (second?.length ?? 0) + specials > maxLength) {
    if (second && second.length > first.length) second.pop();
    else first.pop();
  }
  const ids = [tokenizer.clsId, ...first, tokenizer.sepId];
  const segments = ids.map(() => 0);
  if (second) {
    ids.push(...second, tokenizer.sepId);
    segments.push(...second.map(() => 1), 1);
  }
  const mask = ids.map(() => 1);
  while (ids.length < maxLength) {
    ids.push(tokenizer.padId);
    segments.push(0);
    mask.push(0);
  }
  return { ids, segments, mask };
}

export interface BertBatch {
  /** [batch, time] int32 token ids. */
  ids: tf.Tensor2D;
  /** [batch, time] int32 segment ids (0 or 1). */
  segments: tf.Tensor2D;
  /** [batch, time] float32, 1 = real token, 0 = padding. */
  mask: tf.Tensor2D;
}

/** Stacks packed rows (all of one length) into tensors; the caller disposes them (disposeBertBatch). */
export function bertBatch(rows: readonly PackedRow[]): BertBatch {
  if (rows.length === 0) throw new Error("bertBatch needs at least one row");
  const time = rows[0].ids.length;
  const flat = (key: keyof PackedRow) => {
    const out = new Int32Array(rows.length * time);
    rows.forEach((r, i) => {
      if (r[key].length !== time) throw new Error(`row ${i} has ${r[key].length} ${key}, expected ${time}: pack all rows to one maxLength`);
      out.set(r[key], i * time);
    });
    return out;
  };
  return {
    ids: tf.tensor2d(flat("ids"), [rows.length, time], "int32"),
    segments: tf.tensor2d(flat("segments"), [rows.length, time], "int32"),
    mask: tf.tensor2d(Float32Array.from(flat("mask")), [rows.length, time], "float32"),
  };
}

export function disposeBertBatch(batch: BertBatch): void {
  tf.dispose([batch.ids, batch.segments, batch.mask]);
}
