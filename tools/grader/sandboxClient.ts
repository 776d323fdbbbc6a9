/**
 * The runner's handle on one submission's sandbox: starts it, loads the graded cells, calls
 * functions, and turns every way student code can fail into a clear message for that test only.
 *
 *   timeout        the call is killed with its sandbox; the function is not called again
 *   crash / exit   (process.exit, out of memory, CPU cap) the same; the next call starts a fresh sandbox
 *   load failure   a cell that hangs or ends the sandbox while loading is skipped from then on
 *   protocol abuse an unreadable or oversized response ends the sandbox; only that call fails
 *
 * Responses are untrusted data: only a well-formed response to the request in flight is accepted.
 */
import { ChildProcess, spawn } from "child_process";
import type { CompiledCell, SandboxModule } from "./extract";
import { DEFAULT_LIMITS, detectIsolation, sandboxCommand, SandboxLimits } from "./isolation";
import type { Runtime } from "./runtime";
import type { CallRequest, ContextRequest, ErrorInfo, LoadRequest, Request, Response } from "./sandbox/protocol";
import { MAX_LOG_BYTES, MAX_RESPONSE_BYTES } from "./sandbox/protocol";

export interface SessionOptions {
  runtime: Runtime;
  limits?: SandboxLimits;
  /** Per call; the specs may ask for more. */
  callTimeoutMs?: number;
  /** Per graded cell while loading. */
  loadTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Sandbox starts allowed for one submission (crashes and timeouts each cost one). */
  maxStarts?: number;
  backend?: "cpu" | "wasm";
  /** Why a notebook is not in `modules` (did not parse, not submitted): named in the messages. */
  absent?: Record<string, string>;
}

/** A failure caused by the student's code (or its absence): fails the test, with this message. */
export class StudentCodeError extends Error {
  constructor(message: string, readonly kind: string) {
    super(message);
    this.name = "StudentCodeError";
  }
}

/** A failure of the grader itself (the sandbox would not start): reported as such. */
export class GraderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraderError";
  }
}

/** One sandbox process and what the runner did to it. */
interface Incarnation {
  proc: ChildProcess;
  killedByUs: boolean;
  timedOut: boolean;
}

interface Pending {
  id: number;
  /** The process the request went to: only its exit may fail the request. */
  owner: Incarnation;
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class SandboxEnded extends Error {
  constructor(readonly description: string, readonly timedOut: boolean) {
    super(description);
  }
}

interface CellStatus {
  ok: boolean;
  error?: string;
  dead?: boolean;
}

export interface CallOptions {
  observe?: boolean;
  gradWrt?: number[];
  timeoutMs?: number;
}

export interface CallResult {
  value: unknown;
  args?: unknown[];
  leakedTensors?: number;
}

export class SandboxSession {
  readonly starts: { at: number; reason: string }[] = [];
  private current: Incarnation | null = null;
  private ready: Promise<void> | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private loaded = new Set<string>();
  private cellStatus = new Map<string, CellStatus>();
  private importErrors = new Map<string, string[]>();
  private poisoned = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private stderrTail = "";
  private stdoutTail = "";
  private readonly opts: Required<SessionOptions>;

  constructor(private readonly modules: Map<string, SandboxModule>, options: SessionOptions) {
    const scale = Number(process.env.COURSE_GRADER_TIMEOUT_SCALE ?? 1) || 1;
    this.opts = {
      limits: DEFAULT_LIMITS,
      callTimeoutMs: 10_000 * scale,
      loadTimeoutMs: 5_000 * scale,
      startTimeoutMs: 60_000 * scale,
      maxStarts: 8,
      backend: "cpu",
      absent: {},
      // An option given as undefined keeps its default.
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<SessionOptions>;
  }

  /** Calls `fn` of a notebook with encoded arguments; throws StudentCodeError with a helpful message. */
  call(module: string, fn: string, args: unknown[], options: CallOptions = {}): Promise<CallResult> {
    const run = this.queue.then(() => this.callNow(module, fn, args, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the sandbox: stdin closed (it exits by itself, so its CPU time is accounted), killed after 2 s. */
  async close(): Promise<void> {
    const me = this.current;
    if (!me) return;
    this.current = null;
    this.ready = null;
    if (me.proc.exitCode !== null || me.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.kill(me);
        resolve();
      }, 2_000);
      me.proc.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      me.proc.stdin!.end();
    });
  }

  /** Diagnostics for the instructor (never shown for hidden tests). */
  logs(): { stdout: string; stderr: string } {
    return { stdout: this.stdoutTail, stderr: this.stderrTail };
  }

  private async callNow(module: string, fn: string, args: unknown[], options: CallOptions): Promise<CallResult> {
    const mod = this.modules.get(module);
    if (!mod) throw new StudentCodeError(this.opts.absent[module] ?? `the submission has no ${module} notebook`, "missing");
    const key = `${module}.${fn}`;
    const poison = this.poisoned.get(key);
    if (poison) throw new StudentCodeError(`${poison} (so it is not called again)`, "skipped");
    await this.ensureLoaded(mod);
    if (!this.current) await this.ensureLoaded(mod); // it died between calls: start afresh, do not blame this call
    const timeoutMs = options.timeoutMs ?? this.opts.callTimeoutMs;
    const req: CallRequest = { id: 0, op: "call", module, fn, args, observe: options.observe, gradWrt: options.gradWrt, timeoutMs };
    let res: Response;
    try {
      res = await this.request(req, timeoutMs + 2_000);
    } catch (err) {
      if (err instanceof SandboxEnded) {
        const msg = err.timedOut
          ? `${fn} did not finish within ${(timeoutMs / 1000).toFixed(0)} s (an infinite loop?)`
          : `the sandbox process ended while ${fn} was running: ${err.description}`;
        this.poisoned.set(key, err.timedOut ? `an earlier call to ${fn} timed out` : `an earlier call to ${fn} ended the sandbox`);
        throw new StudentCodeError(msg, err.timedOut ? "timeout" : "crash");
      }
      throw err;
    }
    if (res.ok) return { value: res.value, args: res.args, leakedTensors: res.leakedTensors };
    const e = res.error;
    if (e.kind === "timeout") {
      this.poisoned.set(key, `an earlier call to ${fn} timed out`);
      throw new StudentCodeError(`${fn} did not finish within ${(timeoutMs / 1000).toFixed(0)} s (an infinite loop?)`, "timeout");
    }
    if (e.kind === "missing") throw new StudentCodeError(this.missingMessage(mod, fn, e), "missing");
    if (e.kind === "not-a-function") throw new StudentCodeError(`${e.message}`, "missing");
    throw new StudentCodeError(`${fn} threw ${e.name}: ${e.message}${e.where ? `\n    ${e.where.split("\n").join("\n    ")}` : ""}`, "threw");
  }

  private missingMessage(mod: SandboxModule, fn: string, e: ErrorInfo): string {
    const gradeId = mod.functionOwners[fn];
    const base = `${fn} is not defined in your ${mod.notebook}`;
    if (!gradeId) return `${base} (${e.message})`;
    const cells = mod.cells.filter((c) => c.gradeId === gradeId);
    if (cells.length === 0) return `${base}: it belongs in the cell marked ${gradeId}, and the notebook has no such cell (was the cell or its metadata deleted?)`;
    for (const c of cells) {
      if (c.error) return `${base}: the cell ${gradeId} has a ${c.error}`;
      const st = this.cellStatus.get(c.key);
      if (st && !st.ok) return `${base}: the cell ${gradeId} failed when it ran: ${st.error}`;
    }
    const imports = this.importErrors.get(mod.exercise) ?? [];
    return `${base}: the cell ${gradeId} ran but does not define it (renamed?)${imports.length ? `; also ${imports.join("; ")}` : ""}`;
  }

  private async ensureLoaded(mod: SandboxModule): Promise<void> {
    for (;;) {
      if (this.loaded.has(mod.exercise)) return;
      await this.ensureStarted();
      // The context and its imports first (loading the course library can take seconds).
      const ctxReq: ContextRequest = { id: 0, op: "context", module: mod.exercise, imports: mod.imports };
      try {
        const res = await this.request(ctxReq, this.opts.startTimeoutMs);
        if (res.ok && res.importErrors?.length) this.importErrors.set(mod.exercise, res.importErrors);
      } catch (err) {
        if (!(err instanceof SandboxEnded)) throw err;
        throw new GraderError(`the sandbox ended while resolving the imports of ${mod.notebook}: ${err.description}`);
      }
      let restarted = false;
      for (const cell of mod.cells) {
        if (cell.js == null || this.cellStatus.get(cell.key)?.dead) continue;
        const req: LoadRequest = {
          id: 0,
          op: "load",
          module: mod.exercise,
          cell: { key: cell.key, filename: cell.filename, js: cell.js },
          timeoutMs: this.opts.loadTimeoutMs,
        };
        try {
          const res = await this.request(req, this.opts.loadTimeoutMs + 2_000);
          if (res.ok) {
            this.recordCell(cell, { ok: true });
          } else if (res.error.kind === "timeout") {
            this.recordCell(cell, { ok: false, dead: true, error: `it did not finish within ${(this.opts.loadTimeoutMs / 1000).toFixed(0)} s (an infinite loop at the top level?)` }, true);
            await this.waitForExit();
            restarted = true;
            break;
          } else {
            this.recordCell(cell, { ok: false, error: `${res.error.name}: ${res.error.message}` });
          }
        } catch (err) {
          if (!(err instanceof SandboxEnded)) throw err;
          const why = err.timedOut ? "it did not finish in time (an infinite loop at the top level?)" : `it ended the sandbox process (${err.description})`;
          this.recordCell(cell, { ok: false, dead: true, error: why }, true);
          restarted = true;
          break;
        }
      }
      if (!restarted) {
        this.loaded.add(mod.exercise);
        return;
      }
    }
  }

  private recordCell(cell: CompiledCell, status: CellStatus, force = false): void {
    const prev = this.cellStatus.get(cell.key);
    if (!prev || force) this.cellStatus.set(cell.key, status);
  }

  private async ensureStarted(): Promise<void> {
    if (this.current && this.ready) return this.ready;
    if (this.starts.length >= this.opts.maxStarts) {
      throw new StudentCodeError(`not run: the sandbox had to be restarted ${this.starts.length} times (crashes or timeouts)`, "skipped");
    }
    this.starts.push({ at: Date.now(), reason: this.starts.length ? "restart" : "start" });
    const { command, args } = sandboxCommand(this.opts.runtime.main, this.opts.runtime.dir, this.opts.limits, detectIsolation());
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", COURSE_SANDBOX_BACKEND: this.opts.backend, LANG: "C.UTF-8" };
    // detached: its own session and process group, so kill(0) from inside reaches nobody else.
    const proc = spawn(command, args, { cwd: this.opts.runtime.dir, env, stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
    const me: Incarnation = { proc, killedByUs: false, timedOut: false };
    this.current = me;
    this.loaded.clear();
    let buffer = "";
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.ready.catch(() => undefined);
    const readyTimer = setTimeout(() => {
      readyReject(new GraderError(`the sandbox did not start within ${this.opts.startTimeoutMs / 1000} s`));
      this.kill(me);
    }, this.opts.startTimeoutMs);
    const keep = (tail: string, chunk: Buffer) => (tail + chunk.toString("utf8")).slice(-MAX_LOG_BYTES);
    proc.stdout!.on("data", (c: Buffer) => (this.stdoutTail = keep(this.stdoutTail, c)));
    proc.stderr!.on("data", (c: Buffer) => (this.stderrTail = keep(this.stderrTail, c)));
    proc.stdin!.on("error", () => undefined);
    const channel = proc.stdio[3] as NodeJS.ReadableStream;
    channel.on("data", (chunk: Buffer) => {
      if (this.current !== me) return;
      buffer += chunk.toString("utf8");
      if (buffer.length > MAX_RESPONSE_BYTES) {
        this.failPending(me, new SandboxEnded(`it sent a response larger than ${MAX_RESPONSE_BYTES >> 20} MiB`, false));
        this.kill(me);
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line);
        } catch {
          this.failPending(me, new SandboxEnded("it wrote something that is not a response on the response channel", false));
          this.kill(me);
          return;
        }
        if (msg && msg.type === "ready") {
          clearTimeout(readyTimer);
          readyResolve();
        } else if (this.pending && this.pending.owner === me && msg && msg.id === this.pending.id && typeof msg.ok === "boolean") {
          const p = this.pending;
          this.pending = null;
          clearTimeout(p.timer);
          p.resolve(msg as unknown as Response);
        }
        // Anything else (unsolicited, stale ids) is ignored.
      }
    });
    proc.on("error", (err) => {
      clearTimeout(readyTimer);
      readyReject(new GraderError(`cannot start the sandbox: ${err.message}`));
    });
    proc.on("exit", (code, signal) => {
      clearTimeout(readyTimer);
      if (this.current === me) {
        this.current = null;
        this.ready = null;
        this.loaded.clear();
      }
      let description = `it ended (${signal ?? `code ${code}`})`;
      try {
        description = this.describeExit(me, code, signal);
      } catch {
        /* keep the plain description */
      }
      readyReject(new GraderError(`the sandbox ended before it was ready: ${description}\n${this.stderrTail.slice(-2000)}`));
      this.failPending(me, new SandboxEnded(description, me.killedByUs && me.timedOut));
    });
    return this.ready;
  }


  private describeExit(me: Incarnation, code: number | null, signal: NodeJS.Signals | null): string {
    const err = this.stderrTail;
    const mb = this.opts.limits.memoryMb;
    if (me.killedByUs && me.timedOut) return "it was stopped after the time limit";
    if (/heap out of memory|Array buffer allocation failed|allocation failed|Cannot allocate memory|Out of memory|RangeError: Invalid (typed )?array length/i.test(err)) {
      return `it ran out of memory (the cap is ${mb} MiB)`;
    }
    if (signal === "SIGXCPU") return "it used up its CPU time";
    if (signal === "SIGABRT" || signal === "SIGSEGV" || signal === "SIGTRAP" || signal === "SIGILL") return `it crashed (${signal}; out of memory, cap ${mb} MiB?)`;
    if (signal) return `it was killed by ${signal}`;
    if (code === 0) return "it exited with code 0 (did the code call process.exit?)";
    return `it exited with code ${code}`;
  }

  private failPending(owner: Incarnation, err: Error): void {
    const p = this.pending;
    if (!p || p.owner !== owner) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private request(req: Request, timeoutMs: number): Promise<Response> {
    const me = this.current;
    if (!me) return Promise.reject(new SandboxEnded("it was not running", false));
    req.id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        me.timedOut = true;
        this.kill(me);
      }, timeoutMs);
      this.pending = { id: req.id, owner: me, resolve, reject, timer };
      me.proc.stdin!.write(JSON.stringify(req) + "\n");
    });
  }

  private waitForExit(): Promise<void> {
    const me = this.current;
    if (!me || me.proc.exitCode !== null || me.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.kill(me);
        resolve();
      }, 3000);
      me.proc.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private kill(me: Incarnation | null = this.current): void {
    if (!me) return;
    me.killedByUs = true;
    if (this.current === me) {
      // Forget it now, not at its exit event: the next request must go to a fresh sandbox.
      this.current = null;
      this.ready = null;
      this.loaded.clear();
    }
    try {
      me.proc.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
}
