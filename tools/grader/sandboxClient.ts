/**
 * The runner's handle on one submission's sandboxes: starts them, loads the graded cells, calls
 * functions, and turns every way student code can fail into a clear message for the test it
 * belongs to, and only that test.
 *
 * Whom to charge when a sandbox ends or hangs:
 *   - a call that times out in the sandbox (its code was running): that function; the sandbox
 *     exits, and the next request goes to a fresh one;
 *   - a callback graded code scheduled (setTimeout…) that runs past its limit or is running when
 *     the sandbox dies: the cell or the function that scheduled it, never the request in flight;
 *   - a sandbox that ends during a call: that function only when the call was the first student
 *     call in a fresh sandbox; otherwise the call is tried once more in a fresh sandbox (a
 *     neighbour's leftovers may have been at fault), and charged only if it fails there too;
 *   - a cell that ends the sandbox while loading: charged when it does so as the first cell loaded
 *     in a fresh sandbox (the second time, it is loaded first);
 *   - a sandbox that cannot start, or dies setting up a notebook before any student code ran in
 *     it: the grader (GraderError: grade again); after student code ran: the student.
 * A charged function is not called again; a charged cell is not loaded again.
 *
 * Public tests run before hidden ones (runner.ts), and a sandbox that served a hidden test never
 * serves a public one (`setVisibility`): a function that keeps what it is called with cannot carry
 * a hidden test's inputs into a public test's message.
 * The submission's code has a time budget for all its loads and calls together; once spent, the
 * remaining calls fail at once, charged to the submission, with the slowest calls named.
 */
import type { CompiledCell, SandboxModule } from "./extract";
import { DEFAULT_LIMITS, SandboxLimits } from "./isolation";
import type { Visibility } from "./result";
import type { Runtime } from "./runtime";
import type { CallRequest, ContextRequest, ErrorInfo, LoadRequest, Response } from "./sandbox/protocol";
import { MAX_LOG_BYTES } from "./sandbox/protocol";
import { GraderError, SandboxEnded, SandboxProcess } from "./sandboxProcess";
import { printableLine } from "./text";

export { GraderError };

export interface SessionOptions {
  runtime: Runtime;
  limits?: SandboxLimits;
  /** Per call; the specs may ask for more. */
  callTimeoutMs?: number;
  /** Per graded cell while loading, and per scheduled callback. */
  loadTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Wall-clock time for all loads and calls of the submission together. */
  budgetMs?: number;
  /** Sandbox starts allowed for one submission. */
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

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class SandboxSession {
  readonly starts: { at: number; reason: string }[] = [];
  private current: SandboxProcess | null = null;
  private visibility: Visibility = "public";
  private cellStatus = new Map<string, CellStatus>();
  /** Cells during whose load a sandbox ended once: loaded first next time, charged if it happens again. */
  private suspects = new Set<string>();
  private importErrors = new Map<string, string[]>();
  private poisoned = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private stderrTail = "";
  private stdoutTail = "";
  private deadline: number | null = null;
  private slowest: { fn: string; ms: number }[] = [];
  private readonly opts: Required<SessionOptions>;

  constructor(private readonly modules: Map<string, SandboxModule>, options: SessionOptions) {
    const scale = Number(process.env.COURSE_GRADER_TIMEOUT_SCALE ?? 1) || 1;
    this.opts = {
      limits: DEFAULT_LIMITS,
      callTimeoutMs: 10_000 * scale,
      loadTimeoutMs: 5_000 * scale,
      startTimeoutMs: 60_000 * scale,
      budgetMs: 120_000 * scale,
      maxStarts: 12,
      backend: "cpu",
      absent: {},
      // An option given as undefined keeps its default.
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<SessionOptions>;
  }

  /** The visibility of the test now running: a public test's calls never go to a sandbox that served a hidden one. */
  setVisibility(v: Visibility): void {
    this.visibility = v;
  }

  /** Calls `fn` of a notebook with encoded arguments; throws StudentCodeError with a helpful message. */
  call(module: string, fn: string, args: unknown[], options: CallOptions = {}): Promise<CallResult> {
    const visibility = this.visibility;
    const run = this.queue.then(() => this.callNow(module, fn, args, options, visibility));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the sandbox gracefully. */
  async close(): Promise<void> {
    const me = this.current;
    this.current = null;
    await me?.close();
  }

  /** Diagnostics for the instructor (never shown for hidden tests). */
  logs(): { stdout: string; stderr: string } {
    return { stdout: this.stdoutTail, stderr: this.stderrTail };
  }

  private async callNow(module: string, fn: string, args: unknown[], options: CallOptions, visibility: Visibility): Promise<CallResult> {
    const mod = this.modules.get(module);
    if (!mod) throw new StudentCodeError(this.opts.absent[module] ?? `the submission has no ${module} notebook`, "missing");
    const key = `${module}.${fn}`;
    this.deadline ??= Date.now() + this.opts.budgetMs;
    for (let attempt = 1; ; attempt++) {
      const poison = this.poisoned.get(key);
      if (poison) throw new StudentCodeError(`${poison} (so it is not called again)`, "skipped");
      const sandbox = await this.ensureLoaded(mod, visibility, fn);
      const clean = sandbox.calls === 0 && sandbox.contexts.size === 1;
      const { timeoutMs, cut } = this.timeLeft(options.timeoutMs ?? this.opts.callTimeoutMs, fn);
      const req: CallRequest = { id: 0, op: "call", module, fn, args, observe: options.observe, gradWrt: options.gradWrt, timeoutMs };
      const started = Date.now();
      let res: Response;
      try {
        res = await sandbox.request(req, timeoutMs + 2_000);
      } catch (err) {
        if (!(err instanceof SandboxEnded)) throw err;
        this.spent(fn, started);
        // A callback someone scheduled was at fault: charge its owner (maybe this very function) and try again.
        if (err.culprit && this.charge(err.culprit, err.culpritWhy ?? "ended the sandbox")) continue;
        if (cut && err.timedOut) throw this.budgetError(fn);
        if (!clean && attempt === 1) continue; // maybe a neighbour's leftovers: once more, in a fresh sandbox
        const msg = err.timedOut ? `${fn} did not finish within ${seconds(timeoutMs)} (an infinite loop?)` : `the sandbox process ended while ${fn} was running: ${err.description}`;
        this.poisoned.set(key, err.timedOut ? `an earlier call to ${fn} timed out` : `an earlier call to ${fn} ended the sandbox`);
        throw new StudentCodeError(msg, err.timedOut ? "timeout" : "crash");
      }
      this.spent(fn, started);
      if (!res.ok && res.exiting) await this.retire(sandbox); // it exits now: the next request must go to a fresh sandbox
      if (res.ok) return { value: res.value, args: res.args, leakedTensors: res.leakedTensors };
      const e = res.error;
      if (e.kind === "timeout") {
        if (cut) throw this.budgetError(fn);
        this.poisoned.set(key, `an earlier call to ${fn} timed out`);
        throw new StudentCodeError(`${fn} did not finish within ${seconds(timeoutMs)} (an infinite loop?)`, "timeout");
      }
      if (e.kind === "missing") throw new StudentCodeError(this.missingMessage(mod, fn, e), "missing");
      if (e.kind === "not-a-function") throw new StudentCodeError(`${e.message}`, "missing");
      throw new StudentCodeError(`${fn} threw ${e.name}: ${e.message}${e.where ? `\n    ${e.where.split("\n").join("\n    ")}` : ""}`, "threw");
    }
  }

  /** The call's time limit within what is left of the submission's budget. */
  private timeLeft(limit: number, fn: string): { timeoutMs: number; cut: boolean } {
    const left = (this.deadline ?? Infinity) - Date.now();
    if (left <= 0) throw this.budgetError(fn);
    return left < limit ? { timeoutMs: Math.max(1, left), cut: true } : { timeoutMs: limit, cut: false };
  }

  private spent(fn: string, started: number): void {
    this.slowest.push({ fn, ms: Date.now() - started });
    this.slowest.sort((a, b) => b.ms - a.ms).splice(3);
  }

  private budgetError(fn: string): StudentCodeError {
    const slow = this.slowest.map((s) => `${s.fn} ${seconds(s.ms)}`).join(", ");
    return new StudentCodeError(`${fn} was not run to the end: the submission's code used up its ${seconds(this.opts.budgetMs)} in all${slow ? ` (slowest calls: ${slow})` : ""}`, "budget");
  }

  /**
   * Charges the owner of a callback ("cell:<key>" or "call:<module>.<fn>") that crashed or hung a sandbox.
   * Returns false when the owner is unknown (an owner is named by the sandbox: untrusted).
   */
  private charge(owner: string, why: string): boolean {
    const colon = owner.indexOf(":");
    const [kind, name] = [owner.slice(0, colon), owner.slice(colon + 1)];
    if (kind === "call" && /^[A-Za-z0-9_.-]+\.[A-Za-z_$][\w$]*$/.test(name)) {
      const fn = name.slice(name.lastIndexOf(".") + 1);
      if (!this.poisoned.has(name)) this.poisoned.set(name, `a callback that ${fn} scheduled ${why}`);
      return true;
    }
    for (const m of kind === "cell" ? this.modules.values() : []) {
      const cell = m.cells.find((c) => c.key === name);
      if (cell) {
        this.recordCell(cell, { ok: false, dead: true, error: `a callback it scheduled ${why}` }, true);
        return true;
      }
    }
    return false;
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

  /** A sandbox for `visibility` with the notebook's cells loaded (starting one when needed). */
  private async ensureLoaded(mod: SandboxModule, visibility: Visibility, fn: string): Promise<SandboxProcess> {
    for (;;) {
      const sandbox = await this.ensureStarted(visibility);
      if (sandbox.loaded.has(mod.exercise)) return sandbox;
      const hadStudentCode = sandbox.studentCodeRan;
      // The context and its imports first (loading the course library can take seconds).
      const ctxReq: ContextRequest = { id: 0, op: "context", module: mod.exercise, imports: mod.imports };
      try {
        const res = await sandbox.request(ctxReq, this.opts.startTimeoutMs);
        sandbox.contexts.add(mod.exercise);
        if (res.ok && res.importErrors?.length) this.importErrors.set(mod.exercise, res.importErrors.map((x) => printableLine(x, 300)));
      } catch (err) {
        if (!(err instanceof SandboxEnded)) throw err;
        if (err.culprit && this.charge(err.culprit, err.culpritWhy ?? "ended the sandbox")) continue;
        // Before any student code ran in it, a sandbox that dies setting up a notebook is the grader's problem.
        if (!hadStudentCode) throw new GraderError(`the sandbox ended while setting up ${mod.notebook} (before any student code ran in it): ${err.description}`);
        continue; // the code of another notebook, still at work: start afresh
      }
      if (await this.loadCells(mod, sandbox, fn)) {
        sandbox.loaded.add(mod.exercise);
        return sandbox;
      }
    }
  }

  /** Loads the notebook's cells; false when the sandbox ended (the caller starts a fresh one). */
  private async loadCells(mod: SandboxModule, sandbox: SandboxProcess, fn: string): Promise<boolean> {
    // A cell suspected of ending a sandbox loads first (alone, so a charge is its own), then in its place.
    const suspects = mod.cells.filter((c) => this.suspects.has(c.key));
    const order = [...suspects, ...mod.cells];
    for (const [i, cell] of order.entries()) {
      if (cell.js == null || this.cellStatus.get(cell.key)?.dead) continue;
      const first = !sandbox.studentCodeRan;
      const suspectRun = i < suspects.length;
      const { timeoutMs } = this.timeLeft(this.opts.loadTimeoutMs, fn);
      const req: LoadRequest = { id: 0, op: "load", module: mod.exercise, cell: { key: cell.key, filename: cell.filename, js: cell.js }, timeoutMs };
      try {
        const res = await sandbox.request(req, timeoutMs + 2_000);
        if (res.ok) {
          if (!suspectRun) this.recordCell(cell, { ok: true });
        } else if (res.error.kind === "timeout") {
          await this.retire(sandbox);
          if (timeoutMs < this.opts.loadTimeoutMs) throw this.budgetError(fn);
          this.recordCell(cell, { ok: false, dead: true, error: `it did not finish within ${seconds(timeoutMs)} (an infinite loop at the top level?)` }, true);
          return false;
        } else if (!suspectRun) {
          this.recordCell(cell, { ok: false, error: `${res.error.name}: ${res.error.message}` });
        }
      } catch (err) {
        if (!(err instanceof SandboxEnded)) throw err;
        if (err.culprit && this.charge(err.culprit, err.culpritWhy ?? "ended the sandbox")) return false;
        if (err.timedOut && timeoutMs < this.opts.loadTimeoutMs) throw this.budgetError(fn);
        if (first || this.suspects.has(cell.key)) {
          const why = err.timedOut ? "it did not finish in time (an infinite loop at the top level?)" : `it ended the sandbox process (${err.description})`;
          this.recordCell(cell, { ok: false, dead: true, error: why }, true);
        } else this.suspects.add(cell.key);
        return false;
      }
    }
    return true;
  }

  private recordCell(cell: CompiledCell, status: CellStatus, force = false): void {
    const prev = this.cellStatus.get(cell.key);
    if (!prev || force) this.cellStatus.set(cell.key, status);
  }

  /** The running sandbox for `visibility`, or a fresh one. */
  private async ensureStarted(visibility: Visibility): Promise<SandboxProcess> {
    // Public after hidden (never in the runner's order) would need a fresh sandbox; hidden after public is harmless.
    if (this.current && !this.current.ended && !(this.current.servedHidden && visibility === "public")) {
      if (visibility === "hidden") this.current.servedHidden = true;
      return this.current;
    }
    // It died between requests: a callback it announced may have been at fault; its owner pays.
    const blame = this.current?.culprit();
    if (blame) this.charge(blame.owner, blame.why);
    if (this.current && !this.current.ended) {
      // A hidden test ran in it: its inputs must not reach a public test's message.
      const old = this.current;
      this.current = null;
      await old.close();
    }
    if (this.starts.length >= this.opts.maxStarts) {
      throw new StudentCodeError(`not run: the sandbox had to be restarted ${this.starts.length} times (crashes or timeouts)`, "skipped");
    }
    this.starts.push({ at: Date.now(), reason: this.starts.length ? "restart" : "start" });
    const keep = (tail: string, text: string) => (tail + text).slice(-MAX_LOG_BYTES);
    const sandbox = new SandboxProcess(
      {
        runtime: this.opts.runtime,
        limits: this.opts.limits,
        backend: this.opts.backend,
        startTimeoutMs: this.opts.startTimeoutMs,
        timerLimitMs: this.opts.loadTimeoutMs,
        onOutput: (stream, text) => (stream === "stdout" ? (this.stdoutTail = keep(this.stdoutTail, text)) : (this.stderrTail = keep(this.stderrTail, text))),
      },
    );
    sandbox.servedHidden = visibility === "hidden";
    this.current = sandbox;
    await sandbox.start();
    return sandbox;
  }

  /** A sandbox that said it exits (after a timeout): no request may go to it any more. */
  private async retire(sandbox: SandboxProcess): Promise<void> {
    if (this.current === sandbox) this.current = null;
    await sandbox.waitForExit();
  }
}
