/**
 * Endless shuffled mini-batches: the one source of batches for the course's training loops.
 *
 * Each epoch is a fresh permutation of 0..count-1 from the course's seeded stream (lib/seed.ts),
 * cut into batches; when an epoch runs out the next one starts. The permutation is drawn lazily,
 * when the epoch's first batch is asked for, so the random stream is consumed at the same moments
 * (between the same dropout masks and noise draws) as the loop the lectures were seeded with:
 *
 *   let order = batchIndices(n, b);
 *   let next = order.next();
 *   if (next.done) { order = batchIndices(n, b); next = order.next(); }
 *
 * Memory: the batches are made by `make` and belong to whoever takes them. `next()` hands one over
 * (dispose it, or take it inside a tf.tidy); `withNext(fn)` disposes it once `fn` is done, also
 * when `fn` throws or its promise rejects.
 */
import * as tf from "@tensorflow/tfjs";
import { batchIndices } from "../data/batches";

export interface ShuffledBatchesOptions {
  /** Only full batches: the last, short batch of each epoch is skipped (default false: it is used). */
  dropLast?: boolean;
  /** The random stream (default: the course's seeded one). */
  rng?: () => number;
}

/** The indices of endless shuffled batches, epoch after epoch (bad sizes are refused at once, not at the first batch). */
export function endlessBatchIndices(count: number, batchSize: number, options: ShuffledBatchesOptions = {}): Generator<number[], never, void> {
  checkSizes(count, batchSize, options.dropLast === true);
  return epochs(count, batchSize, options);
}

function* epochs(count: number, batchSize: number, options: ShuffledBatchesOptions): Generator<number[], never, void> {
  for (;;) yield* batchIndices(count, batchSize, { dropLast: options.dropLast, rng: options.rng });
}

/**
 * Endless shuffled batches of `count` examples, each made by `make` from its indices
 * (e.g. `(idx) => ({ x: mnistImages(set, idx), y: mnistLabels(set, idx) })`: x [b, 784], y [b]).
 */
export class ShuffledBatches<B extends tf.TensorContainer> {
  private readonly indices: Generator<number[], never, void>;

  constructor(
    readonly count: number,
    readonly batchSize: number,
    private readonly make: (indices: number[]) => B,
    options: ShuffledBatchesOptions = {},
  ) {
    this.indices = endlessBatchIndices(count, batchSize, options);
  }

  /** The next batch's indices, without making it. */
  nextIndices(): number[] {
    return this.indices.next().value;
  }

  /** The next batch; its tensors are the caller's to dispose. */
  next(): B {
    return this.make(this.nextIndices());
  }

  /** Runs `fn` on the next batch and disposes the batch after it (sync or async). */
  withNext<R>(fn: (batch: B) => R): R {
    const batch = this.next();
    let result: R;
    try {
      result = fn(batch);
    } catch (e) {
      tf.dispose(batch);
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => tf.dispose(batch)) as R;
    tf.dispose(batch);
    return result;
  }
}

function checkSizes(count: number, batchSize: number, dropLast: boolean): void {
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`shuffled batches: the number of examples must be a whole number ≥ 1, got ${count}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`shuffled batches: the batch size must be a whole number ≥ 1, got ${batchSize}`);
  // Without this, dropping the only (short) batch of every epoch would loop forever.
  if (dropLast && batchSize > count) throw new Error(`shuffled batches: a batch of ${batchSize} is larger than the ${count} examples (full batches only)`);
}
