/**
 * How the course's JupyterHub starts: which command, which settings, which data folder layout.
 * Shared by `npm run hub` (hub.ts) and the tests (tests/class), so the tests run the hub a class gets.
 *
 *   <data>/            0711 (students may pass through to their home, not list it)
 *     hub/             0700  JupyterHub's database, cookie secret, first-use passwords, instructors.txt
 *     gradebook/       0700  the embedded PostgreSQL (PGlite) of the course service
 *     homes/<student>  0700  owned by the student (as root); lib/ is a read-only copy of the course library
 *     jupyter/         0755  the student kernelspec (tslab started in the student's home)
 *
 * As root, students must be able to enter the data folder (every folder above it open to others)
 * and run the venv and the kernel: a checkout under /root gets them staged (stage.ts), and its
 * default data folder moves to /var/lib/ts-course/<checkout>/course-data.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { InputError } from "../cli/command";
import { REPO_ROOT } from "../kernel/kernelspec";
import { StudentRuntime, studentRuntime, stagedCheckoutDir } from "./stage";
import { HubVenv, unreachableByOthers } from "./venv";

export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, "course-data");

/**
 * The data folder when none is named: course-data/ in the checkout, unless students (as root)
 * could not enter it; then /var/lib/ts-course/<checkout>/course-data.
 */
export function defaultDataDir(multiUser: boolean): string {
  if (!multiUser || !unreachableByOthers(REPO_ROOT + path.sep + ".")) return DEFAULT_DATA_DIR;
  return path.join(stagedCheckoutDir(REPO_ROOT), "course-data");
}

/** As root: the data folder must be one students can pass through to their homes. */
export function checkDataDirReachable(dataDir: string): void {
  const closed = unreachableByOthers(path.join(dataDir, "."));
  if (closed) throw new InputError(`students cannot reach their homes in ${dataDir}: ${closed} is closed to other users. Choose a data folder they can enter, e.g. --data-dir /var/lib/ts-course/course-data`);
}
export const CONFIG_FILE = path.join(REPO_ROOT, "tools", "hub", "jupyterhub_config.py");

export interface HubSettings {
  repo: string;
  dataDir: string;
  ip: string;
  port: number;
  hubPort: number;
  proxyApiPort: number;
  servicePort: number;
  node: string;
  tsx: string;
  proxy: string;
  python: string;
  /** What students' servers run (staged when the checkout is closed to them). */
  singleuser: string;
  studentNode: string;
  studentNodeModules: string;
  stage: string | null;
  multiUser: boolean;
  idleTimeout: number;
  timeZone: string;
  instructors: string[];
  tas: string[];
  blockedUsers: string[];
  serviceArgs: string[];
  testAdminToken?: string;
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** True when something answers on the port. */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once("connect", () => (sock.destroy(), resolve(true)));
    sock.once("error", () => resolve(false));
  });
}

export function readNames(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split(/\s+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
}

/** System accounts (uid < 1000, or not in course-students) must never become course users. */
export function systemAccounts(): string[] {
  try {
    return fs.readFileSync("/etc/passwd", "utf8").split("\n").filter(Boolean).map((l) => l.split(":")).filter((f) => Number(f[2]) < 1000 || Number(f[2]) === 65534).map((f) => f[0]);
  } catch {
    return [];
  }
}

/** The kernelspec students get: tslab in their home, where ./lib is the course library. */
export function studentKernelSpec(rt: Pick<StudentRuntime, "node" | "tslab" | "preload" | "watch">) {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    argv: ["sh", "-c", `cd "$HOME" && exec ${q(rt.node)} --require ${q(rt.preload)} --require ${q(rt.watch)} ${q(rt.tslab)} kernel --config-path "$0"`, "{connection_file}"],
    display_name: "TypeScript (course)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { course: true },
  };
}

/** Creates the data folder's layout with its modes (the kernelspec is written by hubLaunch). */
export function prepareDataDir(dataDir: string, multiUser: boolean): void {
  const mk = (p: string, mode: number) => {
    fs.mkdirSync(p, { recursive: true });
    fs.chmodSync(p, mode);
  };
  mk(dataDir, multiUser ? 0o711 : 0o700);
  mk(path.join(dataDir, "hub"), 0o700);
  mk(path.join(dataDir, "gradebook"), 0o700);
  mk(path.join(dataDir, "homes"), multiUser ? 0o711 : 0o700);
}

function writeKernelSpec(dataDir: string, rt: StudentRuntime): void {
  const kernelDir = path.join(dataDir, "jupyter", "kernels", "ts-course");
  fs.mkdirSync(kernelDir, { recursive: true });
  for (const p of [path.join(dataDir, "jupyter"), path.join(dataDir, "jupyter", "kernels"), kernelDir]) fs.chmodSync(p, 0o755);
  const file = path.join(kernelDir, "kernel.json");
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(studentKernelSpec(rt), null, 2) + "\n");
  fs.renameSync(`${file}.tmp`, file);
  fs.chmodSync(file, 0o644);
}

/** As root: students are system users in group course-students; the repository must not show them the hidden tests. */
export function prepareMultiUser(): void {
  if (spawnSync("getent", ["group", "course-students"]).status !== 0) {
    const r = spawnSync("groupadd", ["course-students"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`could not create the group course-students: ${r.stderr}`);
  }
  // Students' kernels run the repository's node_modules (or its staged copy) and read nothing else of it.
  for (const secret of ["tests/autograder/hidden", "solutions", ".git"]) {
    const p = path.join(REPO_ROOT, secret);
    if (fs.existsSync(p) && (fs.statSync(p).mode & 0o077) !== 0) {
      fs.chmodSync(p, 0o700);
      console.error(`made ${secret}/ readable by root only (students must not read it)`);
    }
  }
}

export interface HubLaunchOptions {
  venv: HubVenv;
  dataDir: string;
  ip?: string;
  port: number;
  timeZone: string;
  idleTimeoutSeconds?: number;
  multiUser: boolean;
  serviceArgs?: string[];
  testAdminToken?: string;
  env?: NodeJS.ProcessEnv;
  /** Stage the students' runtime even when they could run the checkout in place (tests). */
  forceStage?: boolean;
}

export async function hubLaunch(o: HubLaunchOptions): Promise<{ command: string; args: string[]; env: NodeJS.ProcessEnv; cwd: string; settings: HubSettings }> {
  const hubDir = path.join(o.dataDir, "hub");
  if (o.multiUser) checkDataDirReachable(o.dataDir);
  const runtime = studentRuntime(o.venv, { multiUser: o.multiUser, force: o.forceStage });
  writeKernelSpec(o.dataDir, runtime);
  const settings: HubSettings = {
    repo: REPO_ROOT,
    dataDir: o.dataDir,
    ip: o.ip ?? "127.0.0.1",
    port: o.port,
    hubPort: await freePort(),
    proxyApiPort: await freePort(),
    servicePort: await freePort(),
    node: process.execPath,
    tsx: require.resolve("tsx/cli"),
    proxy: require.resolve("configurable-http-proxy/bin/configurable-http-proxy"),
    python: o.venv.python,
    singleuser: runtime.singleuser,
    studentNode: runtime.node,
    studentNodeModules: runtime.nodeModules,
    stage: runtime.staged,
    multiUser: o.multiUser,
    idleTimeout: o.idleTimeoutSeconds ?? 3600,
    timeZone: o.timeZone,
    instructors: readNames(path.join(hubDir, "instructors.txt")),
    tas: readNames(path.join(hubDir, "tas.txt")),
    blockedUsers: o.multiUser ? systemAccounts() : [],
    serviceArgs: o.serviceArgs ?? [],
    testAdminToken: o.testAdminToken,
  };
  const nodeDir = path.dirname(process.execPath);
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, COURSE_HUB_SETTINGS: JSON.stringify(settings) };
  env.PATH = [nodeDir, path.dirname(o.venv.python), ...(env.PATH ?? "").split(path.delimiter).filter(Boolean)].join(path.delimiter);
  return { command: o.venv.jupyterhub, args: ["-f", CONFIG_FILE], env, cwd: hubDir, settings };
}
