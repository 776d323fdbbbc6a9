/**
 * `npm run hub`: the course for a class on this machine. JupyterHub (with configurable-http-proxy)
 * on a local port, the course service as a hub service, one JupyterLab per student with the
 * course kernel, idle culling. Creates .venv-hub/ on first use (a few minutes) and keeps all
 * data (gradebook, submissions, hub state, student homes) in one folder: stop and start again
 * and nothing is lost.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { defineCommand, positiveInt, runCommand, UsageError } from "../cli/command";
import { checkTimeZone } from "../course-service/policy";
import { DEFAULT_DATA_DIR, defaultDataDir, hubLaunch, portInUse, prepareDataDir, prepareMultiUser, readNames } from "./launch";
import { ensureHubVenv } from "./venv";
import { ensureLabExtension } from "../labextension/install";

const cmd = defineCommand({
  name: "npm run hub",
  summary: "JupyterHub for a class: log-in, one JupyterLab per student, assignments, submissions, gradebook",
  usage: "[-- options]",
  options: {
    port: { type: "string", value: "n", help: "public port (default 8000)" },
    ip: { type: "string", value: "addr", help: "address to listen on (default 127.0.0.1; 0.0.0.0 for other machines: put TLS in front)" },
    "data-dir": { type: "string", value: "dir", help: `the one data folder (default ${path.relative(process.cwd(), DEFAULT_DATA_DIR) || DEFAULT_DATA_DIR}; as root from a checkout other users cannot enter, /var/lib/ts-course/<checkout>/course-data)` },
    instructor: { type: "string", multiple: true, value: "name", help: "make this user an instructor (creates the account; they set a password on first log-in)" },
    ta: { type: "string", multiple: true, value: "name", help: "make this user a teaching assistant" },
    "time-zone": { type: "string", value: "zone", help: "the course's default IANA time zone (default: this machine's)" },
    "idle-timeout": { type: "string", value: "s", help: "stop student servers idle this many seconds (default 3600)" },
  },
  epilog: `Environment: DATABASE_URL=postgres://… puts the gradebook on a PostgreSQL server (then add machines
with npm run grader-worker). COURSE_PYTHON picks the Python that creates .venv-hub/.
See README.md, "Teach a class".`,
});

/** A process's parent (from /proc; null where there is no /proc). */
function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function addNames(file: string, names: string[]): void {
  const all = [...new Set([...readNames(file), ...names.map((n) => n.toLowerCase())])];
  for (const n of all) if (!NAME.test(n)) throw new UsageError(`"${n}" is not a valid user name (1-64 of a-z 0-9 . _ -)`);
  fs.writeFileSync(file, all.join("\n") + "\n", { mode: 0o600 });
}

runCommand(cmd, async ({ values }) => {
  const multiUser = process.getuid?.() === 0;
  const dataDir = path.resolve(values["data-dir"] ?? defaultDataDir(multiUser));
  const port = positiveInt(values.port, "port") ?? 8000;
  const idle = positiveInt(values["idle-timeout"], "idle-timeout") ?? 3600;
  let timeZone: string;
  try {
    timeZone = checkTimeZone(values["time-zone"] ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  prepareDataDir(dataDir, multiUser);
  if (values.instructor?.length) addNames(path.join(dataDir, "hub", "instructors.txt"), values.instructor);
  if (values.ta?.length) addNames(path.join(dataDir, "hub", "tas.txt"), values.ta);
  if (await portInUse(port)) throw new UsageError(`port ${port} is in use; choose another with --port`);
  if (multiUser) prepareMultiUser();
  const venv = await ensureHubVenv();
  await ensureLabExtension(venv.dir); // the course panel in every student's JupyterLab (built once)
  const launch = await hubLaunch({ venv, dataDir, ip: values.ip, port, timeZone, idleTimeoutSeconds: idle, multiUser });
  // Its own process group: Ctrl-C signals every process of the terminal's job, and npm and tsx pass
  // signals on as well, so JupyterHub would get several, and JupyterHub 6.1.1 hangs half stopped
  // when a second signal cancels the shutdown the first one began. It gets exactly one, from here.
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ["ignore", "inherit", "inherit"], detached: true });
  const url = `http://${values.ip && values.ip !== "0.0.0.0" ? values.ip : "127.0.0.1"}:${port}/`;
  const instructors = launch.settings.instructors;
  const banner = [
    "",
    `The course hub starts at ${url}  (data: ${dataDir}; gradebook: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "embedded"})`,
    instructors.length
      ? `Instructors: ${instructors.join(", ")}. Log in at ${url}hub/login with that name and a new password (the first log-in sets it), then open ${url}services/course/instructor/`
      : `No instructor yet: stop (Ctrl-C) and run \`npm run hub -- --instructor <name>\`; that account sets its password on first log-in, so do it before anyone else can reach the page.`,
    `Students log in once their instructor imported the roster (${url}services/course/instructor/), choosing a password on first log-in.`,
    multiUser
      ? "Each student runs as their own system user (group course-students); the gradebook and hub state are readable by root only."
      : "!!! SINGLE-USER DEMO MODE: not run as root, so every student's JupyterLab runs as YOUR user and a student's terminal can read the gradebook, the hidden tests and other students' work. Fine to try the course alone; for a class, run as root (students become separate system users). !!!",
    "",
  ];
  // The banner once the course service answers through the proxy (the first start initialises the gradebook).
  void (async () => {
    for (let i = 0; i < 240 && child.exitCode == null; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/services/course/health`).then((r) => r.ok, () => false);
      if (ok) return console.error(banner.join("\n"));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  let stopping = false;
  const stop = (signal: string) => () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the students' servers and kernels, the course service, the proxy and JupyterHub (a few seconds)...`);
    child.kill("SIGTERM");
  };
  process.on("SIGINT", stop("SIGINT"));
  process.on("SIGTERM", stop("SIGTERM"));
  process.on("SIGHUP", stop("SIGHUP")); // the terminal closed
  // npm passes SIGTERM on to its script only when it can: `kill <npm's pid>` left this process (and
  // the whole hub) running with npm gone. So the hub also stops when whoever ran tsx is gone.
  const launcher = parentOf(process.ppid);
  if (launcher !== null) {
    setInterval(() => {
      if (parentOf(process.ppid) !== launcher) stop("launcher gone")();
    }, 2000).unref();
  }
  return new Promise<number>((resolve) => {
    child.on("error", (e) => {
      console.error(`Could not start JupyterHub (${launch.command}): ${e.message}. Remove .venv-hub/ and run \`npm run hub\` again.`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1)));
  });
});
