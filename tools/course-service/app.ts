/**
 * The service's request pipeline, one step after another:
 *
 *   request ─► route (relative to /services/course/) ─► who: session cookie or hub token (hub.ts)
 *           ─► role from the hub's groups ─► CSRF for cookie-authenticated changes ─► handler
 *           ─► JSON / HTML, or an error with a code and a sentence
 */
import * as crypto from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { Database } from "./db";
import { isConnectionError, isDiskFullError } from "./db";
import { Hub, HubUnavailable, Role } from "./hub";
import { ApiError, parseCookies, Router, sendError, sendHtml } from "./http";
import { errorPage } from "./pages";

export const SESSION_COOKIE = "course-session";
export const SESSION_HOURS = 12;

export interface Limits {
  notebookBytes: number;
  jsonBytes: number;
  perMinute: number;
  checkConcurrency: number;
}

export interface AppConfig {
  db: Database;
  hub: Hub;
  limits: Limits;
  /** The course's default IANA time zone. */
  timeZone: string;
  /** Mark cookies Secure (the hub is served over https). */
  secureCookies: boolean;
}

export interface Session {
  user: string;
  csrf: string;
  hubToken: string;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path below the service prefix, without a leading slash: "api/me". */
  path: string;
  app: AppConfig;
  user: string | null;
  role: Role;
  session: Session | null;
  auth: "cookie" | "token" | null;
  /** The form fields of an urlencoded POST, once read (instructor pages). */
  form?: URLSearchParams;
}

export function sha256(s: string): string {
  return crypto.createHash("sha256").update(s).digest("hex");
}

export async function createSession(app: AppConfig, user: string, hubToken: string): Promise<string> {
  const id = crypto.randomBytes(32).toString("base64url");
  const csrf = crypto.randomBytes(24).toString("base64url");
  await app.db.query(`INSERT INTO sessions (id_sha256, user_name, hub_token, csrf_token, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`, [sha256(id), user, hubToken, csrf, SESSION_HOURS]);
  // Expired sessions go on the way, so the table stays small.
  await app.db.query("DELETE FROM sessions WHERE expires_at < now()");
  return id;
}

async function sessionFor(app: AppConfig, id: string): Promise<Session | null> {
  const r = await app.db.query<{ user_name: string; csrf_token: string; hub_token: string }>("SELECT user_name, csrf_token, hub_token FROM sessions WHERE id_sha256 = $1 AND expires_at > now()", [sha256(id)]);
  const row = r.rows[0];
  if (!row) return null;
  // The session ends when the hub no longer accepts its OAuth token (logged out, token revoked).
  const name = await app.hub.userForToken(row.hub_token);
  if (name !== row.user_name) {
    await app.db.query("DELETE FROM sessions WHERE id_sha256 = $1", [sha256(id)]);
    return null;
  }
  return { user: row.user_name, csrf: row.csrf_token, hubToken: row.hub_token };
}

/** Who is asking: a hub token in Authorization, else the session cookie. */
async function authenticate(ctx: Ctx): Promise<void> {
  const header = String(ctx.req.headers.authorization ?? "");
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
  if (header && !m) throw new ApiError(401, "login_required", 'the Authorization header must be "token <hub token>" or "Bearer <hub token>"', { login: loginUrl(ctx) });
  if (m) {
    const name = await ctx.app.hub.userForToken(m[1]);
    if (!name) throw new ApiError(401, "login_required", "the hub does not accept this token for the course service (expired, revoked, or without access:services!service=course)", { login: loginUrl(ctx) });
    ctx.user = name;
    ctx.auth = "token";
  } else {
    const id = parseCookies(ctx.req)[SESSION_COOKIE];
    const session = id ? await sessionFor(ctx.app, id) : null;
    if (session) {
      ctx.user = session.user;
      ctx.session = session;
      ctx.auth = "cookie";
    }
  }
  if (ctx.user) ctx.role = await ctx.app.hub.roleOf(ctx.user);
}

export function loginUrl(ctx: Ctx, next = ctx.url.pathname + ctx.url.search): string {
  return `${ctx.app.hub.config.prefix}login?next=${encodeURIComponent(next)}`;
}

function sameOrigin(req: IncomingMessage, value: string): boolean {
  try {
    const host = String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "");
    return new URL(value).host === host;
  } catch {
    return false;
  }
}

/** Cookie-authenticated changes need the session's CSRF token and must come from this origin. */
export function checkCsrf(ctx: Ctx, formToken?: string | null): void {
  if (ctx.auth !== "cookie" || ["GET", "HEAD", "OPTIONS"].includes(ctx.req.method ?? "GET")) return;
  const fail = (why: string) => new ApiError(403, "csrf_failed", `refused a cross-site or unprotected request: ${why}. Reload the page (or call GET api/me for a fresh csrfToken) and try again`);
  if (ctx.req.headers["sec-fetch-site"] === "cross-site") throw fail("the browser says it came from another site");
  const origin = ctx.req.headers.origin ?? ctx.req.headers.referer;
  if (origin && origin !== "null" && !sameOrigin(ctx.req, String(origin))) throw fail(`it came from ${String(origin).slice(0, 100)}`);
  if (origin === "null") throw fail("it came from an opaque origin");
  const given = String(ctx.req.headers["x-course-csrf"] ?? formToken ?? "");
  const want = ctx.session!.csrf;
  if (!given) throw fail("the X-Course-CSRF header (or the form's _csrf field) is missing");
  if (given.length !== want.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(want))) throw fail("the CSRF token does not match this session");
}

export function requireUser(ctx: Ctx): string {
  if (!ctx.user) throw new ApiError(401, "login_required", "log in first: follow details.login (the hub's login) and try again", { login: loginUrl(ctx) });
  return ctx.user;
}

export function requireRole(ctx: Ctx, roles: Role[]): string {
  const user = requireUser(ctx);
  if (!roles.includes(ctx.role)) {
    throw new ApiError(403, "forbidden", ctx.role === "none" ? `${user} is not on this course's roster (ask the instructor to import you)` : `this needs the role ${roles.join(" or ")}; you are ${ctx.role}`);
  }
  return user;
}

/** Handles one request; never throws. */
export async function handle(app: AppConfig, router: Router<Ctx>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://service.invalid");
  const prefix = app.hub.config.prefix;
  const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname.replace(/^\//, "");
  const ctx: Ctx = { req, res, url, path, app, user: null, role: "none", session: null, auth: null };
  const wantsHtml = !path.startsWith("api/") && path !== "health";
  try {
    const { handler, params } = router.match(req.method ?? "GET", path);
    if (!["login", "oauth_callback", "health"].includes(path)) await authenticate(ctx);
    await handler(ctx, params);
  } catch (err) {
    const e = toApiError(err);
    if (e.status >= 500 && e.code !== "unavailable" && e.code !== "storage_full") console.error(`course service: ${req.method} ${url.pathname}: ${(err as Error)?.stack ?? err}`);
    if (wantsHtml && e.status === 401 && req.method === "GET") {
      res.writeHead(302, { Location: loginUrl(ctx) });
      res.end();
    } else if (wantsHtml) sendHtml(res, e.status, errorPage(e.status, e.message));
    else sendError(res, e);
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HubUnavailable) return new ApiError(503, "unavailable", `${err.message}; try again in a moment`, undefined, { "Retry-After": "5" });
  if (isDiskFullError(err)) return new ApiError(507, "storage_full", "the course's storage is full, so nothing was stored; your notebook is safe in JupyterLab: try again later and tell your instructor", undefined, { "Retry-After": "60" });
  if (isConnectionError(err)) return new ApiError(503, "unavailable", "the gradebook database is not reachable right now; nothing was changed: try again in a moment", undefined, { "Retry-After": "5" });
  return new ApiError(500, "internal", `the course service failed: ${(err as Error)?.message ?? err}`);
}
