/**
 * The sandbox: the only process that runs student code.
 *
 * Started by the runner (sandboxClient.ts) inside OS walls this file cannot lower:
 *   - prlimit: a data-segment cap (memory), a CPU-time cap, no core files;
 *   - unshare: its own network namespace (no interface but a down loopback: nothing to connect to)
 *     and its own PID namespace (it cannot see, let alone signal, the grader or other sandboxes);
 *   - Node's permission model: it may read only node_modules and the compiled runtime
 *     (never tests/, solutions/ or other submissions), write nowhere, spawn no process or worker;
 *   - code generation from strings disabled.
 * Inside, each notebook's graded cells run in their own vm context with no `require` or `process`,
 * only the allowed modules. The vm context is a convenience (clean globals, a timeout on loading),
 * not a wall: student code that escapes it still meets the walls above.
 *
 * The sandbox computes; it does not grade. It sends back values; the runner's specs judge them.
 */
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import * as vm from "vm";
import type { CallRequest, ContextRequest, ErrorInfo, ImportBinding, LoadRequest, ReadyMessage, Request, Response, SandboxEvent } from "./protocol";
import { argMarker, CallState, describe, encodeTfValue } from "./tfValues";
import { decodeValue, encodeValue } from "./values";

type TF = typeof import("@tensorflow/tfjs");

const RESPONSE_FD = 3;
const RUNTIME_ROOT = path.resolve(__dirname, "..");

// ── trusted set-up, before any student code ────────────────────────────────────────────────
// eslint-disable-next-line @typescript-eslint/no-var-requires
const tf: TF = require("@tensorflow/tfjs");

function send(message: Response | ReadyMessage | SandboxEvent): void {
  const line = JSON.stringify(message) + "\n";
  let buf = Buffer.from(line);
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(RESPONSE_FD, buf);
      buf = buf.subarray(n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    }
  }
}

/** Best-effort blocks inside the process, behind the OS walls (which do not depend on them). */
function harden(): void {
  const deny = (what: string) => () => {
    throw new Error(`${what} is not available to graded code`);
  };
  const proc = process as unknown as Record<string, unknown>;
  proc.kill = deny("process.kill");
  if (typeof proc._kill === "function") proc._kill = deny("process.kill");
  proc.dlopen = deny("process.dlopen");
  for (const name of ["fetch", "WebSocket", "EventSource", "XMLHttpRequest"]) {
    try {
      delete (globalThis as Record<string, unknown>)[name];
    } catch {
      /* not configurable: fine */
    }
  }
  const patch = (mod: Record<string, unknown>, names: string[], what: string) => {
    for (const n of names) if (typeof mod[n] === "function") mod[n] = deny(what);
  };
  /* eslint-disable @typescript-eslint/no-var-requires */
  const net = require("net");
  patch(net, ["connect", "createConnection", "createServer"], "the network");
  patch(net.Socket.prototype, ["connect"], "the network");
  patch(net.Server.prototype, ["listen"], "the network");
  patch(require("http"), ["request", "get", "createServer"], "the network");
  patch(require("https"), ["request", "get", "createServer"], "the network");
  patch(require("tls"), ["connect", "createServer"], "the network");
  patch(require("dgram"), ["createSocket"], "the network");
  patch(require("dns"), ["lookup", "resolve", "resolve4", "resolve6"], "the network");
  /* eslint-enable @typescript-eslint/no-var-requires */
}

// ── what graded code may import ───────────────────────────────────────────────────────────
function requireAllowed(spec: string): unknown {
  if (spec === "@tensorflow/tfjs" || spec === "@tensorflow/tfjs-core" || spec === "@tensorflow/tfjs-layers") return tf;
  const m = /^(?:\.\.?\/)*lib\/([A-Za-z0-9_/.-]+?)(?:\.ts|\.js)?$/.exec(spec);
  if (m && !m[1].split("/").includes("..")) {
    const file = path.join(RUNTIME_ROOT, "lib", `${m[1]}.js`);
    if (!fs.existsSync(file)) throw new Error(`"${spec}": there is no lib/${m[1]}.ts`);
    return require(file);
  }
  throw new Error(`"${spec}" cannot be imported in graded cells (allowed: @tensorflow/tfjs and the course's ./lib/… files)`);
}

// ── one vm context per notebook ───────────────────────────────────────────────────────────
interface ModuleContext {
  context: vm.Context;
  sandbox: Record<string, unknown>;
  importErrors: string[];
  filenames: string[];
}
const modules = new Map<string, ModuleContext>();

function makeConsole(): Console {
  // Student output goes to the sandbox's stdout; the runner keeps a bounded tail for diagnostics.
  const out = (...xs: unknown[]) => process.stdout.write(xs.map((x) => (typeof x === "string" ? x : safeString(x))).join(" ") + "\n");
  return { log: out, info: out, warn: out, error: out, debug: out, table: out, dir: out } as unknown as Console;
}

function safeString(x: unknown): string {
  try {
    return typeof x === "object" ? JSON.stringify(encodeValue(x, { special: encodeTfValue })).slice(0, 2000) : String(x);
  } catch {
    return "[unprintable]";
  }
}

// ── callbacks graded code schedules ───────────────────────────────────────────────────────
/** Who is running now: "cell:<key>" while a cell loads, "call:<module>.<fn>" during a call. */
let activeOwner: string | null = null;
const SCHEDULED_LIMIT_MS = Number(process.env.COURSE_SANDBOX_TIMER_MS) || 5_000;

/**
 * A callback runs later, perhaps while another request is in flight. It runs under its own time
 * limit, announced with its owner (whoever scheduled it), so that a hang or a crash it causes is
 * charged to its owner and not to the request that happens to be running.
 */
function runScheduled(mod: ModuleContext, owner: string, fn: (...a: unknown[]) => unknown, args: unknown[]): void {
  const prev = activeOwner;
  activeOwner = owner;
  send({ type: "timer", owner });
  try {
    mod.sandbox.__courseScheduled = () => fn(...args);
    vm.runInContext("__courseScheduled()", mod.context, { timeout: SCHEDULED_LIMIT_MS, displayErrors: false });
  } catch (err) {
    if ((err as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      send({ type: "fault", owner, message: `ran longer than ${SCHEDULED_LIMIT_MS / 1000} s` });
      process.exit(0); // its state is unknown now: the runner starts afresh
    }
    process.stderr.write(`uncaught in a callback scheduled by ${owner}: ${String((err as Error)?.message ?? err).slice(0, 500)}\n`);
  } finally {
    delete mod.sandbox.__courseScheduled;
    activeOwner = prev;
    send({ type: "timer-end" });
  }
}

function schedulers(mod: () => ModuleContext): Record<string, unknown> {
  const later = (fn: unknown, args: unknown[]) => {
    const owner = activeOwner ?? "unknown:";
    return typeof fn === "function" ? () => runScheduled(mod(), owner, fn as (...a: unknown[]) => unknown, args) : () => undefined;
  };
  return {
    setTimeout: (fn: unknown, ms?: number, ...args: unknown[]) => setTimeout(later(fn, args), ms),
    setInterval: (fn: unknown, ms?: number, ...args: unknown[]) => setInterval(later(fn, args), ms),
    setImmediate: (fn: unknown, ...args: unknown[]) => setImmediate(later(fn, args)),
    queueMicrotask: (fn: unknown) => queueMicrotask(later(fn, [])),
    clearTimeout,
    clearInterval,
    clearImmediate,
  };
}

function createModuleContext(imports: ImportBinding[]): ModuleContext {
  let self: ModuleContext | null = null;
  const sandbox: Record<string, unknown> = {
    console: makeConsole(),
    require: requireAllowed,
    ...schedulers(() => self!),
    TextEncoder,
    TextDecoder,
    // The host's typed arrays, so `new Float32Array(n)` in a cell is one tfjs recognises.
    ArrayBuffer,
    Float32Array,
    Float64Array,
    Int32Array,
    Int16Array,
    Int8Array,
    Uint32Array,
    Uint16Array,
    Uint8Array,
    Uint8ClampedArray,
  };
  const context = vm.createContext(sandbox, { name: "graded cells", codeGeneration: { strings: false, wasm: false } });
  const importErrors: string[] = [];
  for (const b of imports) {
    if (!/^[A-Za-z_$][\w$]*$/.test(b.local)) continue;
    try {
      const mod = requireAllowed(b.module) as Record<string, unknown>;
      let value: unknown = mod;
      if (b.kind === "named") {
        if (!(String(b.imported) in mod)) throw new Error(`"${b.module}" has no export named ${b.imported}`);
        value = mod[String(b.imported)];
      } else if (b.kind === "default") value = mod.default ?? mod;
      sandbox[b.local] = value;
    } catch (err) {
      importErrors.push(`import of ${b.local} from "${b.module}" failed: ${(err as Error).message}`);
    }
  }
  self = { context, sandbox, importErrors, filenames: [] };
  return self;
}

// ── requests ──────────────────────────────────────────────────────────────────────────────
class Timeout extends Error {}

function errorInfo(err: unknown, kind: ErrorInfo["kind"], filenames: string[]): ErrorInfo {
  if ((err as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT" || err instanceof Timeout) {
    return { kind: "timeout", name: "Timeout", message: "timed out" };
  }
  let name = "Error";
  let message = "";
  let stack = "";
  try {
    if (err !== null && typeof err === "object") {
      name = String((err as Error).name ?? "Error").slice(0, 100);
      message = String((err as Error).message ?? "").slice(0, 2000);
      stack = String((err as Error).stack ?? "");
    } else {
      name = "thrown value";
      message = String(err).slice(0, 2000);
    }
  } catch {
    message = "an error that could not be read";
  }
  // A stack can be megabytes (a huge message or function name): keep three frames, each capped.
  const where = stack
    .split("\n")
    .filter((l) => l.trimStart().startsWith("at ") && filenames.some((f) => l.includes(f)))
    .slice(0, 3)
    .map((l) => (l.length > 300 ? `${l.trim().slice(0, 299)}…` : l.trim()))
    .join("\n");
  return { kind, name, message, where: where || undefined };
}

function createContext(req: ContextRequest): Response {
  const mod = createModuleContext(req.imports);
  modules.set(req.module, mod);
  return { id: req.id, ok: true, importErrors: mod.importErrors };
}

function load(req: LoadRequest): Response {
  let mod = modules.get(req.module);
  if (!mod) {
    mod = createModuleContext([]);
    modules.set(req.module, mod);
  }
  mod.filenames.push(req.cell.filename);
  activeOwner = `cell:${req.cell.key}`;
  try {
    const script = new vm.Script(req.cell.js, { filename: req.cell.filename });
    script.runInContext(mod.context, { timeout: req.timeoutMs, displayErrors: false });
  } catch (err) {
    const info = errorInfo(err, "threw", mod.filenames);
    if (info.kind === "timeout") return { id: req.id, ok: false, error: info, exiting: true };
    return { id: req.id, ok: false, error: info };
  } finally {
    activeOwner = null;
  }
  return { id: req.id, ok: true };
}

async function call(req: CallRequest): Promise<Response> {
  const mod = modules.get(req.module);
  const filenames = mod?.filenames ?? [];
  if (!mod) return { id: req.id, ok: false, error: { kind: "missing", name: "ReferenceError", message: `no graded cell of ${req.module} was loaded` } };
  if (!/^[A-Za-z_$][\w$]*$/.test(req.fn)) return { id: req.id, ok: false, error: { kind: "bad-request", name: "Error", message: `bad function name ${req.fn}` } };

  let fn: unknown;
  try {
    fn = vm.runInContext(`typeof ${req.fn} === "undefined" ? undefined : ${req.fn}`, mod.context, { timeout: 1000 });
  } catch (err) {
    return { id: req.id, ok: false, error: { ...errorInfo(err, "missing", filenames), kind: "missing" } };
  }
  if (fn === undefined) return { id: req.id, ok: false, error: { kind: "missing", name: "ReferenceError", message: `${req.fn} is not defined` } };
  if (typeof fn !== "function") return { id: req.id, ok: false, error: { kind: "not-a-function", name: "TypeError", message: `${req.fn} is a ${typeof fn}, not a function` } };

  const state: CallState = { disposables: [], rngs: new WeakMap() };
  const before = tf.memory().numTensors;
  tf.engine().startScope();
  let response: Response;
  activeOwner = `call:${req.module}.${req.fn}`;
  try {
    const args = req.args.map((a) => decodeValue(a, { marker: argMarker(state) }));
    const invoke = (xs: unknown[]) => (fn as (...a: unknown[]) => unknown)(...xs);
    let result: unknown;
    mod.sandbox.__courseInvoke = req.gradWrt
      ? () => {
          const wrt = req.gradWrt!;
          const xs = wrt.map((i) => args[i]);
          if (!xs.every((x) => x instanceof tf.Tensor)) throw new Error("the grader asked for a gradient with respect to an argument that is not a tensor");
          const f = (...vals: import("@tensorflow/tfjs").Tensor[]) => {
            const a2 = args.slice();
            wrt.forEach((i, k) => (a2[i] = vals[k]));
            const r = invoke(a2);
            if (!(r instanceof tf.Tensor)) throw new TypeError(`${req.fn} must return a tensor (got ${describe(r)})`);
            return tf.sum(r);
          };
          return tf.grads(f)(xs as import("@tensorflow/tfjs").Tensor[]);
        }
      : () => invoke(args);
    result = vm.runInContext("__courseInvoke()", mod.context, { timeout: req.timeoutMs, displayErrors: false });
    if (result && typeof (result as { then?: unknown }).then === "function") {
      result = await Promise.race([
        result as Promise<unknown>,
        new Promise((_, reject) => setTimeout(() => reject(new Timeout()), req.timeoutMs)),
      ]);
    }
    const value = encodeValue(result, { special: (v, e) => encodeTfValue(v, e, state) });
    const observed = req.observe ? args.map((a) => encodeValue(a, { special: (v, e) => encodeTfValue(v, e, state) })) : undefined;
    response = { id: req.id, ok: true, value, args: observed };
  } catch (err) {
    const info = errorInfo(err, "threw", filenames);
    response = { id: req.id, ok: false, error: info, exiting: info.kind === "timeout" };
  } finally {
    activeOwner = null;
    delete mod.sandbox.__courseInvoke;
    try {
      tf.engine().endScope();
      for (const d of state.disposables) d.dispose();
    } catch {
      /* state after an interrupted call: the sandbox exits below */
    }
  }
  if (response.ok) response.leakedTensors = Math.max(0, tf.memory().numTensors - before);
  return response;
}

async function serve(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch {
      continue;
    }
    let res: Response;
    if (req.op === "context") res = createContext(req);
    else if (req.op === "load") res = load(req);
    else if (req.op === "call") res = await call(req);
    else res = { id: req.id, ok: true };
    send(res);
    if (!res.ok && res.exiting) process.exit(0); // after a timeout the tfjs state is unknown: start afresh
  }
  process.exit(0); // the runner closed stdin
}

async function main(): Promise<void> {
  // A student's timer that throws between calls must not take the next (maybe honest) call down.
  process.on("uncaughtException", (err) => process.stderr.write(`uncaught in graded code: ${String((err as Error)?.message ?? err).slice(0, 500)}\n`));
  process.on("unhandledRejection", () => undefined);
  const backend = process.env.COURSE_SANDBOX_BACKEND || "cpu";
  if (backend === "wasm") require("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend(backend);
  await tf.ready();
  harden();
  send({ type: "ready", backend: tf.getBackend(), tfjs: tf.version.tfjs, node: process.version });
  await serve();
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(70);
});
