/** Mini-batches and splits of any indexed data set. */
import { permutation, random, shuffleInPlace } from "../seed";

/** Mini-batches of indices, reshuffled each epoch with the course's seeded stream. */
export function* batchIndices(count: number, batchSize: number, options: { shuffle?: boolean; dropLast?: boolean; rng?: () => number } = {}): Generator<number[]> {
  const order = options.shuffle === false ? Array.from({ length: count }, (_, i) => i) : permutation(count, options.rng ?? random);
  for (let start = 0; start < count; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    if (options.dropLast && batch.length < batchSize) return;
    yield batch;
  }
}

/** Splits items into train and test; with `stratify`, each class keeps its share in both. */
export function trainTestSplit<T>(
  items: readonly T[],
  testFraction: number,
  options: { stratify?: (item: T) => string | number; rng?: () => number } = {},
): { train: T[]; test: T[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  const rng = options.rng ?? random;
  const groups = new Map<string | number, T[]>();
  for (const item of items) {
    const key = options.stratify ? options.stratify(item) : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(item);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const group of groups.values()) {
    shuffleInPlace(group, rng);
    const nTest = Math.round(group.length * testFraction);
    test.push(...group.slice(0, nTest));
    train.push(...group.slice(nTest));
  }
  return { train: shuffleInPlace(train, rng), test: shuffleInPlace(test, rng) };
}
