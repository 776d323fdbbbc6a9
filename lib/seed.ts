/**
 * One call makes a run reproducible: `seed(42)`.
 *
 * TensorFlow.js draws every unseeded random number (weight initialisers, dropout masks,
 * tf.randomNormal without a seed) from `Math.random`, which it uses to seed its own
 * generators. So seeding replaces `Math.random` with a seeded generator; every shuffle and
 * sample in this library draws from `random()` below, the same stream.
 */

/** mulberry32: a small, fast, well-mixed 32-bit generator (public domain, T. Ettinger). */
export function mulberry32(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nativeRandom = Math.random;
let generator: () => number = nativeRandom;
let currentSeed: number | null = null;

/** Seeds tfjs initialisers, random ops and every shuffle of this library. */
export function seed(value: number): void {
  if (!Number.isFinite(value)) throw new Error(`seed must be a finite number, got ${value}`);
  currentSeed = value;
  generator = mulberry32(value);
  Math.random = generator;
}

/** Back to the unseeded `Math.random` of the platform. */
export function unseed(): void {
  currentSeed = null;
  generator = nativeRandom;
  Math.random = nativeRandom;
}

export function currentSeedValue(): number | null {
  return currentSeed;
}

/** A uniform number in [0, 1) from the course's random stream. */
export function random(): number {
  return generator();
}

/** A uniform integer in [0, n). */
export function randomInt(n: number, rng: () => number = random): number {
  return Math.floor(rng() * n);
}

/** A standard normal sample (Box-Muller). */
export function randomNormal(rng: () => number = random): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fisher-Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], rng: () => number = random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A shuffled permutation of 0..n-1. */
export function permutation(n: number, rng: () => number = random): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
}
