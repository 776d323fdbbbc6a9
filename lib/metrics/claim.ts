/**
 * Claims: a sentence a lecture states about its own run, checked on the run's own numbers.
 * Prints one machine-readable line, `claim <name> holds: <text>`, which `npm run handouts` counts.
 * Same rules as reportMetric: a false claim fails the build at full scale; under
 * COURSE_TRAIN_SCALE (shortened training) it is reported, not enforced.
 */
import { isShortRun, trainScale } from "../config";

/**
 * States `text` when `holds` is true; throws (full scale) or reports (short run) when it is false.
 * Returns nothing on purpose: a notebook prints a cell's last value, and a bare "true" after the
 * claim line would be noise.
 */
export function claim(name: string, holds: boolean, text: string): void {
  if (!/^[a-z0-9_.\-]+$/i.test(name)) throw new Error(`claim name "${name}" must be one word of letters, digits, _ . -`);
  if (typeof holds !== "boolean") throw new Error(`claim ${name}: holds must be true or false, got ${String(holds)}`);
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (!oneLine) throw new Error(`claim ${name}: the text is empty`);
  if (holds) {
    console.log(`claim ${name} holds: ${oneLine}`);
  } else if (isShortRun()) {
    console.log(`claim ${name} does not hold: ${oneLine}`);
    console.log(`  (claim not enforced: COURSE_TRAIN_SCALE=${trainScale()} shortens training)`);
  } else {
    throw new Error(`claim ${name} is false on this run: ${oneLine}`);
  }
}
