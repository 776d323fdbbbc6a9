/**
 * The HTTP plumbing of the service on plain node:http: errors as JSON with a code and a sentence,
 * bodies read with a cap (refused before reading past it), strict JSON fields and query
 * parameters, a small router, and cookies.
 */
import type { IncomingMessage, ServerResponse } from "http";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new ApiError(400, "bad_request", message, details);
export const forbidden = (message = "you may not do this") => new ApiError(403, "forbidden", message);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found`);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) return void res.end();
  sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, err.headers);
}

/** HTML with a policy that allows no script and nothing from elsewhere. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
  });
  res.end(html);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export function requireMediaType(req: IncomingMessage, allowed: string[]): void {
  const type = mediaType(req);
  if (!allowed.includes(type)) throw new ApiError(415, "unsupported_media_type", `send the body as ${allowed.join(" or ")} (got ${type || "no Content-Type"})`, { expected: allowed });
}

/**
 * The body, refused with 413 once it passes `limit` bytes (or Content-Length says it will). The
 * rest is read and discarded, never kept, up to 8 × limit (then the connection is cut): answering
 * before the upload ends makes proxies (configurable-http-proxy) turn the 413 into a 503.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, "payload_too_large", `the request body is larger than the limit of ${limit} bytes (${(limit / 1e6).toFixed(1)} MB); nothing was stored`, { limitBytes: limit });
  const declared = Number(req.headers["content-length"] ?? NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) over = true;
    if (over) {
      if (size > 8 * limit) {
        req.socket.destroy();
        throw tooLarge();
      }
      continue; // discard
    }
    chunks.push(chunk as Buffer);
  }
  if (over) throw tooLarge();
  return Buffer.concat(chunks);
}

export const IDENTITY_FIELDS = ["student", "user", "role", "username", "owner"];

/** A JSON object body with only the allowed fields; identity fields get their own refusal. */
export async function readJson(req: IncomingMessage, allowed: string[], limit = 1_000_000, identityAllowed = false): Promise<Record<string, unknown>> {
  requireMediaType(req, ["application/json"]);
  const body = await readBody(req, limit);
  let data: unknown;
  try {
    data = body.length ? JSON.parse(body.toString("utf8")) : {};
  } catch (err) {
    throw badRequest(`the body is not valid JSON (${(err as Error).message})`);
  }
  return checkFields(data, allowed, identityAllowed);
}

export function checkFields(data: unknown, allowed: string[], identityAllowed = false): Record<string, unknown> {
  if (data == null || typeof data !== "object" || Array.isArray(data)) throw badRequest("the body must be a JSON object");
  const keys = Object.keys(data);
  if (!identityAllowed) {
    const named = keys.filter((k) => IDENTITY_FIELDS.includes(k.toLowerCase()));
    if (named.length) throw identityInRequest(named);
  }
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length) throw badRequest(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ") || "none"}`);
  return data as Record<string, unknown>;
}

export function identityInRequest(names: string[]): ApiError {
  return new ApiError(400, "identity_in_request", `the request names ${names.map((n) => `"${n}"`).join(", ")}: who you are comes from your login, never from the request; remove it`);
}

/** Query parameters, refusing any not allowed (identity ones with their own message). */
export function checkQuery(url: URL, allowed: string[], identityAllowed = false): URLSearchParams {
  const keys = [...new Set(url.searchParams.keys())];
  if (!identityAllowed) {
    const named = keys.filter((k) => IDENTITY_FIELDS.includes(k.toLowerCase()));
    if (named.length) throw identityInRequest(named);
  }
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length) throw badRequest(`unknown query parameter(s) ${unknown.join(", ")}`);
  return url.searchParams;
}

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds?: number;
  secure?: boolean;
}

export function cookie(name: string, value: string, o: CookieOptions): string {
  return [`${name}=${encodeURIComponent(value)}`, `Path=${o.path}`, "HttpOnly", "SameSite=Lax", ...(o.maxAgeSeconds != null ? [`Max-Age=${o.maxAgeSeconds}`] : []), ...(o.secure ? ["Secure"] : [])].join("; ");
}

export type Handler<C> = (ctx: C, params: string[]) => Promise<void>;

/** Routes "METHOD /path/:param" patterns; params are the matched segments in order. */
export class Router<C> {
  private routes: { method: string; re: RegExp; handler: Handler<C> }[] = [];

  on(method: string, pattern: string, handler: Handler<C>): this {
    const re = new RegExp("^" + pattern.replace(/[.]/g, "\\.").replace(/:[a-zA-Z]+/g, "([^/]+)") + "$");
    this.routes.push({ method, re, handler });
    return this;
  }

  /** The handler and its params, or a 404/405 ApiError. */
  match(method: string, path: string): { handler: Handler<C>; params: string[] } {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    }
    if (pathMatched) throw new ApiError(405, "method_not_allowed", `${method} is not allowed on ${path}`);
    throw notFound(`the page or endpoint ${path}`);
  }
}
