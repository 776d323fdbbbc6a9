/**
 * A lecture's time budget, measured by the lecture itself: a clock started in the first cell and
 * read in the last. It reports two figures as metric lines:
 *
 *   lecture_minutes       wall-clock minutes since the first cell started;
 *   lecture_cpu_minutes   CPU minutes of this kernel process since it started (compiling the
 *                         imports included), which a busy machine does not inflate as it does
 *                         the wall clock.
 *
 * The budget (README: minutes per lecture) is a target for the CPU figure where it is defined:
 * on the wasm backend, at full scale. There a lecture over budget fails the build as a missed
 * metric does. The native backend is 2-4x faster, so its figure is printed beside the budget but
 * not judged; under COURSE_TRAIN_SCALE (shortened training) nothing is enforced.
 */
import * as tf from "@tensorflow/tfjs";
import { isShortRun, trainScale } from "../config";
import { reportMetric } from "./report";

export class LectureClock {
  private readonly startedAt = Date.now();

  /** `budgetMinutes`: the lecture's budget on the wasm backend (README). */
  constructor(readonly budgetMinutes: number) {
    if (!(Number.isFinite(budgetMinutes) && budgetMinutes > 0)) throw new Error(`lecture clock: the budget must be a positive number of minutes, got ${budgetMinutes}`);
  }

  /** Minutes since the clock started (wall clock). */
  wallMinutes(): number {
    return (Date.now() - this.startedAt) / 60_000;
  }

  /** CPU minutes this process has used since it started (user + system). */
  cpuMinutes(): number {
    const used = process.cpuUsage();
    return (used.user + used.system) / 60e6;
  }

  /**
   * Prints both figures as metric lines and, on wasm at full scale, holds the CPU figure to the
   * budget (a lecture over it fails here). Returns nothing: a cell's last value would be printed.
   */
  report(): void {
    const backend = tf.getBackend(); // "wasm", "tensorflow" (native), "cpu", …
    const enforced = this.enforced();
    const why = enforced ? "held to it on this run (wasm, full scale)"
      : isShortRun() ? `reported, not enforced: COURSE_TRAIN_SCALE=${trainScale()} shortens training`
      : `reported, not enforced: this run is on ${backend === "tensorflow" ? "the native backend" : `the ${backend} backend`}`;
    console.log(`lecture budget: ${this.budgetMinutes} CPU minutes on the wasm backend; ${why}`);
    reportMetric("lecture_minutes", this.wallMinutes());
    reportMetric("lecture_cpu_minutes", this.cpuMinutes(), enforced ? { max: this.budgetMinutes } : undefined);
  }

  /** Whether this run's CPU figure is held to the budget: on wasm, at full scale. */
  enforced(): boolean {
    return tf.getBackend() === "wasm" && !isShortRun();
  }
}

/** Starts the lecture's clock (first cell); `clock.report()` in the last cell. */
export function startLectureClock(budgetMinutes: number): LectureClock {
  return new LectureClock(budgetMinutes);
}
