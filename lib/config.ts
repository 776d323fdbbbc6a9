/**
 * Course-wide run settings, read from the environment.
 *
 *   COURSE_TRAIN_SCALE=0.1   every lecture trains for a tenth of its steps (smoke and browser tests);
 *                            metric targets are then reported but not enforced.
 *   COURSE_BACKEND=wasm      force a backend (see backend.ts).
 */

/** The factor lectures multiply their training steps by (default 1). */
export function trainScale(): number {
  const raw = process.env.COURSE_TRAIN_SCALE;
  if (raw == null || raw.trim() === "") return 1;
  const value = Number(raw);
  if (!(value > 0 && value <= 1)) throw new Error(`COURSE_TRAIN_SCALE="${raw}" must be a number in (0, 1]`);
  return value;
}

/** `steps` scaled by COURSE_TRAIN_SCALE, at least `min` (default 1). */
export function scaledSteps(steps: number, min = 1): number {
  return Math.max(min, Math.round(steps * trainScale()));
}

/** True when lectures run shortened, so that their figures are not expected to reach targets. */
export function isShortRun(): boolean {
  return trainScale() < 1;
}
