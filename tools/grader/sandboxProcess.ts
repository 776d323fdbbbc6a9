/**
 * One sandbox process, as the runner sees it: started inside its walls (isolation.ts), spoken to
 * one request at a time, and ended. Everything it sends is untrusted: only a well-formed response
 * to the request in flight is accepted, sizes are capped, and an unreadable line ends it.
 *
 * When it ends during a request, the request fails with SandboxEnded, which says how it ended and,
 * when the sandbox had announced it, whose scheduled callback was running (the culprit): the
 * session (sandboxClient.ts) decides whom to charge.
 */
import { ChildProcess, spawn } from "child_process";
import { detectIsolation, sandboxCommand, SandboxLimits } from "./isolation";
import type { Runtime } from "./runtime";
import type { Request, Response } from "./sandbox/protocol";
import { MAX_LOG_BYTES, MAX_RESPONSE_BYTES } from "./sandbox/protocol";
import { printableLine } from "./text";

export class SandboxEnded extends Error {
  constructor(
    readonly description: string,
    /** Stopped by us after a request's time limit. */
    readonly timedOut: boolean,
    /** The owner of the callback that was running or that the sandbox reported ("cell:…", "call:…"), if any. */
    readonly culprit: string | null,
    readonly culpritWhy: string | null = null,
  ) {
    super(description);
  }
}

/** A failure of the grader itself (the sandbox would not start): reported as such. */
export class GraderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraderError";
  }
}

export interface SandboxProcessOptions {
  runtime: Runtime;
  limits: SandboxLimits;
  backend: "cpu" | "wasm";
  startTimeoutMs: number;
  /** Time limit of one scheduled callback of graded code. */
  timerLimitMs: number;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}

interface Pending {
  id: number;
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class SandboxProcess {
  /** Notebooks whose context exists in this process. */
  readonly contexts = new Set<string>();
  /** Notebooks whose cells are all loaded here. */
  readonly loaded = new Set<string>();
  /** Student code has run here (a cell loaded or a function called). */
  studentCodeRan = false;
  /** Calls served (successful or not). */
  calls = 0;
  ended = false;
  private proc: ChildProcess | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private killedByUs = false;
  private timedOut = false;
  private timerOwner: string | null = null;
  private fault: { owner: string; message: string } | null = null;
  private stderrTail = "";
  private exited: Promise<void>;
  private markExited!: () => void;

  /** A hidden test's call ran here: no public test may use this process afterwards. */
  servedHidden = false;

  constructor(private readonly opts: SandboxProcessOptions) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  /** Starts the process and waits for its "ready" line. */
  start(): Promise<void> {
    const { command, args } = sandboxCommand(this.opts.runtime.main, this.opts.runtime.readPaths, this.opts.limits, detectIsolation(), this.opts.runtime.node);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NODE_ENV: "production",
      COURSE_SANDBOX_BACKEND: this.opts.backend,
      COURSE_SANDBOX_TIMER_MS: String(this.opts.timerLimitMs),
      LANG: "C.UTF-8",
    };
    // detached: its own session and process group, so kill(0) from inside reaches nobody else.
    const proc = spawn(command, args, { cwd: this.opts.runtime.dir, env, stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
    this.proc = proc;
    let buffer = "";
    return new Promise<void>((resolve, reject) => {
      const readyTimer = setTimeout(() => {
        reject(new GraderError(`the sandbox did not start within ${this.opts.startTimeoutMs / 1000} s`));
        this.kill();
      }, this.opts.startTimeoutMs);
      proc.stdout!.on("data", (c: Buffer) => this.opts.onOutput("stdout", c.toString("utf8")));
      proc.stderr!.on("data", (c: Buffer) => {
        const text = c.toString("utf8");
        this.stderrTail = (this.stderrTail + text).slice(-MAX_LOG_BYTES);
        this.opts.onOutput("stderr", text);
      });
      proc.stdin!.on("error", () => undefined);
      const channel = proc.stdio[3] as NodeJS.ReadableStream;
      channel.on("data", (chunk: Buffer) => {
        if (this.ended) return;
        buffer += chunk.toString("utf8");
        if (buffer.length > MAX_RESPONSE_BYTES) return this.abort(`it sent a response larger than ${MAX_RESPONSE_BYTES >> 20} MiB`);
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(line);
          } catch {
            return this.abort("it wrote something that is not a response on the response channel");
          }
          if (msg?.type === "ready") {
            clearTimeout(readyTimer);
            resolve();
          } else if (msg?.type === "timer" && typeof msg.owner === "string") this.timerOwner = msg.owner.slice(0, 300);
          else if (msg?.type === "timer-end") this.timerOwner = null;
          else if (msg?.type === "fault" && typeof msg.owner === "string") this.fault = { owner: msg.owner.slice(0, 300), message: printableLine(msg.message, 300) };
          else if (this.pending && msg && msg.id === this.pending.id && typeof msg.ok === "boolean") {
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
        reject(new GraderError(`cannot start the sandbox: ${err.message}`));
      });
      // The pending request fails once the pipes are drained ("close"), so that a fault the sandbox
      // announced just before exiting is known; half a second after "exit" at the latest.
      let finished = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(readyTimer);
        this.ended = true;
        this.markExited();
        const description = this.describeExit(code, signal);
        reject(new GraderError(`the sandbox ended before it was ready: ${description}\n${this.stderrTail.slice(-2000)}`));
        this.failPending(this.endedError(description));
      };
      proc.on("exit", (code, signal) => setTimeout(() => finish(code, signal), 500));
      proc.on("close", (code: number | null, signal: NodeJS.Signals | null) => finish(code, signal));
    });
  }

  /** Sends one request; fails with SandboxEnded when the process ends or the time limit passes. */
  request(req: Request, timeoutMs: number): Promise<Response> {
    if (this.ended || !this.proc) return Promise.reject(new SandboxEnded("it was not running", false, null));
    req.id = this.nextId++;
    if (req.op === "load" || req.op === "call") this.studentCodeRan = true;
    if (req.op === "call") this.calls++;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timedOut = true;
        this.kill();
      }, timeoutMs);
      this.pending = { id: req.id, resolve, reject, timer };
      this.proc!.stdin!.write(JSON.stringify(req) + "\n");
    });
  }

  /** Ends it now; whatever it was doing is abandoned. */
  kill(): void {
    if (!this.proc) return;
    this.killedByUs = true;
    this.ended = true; // no request may go to it from now on, even before its exit event
    try {
      this.proc.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }

  /** Ends it gracefully: stdin closed (it exits by itself, so its CPU time is accounted), killed after 2 s. */
  async close(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.ended = true;
    const t = setTimeout(() => this.kill(), 2_000);
    this.proc.stdin!.end();
    await this.exited;
    clearTimeout(t);
  }

  /** Waits for the process to exit (after it said it would), killing it after `ms`. */
  async waitForExit(ms = 3_000): Promise<void> {
    this.ended = true;
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const t = setTimeout(() => this.kill(), ms);
    await this.exited;
    clearTimeout(t);
  }

  /** After it ended: whose scheduled callback was at fault, if the sandbox said so (it may have died between requests). */
  culprit(): { owner: string; why: string } | null {
    if (!this.ended) return null;
    if (this.fault) return { owner: this.fault.owner, why: this.fault.message };
    return this.timerOwner ? { owner: this.timerOwner, why: "was running when the sandbox ended" } : null;
  }

  private abort(why: string): void {
    this.failPending(this.endedError(why));
    this.kill();
  }

  private endedError(description: string): SandboxEnded {
    const culprit = this.fault?.owner ?? this.timerOwner;
    const why = this.fault ? this.fault.message : this.timerOwner ? `was running when the sandbox ${description.replace(/^it /, "")}` : null;
    return new SandboxEnded(description, this.killedByUs && this.timedOut, culprit, why);
  }

  private failPending(err: SandboxEnded): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const err = this.stderrTail;
    const mb = this.opts.limits.memoryMb;
    if (this.killedByUs && this.timedOut) return "it was stopped after the time limit";
    if (/heap out of memory|Array buffer allocation failed|allocation failed|Cannot allocate memory|Out of memory|RangeError: Invalid (typed )?array length/i.test(err)) {
      return `it ran out of memory (the cap is ${mb} MiB)`;
    }
    if (signal === "SIGXCPU") return "it used up its CPU time";
    if (signal === "SIGABRT" || signal === "SIGSEGV" || signal === "SIGTRAP" || signal === "SIGILL") return `it crashed (${signal}; out of memory, cap ${mb} MiB?)`;
    if (signal) return `it was killed by ${signal}`;
    if (code === 0) return "it exited with code 0 (did the code call process.exit?)";
    return `it exited with code ${code}`;
  }
}
