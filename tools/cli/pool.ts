/**
 * A small worker pool: `work` runs on every item, at most `concurrency` at a time, items started
 * in their order, each finished one making room for the next. The course's batch jobs use it:
 * grading submissions (tools/grader/grade.ts) and executing lectures for the handouts
 * (nbconvert-ts handouts).
 *
 * A job that fails does not stop the others: `runPool` reports each job's outcome, in the items'
 * order (not the order they finished). `mapPool` is the same run, then either every value or the
 * first error in the items' order, thrown only once every job has finished (nothing is left
 * running behind the caller's back).
 */

export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R> | R): Promise<JobOutcome<R>[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`a pool's concurrency must be a whole number ≥ 1, not ${concurrency}`);
  const outcomes: JobOutcome<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        outcomes[i] = { ok: true, value: await work(items[i], i) };
      } catch (error) {
        outcomes[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return outcomes;
}

export async function mapPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R> | R): Promise<R[]> {
  const outcomes = await runPool(items, concurrency, work);
  return outcomes.map((o) => {
    if (!o.ok) throw o.error;
    return o.value;
  });
}
