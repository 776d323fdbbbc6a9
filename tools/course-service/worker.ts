/**
 * A grading worker: claims jobs from the gradebook's queue, runs the sandboxed grader, writes the
 * one result. Used inside the course service (the embedded database allows one process) and by
 * `npm run grader-worker` on any machine (PostgreSQL).
 *
 *   loop: expire stale leases ─► claim (SKIP LOCKED, lease) ─► grade while renewing the lease
 *         ─► complete (only if still ours) | fail (retry later or "needs attention")
 */
import * as os from "os";
import { Database, isConnectionError } from "./db";
import { gradeNotebook } from "./grading";
import { claim, ClaimedJob, complete, expireLeases, fail, renewLease } from "./queue";

export interface WorkerOptions {
  db: Database;
  /** Unique per worker process: names the lease owner. */
  id?: string;
  /** Gradings at once (default: cores). */
  concurrency?: number;
  leaseSeconds?: number;
  pollMs?: number;
  log?: (line: string) => void;
}

export class GradingWorker {
  readonly id: string;
  readonly concurrency: number;
  readonly leaseSeconds: number;
  private active = new Set<Promise<void>>();
  private stopping = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  graded = 0;

  constructor(private o: WorkerOptions) {
    this.id = o.id ?? `${os.hostname()}:${process.pid}`;
    this.concurrency = o.concurrency ?? os.cpus().length;
    this.leaseSeconds = o.leaseSeconds ?? Number(process.env.COURSE_LEASE_SECONDS ?? 60);
  }

  private log(line: string): void {
    (this.o.log ?? ((l: string) => console.error(l)))(`grader-worker ${this.id}: ${line}`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Claims a new job now instead of at the next poll (after a submit in the same process). */
  poke(): void {
    this.wake?.();
  }

  /** Stops claiming and waits for the gradings in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
    await Promise.all(this.active);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async run(): Promise<void> {
    let lastExpiry = 0;
    let failures = 0;
    while (!this.stopping) {
      try {
        if (Date.now() - lastExpiry > 5_000) {
          lastExpiry = Date.now();
          const n = await expireLeases(this.o.db);
          if (n) this.log(`returned ${n} job(s) whose worker stopped to the queue`);
        }
        if (this.active.size >= this.concurrency) {
          await Promise.race(this.active);
          continue;
        }
        const job = await claim(this.o.db, this.id, this.leaseSeconds);
        if (failures) this.log("the database is reachable again");
        failures = 0;
        if (!job) {
          await this.sleep(this.o.pollMs ?? 500);
          continue;
        }
        const p = this.grade(job).finally(() => this.active.delete(p));
        this.active.add(p);
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0) this.log(`${isConnectionError(err) ? "cannot reach the database" : "queue error"} (${(err as Error).message}); retrying`);
        await this.sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  private async grade(job: ClaimedJob): Promise<void> {
    let lost = false;
    const renew = setInterval(() => {
      renewLease(this.o.db, job, this.leaseSeconds).then(
        (ok) => (lost ||= !ok),
        () => undefined, // the database is away: keep grading, the write decides
      );
    }, (this.leaseSeconds * 1000) / 3);
    try {
      const out = await gradeNotebook({ student: job.student_id, submittedAt: job.submitted_at, exercise: job.exercise, notebook: job.notebook.toString("utf8"), hidden: true });
      await this.settle(job, async () => {
        if (out.graderErrors.length) {
          const r = await fail(this.o.db, job, `grader failure: ${out.graderErrors[0]}`.slice(0, 500));
          this.log(`job ${job.id} (${job.student_id}): grader failure, ${r}: ${out.graderErrors[0]}`);
        } else if (await complete(this.o.db, job, out)) {
          this.graded++;
        } else this.log(`job ${job.id}: lease lost while grading; another worker grades it, this result is dropped`);
      });
    } catch (err) {
      await this.settle(job, async () => void (await fail(this.o.db, job, `grading crashed: ${(err as Error).message}`.slice(0, 500))));
    } finally {
      clearInterval(renew);
      if (lost) this.log(`job ${job.id}: lease was taken over`);
    }
  }

  /** Writes the outcome, retrying while the database is away (until the lease would be gone anyway). */
  private async settle(job: ClaimedJob, write: () => Promise<void>): Promise<void> {
    const until = Date.now() + this.leaseSeconds * 1000;
    for (let i = 0; ; i++) {
      try {
        return await write();
      } catch (err) {
        if (!isConnectionError(err) || Date.now() > until) {
          this.log(`job ${job.id}: could not record the outcome (${(err as Error).message}); its lease will expire and it will be graded again`);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** i)));
      }
    }
  }
}
