/**
 * `npm run grader-worker`: grades submissions from the course's PostgreSQL queue, on any machine.
 *
 *   DATABASE_URL=postgres://course@db.example.edu/course npm run grader-worker -- --concurrency 4
 *
 * Any number of workers share the queue (row locks, leases). A worker that dies mid-grade loses
 * nothing: its lease expires and another grades the submission again; exactly one result is kept.
 * SIGTERM/Ctrl-C: stop claiming, finish the gradings in progress, exit.
 */
import * as os from "os";
import { defineCommand, positiveInt, runCommand, UsageError } from "@ts-course/cli";
import { openDatabase } from "../course-service/db";
import { migrate } from "../course-service/migrations";
import { GradingWorker } from "../course-service/worker";

const cmd = defineCommand({
  name: "npm run grader-worker",
  summary: "grade submissions from the course's PostgreSQL queue (run on as many machines as you like)",
  options: {
    concurrency: { type: "string", value: "n", help: `gradings at once (default: cores, here ${os.cpus().length})` },
    "lease-seconds": { type: "string", value: "s", help: "a job returns to the queue this long after its worker stopped renewing (default 60)" },
    id: { type: "string", value: "name", help: "this worker's name in the gradebook (default host:pid)" },
  },
  epilog: "Environment: DATABASE_URL=postgres://… (required: the embedded gradebook serves one process, which grades by itself).",
});

runCommand(cmd, async ({ values }) => {
  if (!process.env.DATABASE_URL) throw new UsageError("set DATABASE_URL=postgres://… to the course's gradebook (the embedded gradebook grades inside npm run hub's course service)");
  const db = await openDatabase({ dataDir: "" });
  await migrate(db);
  const worker = new GradingWorker({
    db,
    id: values.id,
    concurrency: positiveInt(values.concurrency, "concurrency"),
    leaseSeconds: positiveInt(values["lease-seconds"], "lease-seconds"),
    log: (l) => console.error(l),
  });
  worker.start();
  console.error(`grader-worker ${worker.id}: grading up to ${worker.concurrency} at a time (lease ${worker.leaseSeconds} s)`);
  return new Promise<number>((resolve) => {
    const stop = async () => {
      console.error(`grader-worker ${worker.id}: stopping after the gradings in progress`);
      await worker.stop();
      await db.close();
      resolve(0);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
});
