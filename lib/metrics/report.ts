/**
 * Figures that executed notebooks are judged by. Each is printed as one machine-readable line,
 * `metric <name> <value>`, which `npm run handouts` collects into its summary.
 */
import { isShortRun, trainScale } from "../config";

/** Prints a figure the executed notebook is judged by: `metric <name> <value>`; throws when a target is missed. */
export function reportMetric(name: string, value: number, target?: { min?: number; max?: number }): number {
  if (!/^[a-z0-9_.\-]+$/i.test(name)) throw new Error(`metric name "${name}" must be one word of letters, digits, _ . -`);
  console.log(`metric ${name} ${Number.isInteger(value) ? value : value.toPrecision(6)}`);
  if (target && isShortRun()) {
    console.log(`  (target not enforced: COURSE_TRAIN_SCALE=${trainScale()} shortens training)`);
  } else if (target) {
    const low = target.min != null && !(value >= target.min);
    const high = target.max != null && !(value <= target.max);
    if (low || high || !Number.isFinite(value)) {
      const want = [target.min != null ? `≥ ${target.min}` : "", target.max != null ? `≤ ${target.max}` : ""].filter(Boolean).join(" and ");
      throw new Error(`metric ${name} = ${value} missed its target (${want})`);
    }
  }
  return value;
}
