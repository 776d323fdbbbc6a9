/**
 * The training loop every model in the course shares: run `step` so many times, record the
 * losses, show progress in place, stop with a clear error on a non-finite loss.
 *
 * It is async on purpose: it yields to the event loop between steps now and then, so that the
 * kernel can send progress updates while training runs (a loop that never yields shows its
 * progress only when it is over).
 */
import * as tf from "@tensorflow/tfjs";
import { Progress } from "./progress";

export interface TrainLoopOptions {
  steps: number;
  /** One optimisation step; returns the loss (a number, read outside tf.tidy). */
  step: (i: number) => number | Promise<number>;
  label?: string;
  /** Called every `evalEvery` steps (and after the last) with the step index; its numbers are recorded and shown. */
  evaluate?: (i: number) => Record<string, number> | Promise<Record<string, number>>;
  evalEvery?: number;
  /** Hide the progress display (for tests). */
  quiet?: boolean;
}

export interface TrainHistory {
  losses: number[];
  evals: ({ step: number } & Record<string, number>)[];
  seconds: number;
}

export async function trainLoop(options: TrainLoopOptions): Promise<TrainHistory> {
  const { steps, step } = options;
  const progress = options.quiet ? null : new Progress(steps, { label: options.label ?? "training" });
  const history: TrainHistory = { losses: [], evals: [], seconds: 0 };
  const started = Date.now();
  let lastYield = Date.now();
  for (let i = 0; i < steps; i++) {
    const loss = await step(i);
    if (!Number.isFinite(loss)) {
      throw new Error(`${options.label ?? "training"}: the loss became ${loss} at step ${i + 1} of ${steps} (learning rate too high, or log of 0?)`);
    }
    history.losses.push(loss);
    const last = i === steps - 1;
    if (options.evaluate && ((options.evalEvery && (i + 1) % options.evalEvery === 0) || last)) {
      history.evals.push({ step: i + 1, ...(await options.evaluate(i)) });
    }
    const recent = history.losses.slice(-20);
    const smooth = recent.reduce((a, b) => a + b, 0) / recent.length;
    const lastEval = history.evals[history.evals.length - 1];
    progress?.set(i + 1, { loss: smooth, ...(lastEval ? withoutStep(lastEval) : {}) });
    if (Date.now() - lastYield > 200) {
      await new Promise((resolve) => setImmediate(resolve)); // let the kernel send the progress update
      lastYield = Date.now();
    }
  }
  history.seconds = (Date.now() - started) / 1000;
  return history;
}

function withoutStep(e: { step: number } & Record<string, number>): Record<string, number> {
  const { step: _step, ...rest } = e;
  return rest;
}

/**
 * One optimiser step as `trainLoop` wants it: minimises `loss` over `variables` and returns the
 * loss as a number. Everything `loss` creates (the batch included) is freed; the value is read
 * after tf.tidy, because reading inside it is slow on the wasm backend.
 */
export function minimizeStep(optimizer: tf.Optimizer, variables: tf.Variable[], loss: () => tf.Scalar): number {
  const cost = tf.tidy(() => optimizer.minimize(loss, true, variables) as tf.Scalar);
  const value = cost.dataSync()[0];
  cost.dispose();
  return value;
}
