/**
 * A JupyterLab server for the browser test: started the way `npm run lab` starts it (same venv,
 * same kernelspec, same launch arguments), on a free loopback port with a random token, with its
 * own settings, workspaces and runtime folders so that it neither reads nor writes the user's.
 * `stop()` kills the whole process group and any kernel left over, even after a failure.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { installCourseKernelSpec } from "../../tools/kernel/kernelspec";
import { labLaunch } from "../../tools/lab/server";
import { ensureLabVenv } from "../../tools/lab/venv";

export interface LabServer {
  url: string;
  port: number;
  token: string;
  /** Authenticated REST call against the server. */
  api<T = unknown>(route: string, init?: { method?: string; body?: unknown }): Promise<T>;
  stop(): Promise<void>;
}

export interface StartOptions {
  root: string;
  /** Environment for the server and so for its kernels (e.g. COURSE_TRAIN_SCALE). */
  env?: NodeJS.ProcessEnv;
  /** The server's log goes here. */
  logFile: string;
  /** JupyterLab user settings, by plugin id. */
  settings?: Record<string, Record<string, unknown>>;
  startTimeoutMs?: number;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startLabServer(options: StartOptions): Promise<LabServer> {
  const venv = await ensureLabVenv({ root: options.root, showPipOutput: true });
  installCourseKernelSpec(options.root);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "course-e2e-lab-"));
  const dirs = {
    config: path.join(scratch, "config"),
    settings: path.join(scratch, "settings"),
    workspaces: path.join(scratch, "workspaces"),
    runtime: path.join(scratch, "runtime"),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  for (const [plugin, values] of Object.entries(options.settings ?? {})) {
    // "@jupyterlab/notebook-extension:tracker" -> settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings
    const [pkg, name] = plugin.split(":");
    const file = path.join(dirs.settings, pkg, `${name}.jupyterlab-settings`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(values, null, 2));
  }

  const port = await freeLoopbackPort();
  const token = crypto.randomBytes(24).toString("hex");
  const launch = labLaunch({
    root: options.root,
    jupyter: venv.jupyter,
    env: {
      ...options.env,
      JUPYTER_CONFIG_DIR: dirs.config,
      JUPYTERLAB_SETTINGS_DIR: dirs.settings,
      JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces,
      JUPYTER_RUNTIME_DIR: dirs.runtime,
    },
    extraArgs: [
      `--port=${port}`,
      "--ServerApp.port_retries=0", // fail rather than move to another port
      "--no-browser",
      `--IdentityProvider.token=${token}`,
      "--LabApp.extension_manager=readonly", // no PyPI queries from the extension manager
      "--LabApp.news_url=", // no news feed
    ],
  });
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, "w");
  // detached: the server leads its own process group, so stop() can kill all of it.
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;

  const api = async <T>(route: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${url}${route}`, {
      method: init.method ?? "GET",
      headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${route}: HTTP ${response.status}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };

  // One shutdown, however many callers (a signal handler and the main path may both ask).
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= shutdown());
  const shutdown = async () => {
    process.off("exit", killNow);
    // Ask politely first: the server shuts its kernels down on SIGTERM.
    try {
      const kernels = await withTimeout(api<{ id: string }[]>("/api/kernels"), 3000);
      await Promise.all(kernels.map((k) => withTimeout(api(`/api/kernels/${k.id}`, { method: "DELETE" }), 5000).catch(() => undefined)));
    } catch {
      /* the server may already be gone */
    }
    signalGroup(child, "SIGTERM");
    if (!(await exited(child, 8000))) signalGroup(child, "SIGKILL");
    await exited(child, 3000);
    killKernelsUsing(dirs.runtime);
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  // Last resort if the test process dies without calling stop().
  const killNow = () => {
    signalGroup(child, "SIGKILL");
    killKernelsUsing(dirs.runtime);
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.on("exit", killNow);

  try {
    await waitUntilReady(url, token, child, options.logFile, options.startTimeoutMs ?? 120_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, token, api, stop };
}

async function waitUntilReady(url: string, token: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`JupyterLab exited during start-up (${child.exitCode ?? child.signalCode}). Log ${logFile}:\n${tail(logFile, 30)}`);
    }
    try {
      const r = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`JupyterLab did not answer on ${url} within ${timeoutMs / 1000} s. Log ${logFile}:\n${tail(logFile, 30)}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Kernels run in their own sessions (jupyter_client starts them with start_new_session), so the
 * server's process group does not cover them. Their command lines name a connection file in our
 * private runtime folder: that identifies exactly the kernels this test started.
 */
export function killKernelsUsing(runtimeDir: string): number[] {
  const killed: number[] = [];
  if (process.platform !== "linux") return killed;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmdline.includes(runtimeDir)) {
      try {
        process.kill(Number(entry), "SIGKILL");
        killed.push(Number(entry));
      } catch {
        /* gone */
      }
    }
  }
  return killed;
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);
}
