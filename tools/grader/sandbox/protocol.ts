/**
 * What the trusted runner and the sandbox say to each other: one JSON object per line.
 *
 *   runner ──stdin──► sandbox    requests  {id, op: "load" | "call" | "ping", ...}
 *   runner ◄──fd 3─── sandbox    responses {id, ok, ...} and one {type: "ready"}
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
