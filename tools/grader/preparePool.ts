/**
 * Compiling a submission's graded cells (prepare.ts) off the grading process's main thread: in a
 * worker thread that loads TypeScript once and is reused, under a deadline and a memory cap. A
 * notebook built to be slow (or huge) to compile costs only its own deadline, charged to it; the
 * worker is then stopped and a fresh one made for the next submission. The batch never waits.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { Prepared, SubmittedNotebook } from "./prepare";
import type { ExerciseEntry } from "./registry";

/** The notebooks could not be compiled in time (or memory): the submission's own doing. */
export class PrepareTimeout extends Error {}

const WORKER_HEAP_MB = 1024;
const idle: Worker[] = [];

function startWorker(): Worker {
  const code = `
    require("tsx/cjs");
    const { prepareNotebooks } = require(${JSON.stringify(path.join(__dirname, "prepare.ts"))});
    const { parentPort } = require("worker_threads");
    parentPort.on("message", (job) => {
      let reply;
      try { reply = { ok: true, prepared: prepareNotebooks(job.notebooks, job.entries) }; }
      catch (err) { reply = { ok: false, message: String((err && err.message) || err).slice(0, 500) }; }
      parentPort.postMessage(reply);
    });`;
  const worker = new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  worker.unref(); // an idle worker keeps nobody waiting
  return worker;
}

/** Compiles the notebooks' graded cells in a worker; rejects with PrepareTimeout after `timeoutMs`. */
export function prepareOffThread(notebooks: SubmittedNotebook[], entries: ExerciseEntry[], timeoutMs: number): Promise<Prepared> {
  const worker = idle.pop() ?? startWorker();
  return new Promise<Prepared>((resolve, reject) => {
    const done = (reuse: boolean) => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (reuse) idle.push(worker);
      else void worker.terminate();
    };
    const timer = setTimeout(() => {
      done(false);
      reject(new PrepareTimeout(`the notebooks' graded cells could not be compiled within ${Math.round(timeoutMs / 1000)} s (very large or deeply nested cells?)`));
    }, timeoutMs);
    const onMessage = (reply: { ok: boolean; prepared?: Prepared; message?: string }) => {
      done(true);
      if (reply.ok) resolve(reply.prepared!);
      else reject(new Error(`compiling the graded cells failed: ${reply.message}`));
    };
    const onError = (err: Error & { code?: string }) => {
      done(false);
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY") reject(new PrepareTimeout(`the notebooks' graded cells could not be compiled within ${WORKER_HEAP_MB} MiB of memory`));
      else reject(err);
    };
    const onExit = () => {
      done(false);
      reject(new Error("the worker compiling the graded cells ended"));
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage({ notebooks, entries });
  });
}
