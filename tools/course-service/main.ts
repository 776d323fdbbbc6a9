/**
 * `tsx tools/course-service/main.ts`: the course service, as JupyterHub starts it (a managed
 * service: tools/hub/jupyterhub_config.py). Settings come from the hub's environment
 * (JUPYTERHUB_*) and the course's (COURSE_DATA_DIR, DATABASE_URL, COURSE_TIME_ZONE).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defineCommand, positiveInt, runCommand, UsageError } from "@ts-course/cli";
import { openDatabase } from "./db";
import { Hub, hubConfigFromEnv } from "./hub";
import { checkTimeZone } from "./policy";
import { createService } from "./service";

const cmd = defineCommand({
  name: "course-service",
  summary: "the course's JupyterHub service: assignments, submissions, gradebook, grading queue",
  options: {
    port: { type: "string", value: "n", help: "port (default: the port of $JUPYTERHUB_SERVICE_URL)" },
    "data-dir": { type: "string", value: "dir", help: "the course's data folder (default $COURSE_DATA_DIR or ./course-data)" },
    workers: { type: "string", value: "n", help: "gradings at once inside this process (default: cores; 0 with DATABASE_URL leaves it to npm run grader-worker)" },
    "time-zone": { type: "string", value: "zone", help: "the course's default IANA time zone (default $COURSE_TIME_ZONE or the system's)" },
  },
  epilog: "Environment: DATABASE_URL=postgres://… for a PostgreSQL server (default: embedded PGlite in <data-dir>/gradebook), JUPYTERHUB_* from the hub.",
});

runCommand(cmd, async ({ values }) => {
  const hubConfig = hubConfigFromEnv();
  const serviceUrl = process.env.JUPYTERHUB_SERVICE_URL ? new URL(process.env.JUPYTERHUB_SERVICE_URL) : null;
  const port = positiveInt(values.port, "port") ?? Number(serviceUrl?.port || 0);
  if (!port) throw new UsageError("give --port or run under JupyterHub (JUPYTERHUB_SERVICE_URL)");
  const dataDir = path.resolve(values["data-dir"] ?? process.env.COURSE_DATA_DIR ?? "course-data");
  const timeZone = checkTimeZone(values["time-zone"] ?? process.env.COURSE_TIME_ZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const workers = values.workers !== undefined ? Number(values.workers) : os.cpus().length;
  if (!Number.isInteger(workers) || workers < 0) throw new UsageError(`--workers wants a whole number ≥ 0, not "${values.workers}"`);
  const db = await openDatabase({ dataDir });
  if (db.kind === "pglite" && workers === 0) throw new UsageError("the embedded gradebook allows one process, so grading must run inside the service: use --workers ≥ 1 or set DATABASE_URL");
  const service = await createService({ db, hub: new Hub(hubConfig), timeZone, workers, secureCookies: process.env.COURSE_SECURE_COOKIES === "1" });
  const host = serviceUrl?.hostname ?? "127.0.0.1";
  const bound = await service.listen(port, host);
  // The pid, for operators (and the fault tests) who restart the service; the hub restarts it when it exits.
  const pidFile = path.join(dataDir, "course-service.pid");
  fs.writeFileSync(pidFile, String(process.pid));
  console.error(`course service on http://${host}:${bound}${hubConfig.prefix} (gradebook: ${db.kind === "pglite" ? `embedded, ${path.join(dataDir, "gradebook")}` : "PostgreSQL"}; grading in this process: ${workers})`);
  return new Promise<number>((resolve) => {
    const stop = async () => {
      await service.close();
      await db.close();
      resolve(0);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
});
