/**
 * Starting a kernel process from its kernelspec, and making sure it never outlives us.
 *
 * - A connection file (ports on 127.0.0.1, a random HMAC-SHA256 key) is written with mode 0600.
 * - The kernel is spawned in its own process group (detached), so a Ctrl-C in the terminal
 *   reaches only this CLI, which then stops the kernel itself, and so that SIGINT for a
 *   timed-out cell and the final SIGKILL reach every process the kernel started.
 * - Every live kernel is killed on process exit and by `killAllKernels()` (the CLI calls it
 *   from its signal handlers).
 * - If this process dies without cleaning up (SIGKILL), a guard process notices at once: it
 *   holds the read end of a pipe only we write to, and when that pipe closes it kills the
 *   kernel's group and removes the connection file. It is a separate process because the
 *   kernel's own event loop may be busy for many seconds (starting, or running a cell). As a
 *   second line, watchdog.cjs, preloaded into the kernel's node, does the same from inside the
 *   kernel when its loop is free.
 * - noWatch.cjs, also preloaded, turns off tslab's file watching (see there why).
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PACKAGE_DIR } from "../paths";
import { FoundKernelSpec, kernelArgv } from "./kernelspec";

export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchedKernel {
  pid: number;
  child: ChildProcess;
  connection: ConnectionInfo;
  connectionFile: string;
  /** Resolves when the kernel process has exited. */
  exited: Promise<KernelExit>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last few KB the kernel process wrote to its own stdout/stderr (not the notebook's). */
  logTail(): string;
  /** Signals the kernel's whole process group. */
  signal(sig: NodeJS.Signals): void;
  /** The guard process (see above), killed with the kernel. */
  guard: ChildProcess;
  /** SIGKILLs the group, waits for the exit and removes the connection file. */
  kill(): Promise<void>;
}

const WATCHDOG = path.join(PACKAGE_DIR, "src", "kernel", "watchdog.cjs");
/**
 * The guard: waits for EOF on stdin (we died or let go), then SIGKILLs the kernel's group and
 * removes the connection file (it holds the HMAC key; nobody else would).
 */
const GUARD = `process.stdin.on("end", () => { try { process.kill(-Number(process.argv[1]), "SIGKILL"); } catch {} try { require("fs").rmSync(process.argv[2], { force: true }); } catch {} process.exit(0); }).resume();`;
const NO_WATCH = path.join(PACKAGE_DIR, "src", "kernel", "noWatch.cjs");
const live = new Set<LaunchedKernel>();

/** Kills every kernel this process started (synchronous: safe in exit and signal handlers). */
export function killAllKernels(): void {
  for (const k of live) {
    try {
      k.signal("SIGKILL");
      k.guard.kill("SIGKILL");
    } catch {
      // already gone
    }
    try {
      fs.rmSync(k.connectionFile, { force: true });
    } catch {
      // best effort
    }
  }
  live.clear();
}
process.on("exit", killAllKernels);

/** The number of kernels this process has started and not yet seen exit (tests check it is 0). */
export function liveKernelCount(): number {
  return live.size;
}

async function freePorts(count: number): Promise<number[]> {
  // Hold all the listeners open together so the ports differ, then release them.
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function launchKernel(found: FoundKernelSpec, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<LaunchedKernel> {
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  const connection: ConnectionInfo = {
    transport: "tcp",
    ip: "127.0.0.1",
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: crypto.randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: found.name,
  };
  const connectionFile = path.join(os.tmpdir(), `nbconvert-ts-${process.pid}-${crypto.randomBytes(4).toString("hex")}.json`);
  fs.writeFileSync(connectionFile, JSON.stringify(connection, null, 1), { mode: 0o600 });

  const argv = kernelArgv(found, connectionFile);
  const before = process.env.NODE_OPTIONS ?? "";
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...(found.spec.env ?? {}),
    ...(options.env ?? {}),
    NBCONVERT_TS_PARENT_PID: String(process.pid),
    NBCONVERT_TS_NODE_OPTIONS: before,
    NBCONVERT_TS_NO_WATCH: "1",
    NODE_OPTIONS: `${before} --require ${JSON.stringify(WATCHDOG)} --require ${JSON.stringify(NO_WATCH)}`.trim(),
  };
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env,
    detached: true, // its own process group
    stdio: ["pipe", "pipe", "pipe"], // stdin is the watchdog's lifeline
  });
  const pid = child.pid;
  if (pid == null) {
    fs.rmSync(connectionFile, { force: true });
    const err = await new Promise<Error>((r) => child.once("error", r));
    throw new Error(`could not start kernel "${found.name}" (${argv[0]}): ${err.message}`);
  }

  const guard = spawn(process.execPath, ["-e", GUARD, String(pid), connectionFile], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  guard.on("error", () => {});
  guard.stdin!.on("error", () => {});
  guard.unref(); // neither the guard nor its pipe keeps this process alive
  (guard.stdin as unknown as { unref?: () => void }).unref?.();

  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-8192);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.stdin!.on("error", () => {}); // EPIPE once the kernel is gone
  child.on("error", () => {});

  let done = false;
  const exited = new Promise<KernelExit>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      live.delete(kernel);
      resolve({ code, signal });
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    if (done) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // gone already
      }
    }
  };
  const kernel: LaunchedKernel = {
    pid,
    child,
    connection,
    connectionFile,
    exited,
    hasExited: () => done,
    logTail: () => log,
    signal,
    guard,
    kill: async () => {
      signal("SIGKILL");
      await exited;
      // children in the group that outlived the leader get the same signal
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // group empty
      }
      guard.kill("SIGKILL");
      fs.rmSync(connectionFile, { force: true });
    },
  };
  live.add(kernel);
  return kernel;
}
