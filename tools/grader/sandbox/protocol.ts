/**
 * What the trusted runner and the sandbox say to each other: one JSON object per line.
 *
 *   runner ──stdin──► sandbox    requests  {id, op: "context" | "load" | "call" | "ping", ...}
 *   runner ◄──fd 3─── sandbox    responses {id, ok, ...}, one {type: "ready"}, and events about
 *                                callbacks that graded code scheduled (timer, timer-end, fault)
 *
 * The sandbox runs student code, so every response is untrusted data: the runner caps its size,
 * accepts only a response to the request it is waiting for, and never takes a score from it.
 * Scores come from the specs' assertions, which run in the runner on the decoded values.
 *
 * This file is compiled into the sandbox runtime: it must not import anything.
 */

/** A binding of the notebook's imports, e.g. `import * as tf from "@tensorflow/tfjs"`. */
export interface ImportBinding {
  local: string;
  module: string;
  kind: "namespace" | "default" | "named";
  /** For named imports: the exported name. */
  imported?: string;
}

/** Creates a notebook's vm context with its import bindings (before its cells are loaded). */
export interface ContextRequest {
  id: number;
  op: "context";
  module: string;
  imports: ImportBinding[];
}

/** Runs one graded cell in the notebook's context. */
export interface LoadRequest {
  id: number;
  op: "load";
  module: string;
  cell: { key: string; filename: string; js: string };
  timeoutMs: number;
}

export interface CallRequest {
  id: number;
  op: "call";
  module: string;
  fn: string;
  /** Encoded arguments (see values.ts). */
  args: unknown[];
  /** Also send back the arguments as they are after the call (models' weights after a training step). */
  observe?: boolean;
  /** Return d(sum of the result)/d(args[i]) for these i instead of the result. */
  gradWrt?: number[];
  timeoutMs: number;
}

export interface PingRequest {
  id: number;
  op: "ping";
}

export type Request = ContextRequest | LoadRequest | CallRequest | PingRequest;

export type ErrorKind = "missing" | "not-a-function" | "threw" | "timeout" | "bad-result" | "bad-request" | "import";

export interface ErrorInfo {
  kind: ErrorKind;
  name: string;
  message: string;
  /** The first stack lines that point into the student's cells. */
  where?: string;
}

export interface OkResponse {
  id: number;
  ok: true;
  value?: unknown;
  args?: unknown[];
  /** Tensors the call left allocated beyond what it returned (informative). */
  leakedTensors?: number;
  /** Import bindings that failed when a context was created. */
  importErrors?: string[];
}

export interface ErrorResponse {
  id: number;
  ok: false;
  error: ErrorInfo;
  /** After a timeout the sandbox's state is unknown: it says so and exits. */
  exiting?: boolean;
}

export type Response = OkResponse | ErrorResponse;

/**
 * Callbacks graded code schedules (setTimeout, setInterval, setImmediate, queueMicrotask) run
 * later, maybe while another request is in flight. The sandbox runs each under a time limit and
 * says whose it is, so that a crash or a hang it causes is charged to the cell or the call that
 * scheduled it, never to the request that happened to be running:
 *   {type: "timer", owner}       a callback of `owner` starts   {type: "timer-end"}   it ended
 *   {type: "fault", owner, message}   it ran past its limit; the sandbox exits next
 * Owners: "cell:<cell key>" (scheduled while a cell loaded) or "call:<function name>".
 */
export type SandboxEvent = { type: "timer"; owner: string } | { type: "timer-end" } | { type: "fault"; owner: string; message: string };

export interface ReadyMessage {
  type: "ready";
  backend: string;
  tfjs: string;
  node: string;
}

/** Caps the runner enforces on what comes back. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** How much of the sandbox's stdout/stderr the runner keeps, for diagnostics only. */
export const MAX_LOG_BYTES = 64 * 1024;
