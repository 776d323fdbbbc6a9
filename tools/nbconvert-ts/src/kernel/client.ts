/**
 * A Jupyter client over ZeroMQ v6: shell and control DEALER sockets, an iopub SUBSCRIBER.
 *
 * zeromq v6 allows one pending receive() and one pending send() per socket, so each socket
 * has exactly one read loop (messages are routed by their parent header's msg_id to the
 * request that caused them) and one chain of sends.
 *
 * A request is complete when its reply has arrived on shell AND the iopub `status: idle`
 * with the same parent: outputs arrive on iopub, possibly after the reply.
 *
 * Before anything is executed the client repeats `kernel_info_request` until it has the
 * reply and has seen a status message on iopub: a SUB socket only receives what is
 * published after its subscription reached the kernel, so outputs of a cell sent too early
 * would be lost.
 */
import * as crypto from "crypto";
import type * as Zmq from "zeromq";
import { FoundKernelSpec } from "./kernelspec";
import { KernelExit, launchKernel, LaunchedKernel } from "./launch";
import { decode, encode, Message, newHeader } from "./wire";

export type Channel = "shell" | "control";

export class KernelDiedError extends Error {
  constructor(readonly exit: KernelExit, readonly log: string) {
    super(`the kernel died (${describeExit(exit)})`);
    this.name = "KernelDiedError";
  }
}

export function describeExit(exit: KernelExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

export interface RequestResult {
  reply: Message;
  /** The iopub status idle for this request (absent for requests that wait for the reply only). */
  idle?: Message;
  /** Local clock: when the request was sent, the reply and idle arrived (ms since epoch). */
  sentAt: number;
  replyAt: number;
  idleAt?: number;
  /** Kernel clock (header.date) of the iopub busy and idle messages, when seen. */
  busyDate?: string;
  idleDate?: string;
}

interface Pending {
  waitIdle: boolean;
  onIopub?: (msg: Message) => void;
  result: Partial<RequestResult> & { sentAt: number };
  resolve: (r: RequestResult) => void;
  reject: (e: Error) => void;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** How long the kernel may take to answer kernel_info (default 60 s: cold tslab starts in about 2 s). */
  startTimeoutMs?: number;
}

export class KernelClient {
  readonly session = crypto.randomUUID();
  // zeromq (a native addon) is loaded on first use: exporting HTML never needs it.
  private readonly zmq: typeof Zmq = require("zeromq");
  private readonly shell = new this.zmq.Dealer({ linger: 0 });
  private readonly control = new this.zmq.Dealer({ linger: 0 });
  private readonly iopub = new this.zmq.Subscriber({ linger: 0 });
  private readonly pending = new Map<string, Pending>();
  private readonly sendChains: Record<Channel, Promise<void>> = { shell: Promise.resolve(), control: Promise.resolve() };
  private sawIopubStatus = false;
  private closed = false;
  private died: KernelDiedError | null = null;
  /** Messages that failed to parse or verify (kept for diagnostics, never silently used). */
  readonly badMessages: string[] = [];
  /** The kernel_info reply content. */
  info: Record<string, unknown> = {};

  private constructor(readonly kernel: LaunchedKernel) {
    kernel.exited.then((exit) => {
      this.died = new KernelDiedError(exit, kernel.logTail());
      for (const p of this.pending.values()) p.reject(this.died);
      this.pending.clear();
    });
  }

  static async start(found: FoundKernelSpec, options: StartOptions = {}): Promise<KernelClient> {
    const kernel = await launchKernel(found, options);
    const client = new KernelClient(kernel);
    try {
      await client.connect();
      await client.handshake(options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await client.shutdown();
      throw e;
    }
    return client;
  }

  get pid(): number {
    return this.kernel.pid;
  }

  get isDead(): boolean {
    return this.died != null;
  }

  /** How the kernel exited, once it has. */
  get exit(): KernelExit | null {
    return this.died?.exit ?? null;
  }

  private async connect(): Promise<void> {
    const c = this.kernel.connection;
    const url = (port: number) => `${c.transport}://${c.ip}:${port}`;
    this.shell.connect(url(c.shell_port));
    this.control.connect(url(c.control_port));
    this.iopub.connect(url(c.iopub_port));
    this.iopub.subscribe();
    this.readLoop(this.shell, "shell");
    this.readLoop(this.control, "control");
    this.readLoop(this.iopub, "iopub");
  }

  private async readLoop(socket: Zmq.Dealer | Zmq.Subscriber, name: string): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: Message;
        try {
          msg = decode(this.kernel.connection.key, frames as Buffer[]);
        } catch (e) {
          this.badMessages.push(`${name}: ${(e as Error).message}`);
          continue;
        }
        if (name === "iopub") this.onIopub(msg);
        else this.onReply(msg);
      }
    } catch (e) {
      if (!this.closed) this.badMessages.push(`${name} socket failed: ${(e as Error).message}`);
    }
  }

  private onReply(msg: Message): void {
    const p = this.pending.get(msg.parent_header.msg_id ?? "");
    if (!p || p.result.reply) return;
    p.result.reply = msg;
    p.result.replyAt = Date.now();
    this.settle(msg.parent_header.msg_id!, p);
  }

  private onIopub(msg: Message): void {
    if (msg.header.msg_type === "status") this.sawIopubStatus = true;
    const id = msg.parent_header.msg_id ?? "";
    const p = this.pending.get(id);
    if (!p) return;
    if (msg.header.msg_type === "status") {
      const state = (msg.content as { execution_state?: string }).execution_state;
      if (state === "busy") p.result.busyDate = msg.header.date;
      if (state === "idle") {
        p.result.idle = msg;
        p.result.idleAt = Date.now();
        p.result.idleDate = msg.header.date;
        this.settle(id, p);
      }
      return;
    }
    p.onIopub?.(msg);
  }

  private settle(id: string, p: Pending): void {
    if (!p.result.reply || (p.waitIdle && !p.result.idle)) return;
    this.pending.delete(id);
    p.resolve(p.result as RequestResult);
  }

  /**
   * Sends a request; the promise resolves with its reply (and, when `waitIdle`, once its
   * iopub idle arrived too) and rejects with KernelDiedError if the kernel exits first.
   */
  request(
    channel: Channel,
    msgType: string,
    content: Record<string, unknown>,
    options: { waitIdle?: boolean; onIopub?: (msg: Message) => void } = {},
  ): { msgId: string; done: Promise<RequestResult> } {
    const header = newHeader(msgType, this.session);
    const done = new Promise<RequestResult>((resolve, reject) => {
      if (this.died) return reject(this.died);
      this.pending.set(header.msg_id, {
        waitIdle: options.waitIdle ?? true,
        onIopub: options.onIopub,
        result: { sentAt: Date.now() },
        resolve,
        reject,
      });
    });
    done.catch(() => {}); // callers await it; this keeps an abandoned request from crashing the process
    const frames = encode(this.kernel.connection.key, { header, parent_header: {}, metadata: {}, content });
    const socket = channel === "shell" ? this.shell : this.control;
    this.sendChains[channel] = this.sendChains[channel].then(() => socket.send(frames)).catch((e) => {
      const p = this.pending.get(header.msg_id);
      this.pending.delete(header.msg_id);
      p?.reject(new Error(`could not send ${msgType}: ${(e as Error).message}`));
    });
    return { msgId: header.msg_id, done };
  }

  /** Stops waiting for a request (after a timeout): late messages for it are ignored. */
  forget(msgId: string): void {
    this.pending.delete(msgId);
  }

  private async handshake(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let reply: RequestResult | null = null;
    let wait = 250;
    while (!(reply && this.sawIopubStatus)) {
      if (this.died) throw new Error(`the kernel exited while starting (${describeExit(this.died.exit)})${logSuffix(this.died.log)}`);
      if (Date.now() > deadline) {
        throw new Error(`the kernel did not answer kernel_info within ${Math.round(timeoutMs / 1000)} s${logSuffix(this.kernel.logTail())}`);
      }
      const { msgId, done } = this.request("shell", "kernel_info_request", {}, { waitIdle: false });
      // A new request until one is answered and iopub is live: every 250 ms at first, then less
      // often (requests sent before the kernel listens queue up and are all answered later).
      const answer: RequestResult | null = await Promise.race([done.catch(() => null), delay(reply ? 100 : wait).then(() => null)]);
      wait = Math.min(2000, wait * 1.5);
      if (answer) {
        reply = answer;
        this.info = answer.reply.content;
      } else {
        this.forget(msgId);
      }
    }
  }

  /** SIGINT to the kernel's process group: tslab answers no interrupt_request. */
  interrupt(): void {
    this.kernel.signal("SIGINT");
  }

  /** Asks the kernel to shut down, then makes sure it is gone. Safe to call twice. */
  async shutdown(graceMs = 500): Promise<void> {
    if (!this.kernel.hasExited()) {
      const { done } = this.request("control", "shutdown_request", { restart: false }, { waitIdle: false });
      await Promise.race([done.catch(() => null), delay(graceMs)]);
      // tslab closes its sockets but may keep running while the notebook's timers live
      await Promise.race([this.kernel.exited, delay(100)]);
    }
    this.closed = true;
    for (const s of [this.shell, this.control, this.iopub]) if (!s.closed) s.close();
    await this.kernel.kill();
  }

  get log(): string {
    return this.kernel.logTail();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function logSuffix(log: string): string {
  const tail = log.trim().split("\n").slice(-15).join("\n");
  return tail ? `; its output:\n${tail}` : "";
}
