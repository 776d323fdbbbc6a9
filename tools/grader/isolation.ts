/**
 * The walls around a sandbox process, built from what this machine offers.
 *
 *   prlimit   RLIMIT_DATA (memory), RLIMIT_CPU (CPU seconds), no core files, few open files
 *   setpriv   the parent-death signal (the sandbox dies with its runner, even mid-loop), and, when
 *             the grader runs as root, the unprivileged user "nobody"
 *   unshare   a user namespace holding a new network namespace (no route anywhere) and a new PID
 *             namespace (the sandbox is PID 1 of its own tree: the grader and the other sandboxes
 *             do not exist for it); --kill-child ties its life to the runner's handle
 *   node      the permission model: read node_modules and the compiled runtime only, write
 *             nothing, no child processes, no workers, no native addons; no eval/new Function;
 *             a capped V8 heap
 *
 * Where unshare or prlimit is missing (not Linux, a locked-down container), grading still works
 * with the remaining walls, and the summary says which are missing; set
 * COURSE_GRADER_REQUIRE_ISOLATION=1 to refuse to grade then.
 */
import { spawnSync } from "child_process";

export interface SandboxLimits {
  /** RLIMIT_DATA in MiB: heap, wasm memory and array buffers together. */
  memoryMb: number;
  /** V8 old-space cap in MiB. */
  heapMb: number;
  /** RLIMIT_CPU in seconds, for one sandbox process. */
  cpuSeconds: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { memoryMb: 1536, heapMb: 512, cpuSeconds: 300 };

export interface Isolation {
  prlimit: boolean;
  unshare: boolean;
  setpriv: boolean;
  /** Running as root: the sandbox runs as nobody (65534). */
  dropToNobody: boolean;
  /** "--permission" (Node ≥ 22.13) or "--experimental-permission" (Node 20), or null. */
  permissionFlag: string | null;
  summary: string;
}

const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];
const UNSHARE_ARGS = ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--"];

let cached: Isolation | null = null;

export function detectIsolation(): Isolation {
  if (cached) return cached;
  const works = (cmd: string, args: string[]) => {
    try {
      return spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
    } catch {
      return false;
    }
  };
  const prlimit = process.platform === "linux" && works("prlimit", ["--core=0", "--", "true"]);
  const unshare = process.platform === "linux" && works("unshare", [...UNSHARE_ARGS, "true"]);
  const setpriv = process.platform === "linux" && works("setpriv", ["--pdeathsig", "KILL", "--", "true"]);
  // Whether nobody can reach the files the sandbox loads is checked (and mended) by runtime.ts.
  const dropToNobody = setpriv && process.getuid?.() === 0 && works("setpriv", [...NOBODY, "--", "true"]);
  const permissionFlag = ["--permission", "--experimental-permission"].find((f) => works(process.execPath, [f, "--no-warnings", "-e", "0"])) ?? null;
  const parts = [
    unshare ? "network and PID namespaces" : "NO network/PID namespaces (unshare unavailable)",
    ...(dropToNobody ? ["user nobody"] : []),
    prlimit ? "memory/CPU rlimits" : "NO rlimits (prlimit unavailable)",
    permissionFlag ? "Node permission model" : "NO Node permission model",
  ];
  cached = { prlimit, unshare, setpriv, dropToNobody, permissionFlag, summary: parts.join(", ") };
  if (process.env.COURSE_GRADER_REQUIRE_ISOLATION === "1" && !(prlimit && unshare && permissionFlag)) {
    throw new Error(`COURSE_GRADER_REQUIRE_ISOLATION=1 but this machine offers only: ${cached.summary}`);
  }
  return cached;
}

export function fullyIsolated(iso = detectIsolation()): boolean {
  return iso.prlimit && iso.unshare && iso.permissionFlag != null;
}

/** A command run as the sandbox's user (nobody when grading as root), for checks and the sandbox itself. */
export function asSandboxUser(command: string, args: string[], iso = detectIsolation()): { command: string; args: string[] } {
  return iso.dropToNobody ? { command: "setpriv", args: [...NOBODY, "--", command, ...args] } : { command, args };
}

/**
 * The command line that starts one sandbox: `node main` inside the walls. `readPaths` are the only
 * files Node's permission model lets it read (the runtime and the packages it loads).
 */
export function sandboxCommand(main: string, readPaths: string[], limits: SandboxLimits = DEFAULT_LIMITS, iso = detectIsolation(), node = process.execPath): { command: string; args: string[] } {
  const nodeArgs = [
    ...(iso.permissionFlag ? [iso.permissionFlag, ...readPaths.map((p) => `--allow-fs-read=${p}`)] : []),
    "--disallow-code-generation-from-strings",
    `--max-old-space-size=${limits.heapMb}`,
    "--no-warnings",
    main,
  ];
  let command = node;
  let args = nodeArgs;
  if (iso.unshare) {
    args = [...UNSHARE_ARGS, command, ...args];
    command = "unshare";
  }
  if (iso.setpriv) {
    args = [...(iso.dropToNobody ? NOBODY : []), "--pdeathsig", "KILL", "--", command, ...args];
    command = "setpriv";
  }
  if (iso.prlimit) {
    const bytes = limits.memoryMb * 1024 * 1024;
    args = [`--data=${bytes}`, `--cpu=${limits.cpuSeconds}`, "--core=0", "--nofile=256", "--", command, ...args];
    command = "prlimit";
  }
  return { command, args };
}
