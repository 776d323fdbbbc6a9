/**
 * The course service: wires the database, the hub, the routes and (optionally) in-process
 * grading workers into one node:http server. `main.ts` is its command line.
 */
import * as crypto from "crypto";
import * as http from "http";
import * as os from "os";
import { AppConfig, createSession, Ctx, handle, Limits, loginUrl, requireUser, SESSION_COOKIE, SESSION_HOURS, sha256, checkCsrf } from "./app";
import type { Database } from "./db";
import { Hub } from "./hub";
import { ApiError, checkQuery, cookie, parseCookies, Router, sendJson } from "./http";
import { instructorRoutes } from "./instructorApi";
import { migrate } from "./migrations";
import { manualRoutes } from "./manualPage";
import { pageRoutes } from "./pages";
import { Gate, RateLimiter, studentRoutes } from "./studentApi";
import { GradingWorker } from "./worker";

export const DEFAULT_LIMITS: Limits = {
  notebookBytes: Number(process.env.COURSE_MAX_NOTEBOOK_BYTES ?? 20 * 1024 * 1024),
  jsonBytes: 1024 * 1024,
  perMinute: Number(process.env.COURSE_RATE_PER_MINUTE ?? 10),
  checkConcurrency: os.cpus().length,
};

const STATE_COOKIE = "course-oauth-state";

/** Only paths inside the service: no open redirect. */
function safeNext(prefix: string, next: string | null): string {
  if (!next || !next.startsWith(prefix) || next.startsWith("//") || /[\\\r\n]/.test(next)) return prefix;
  return next;
}

function authRoutes(router: Router<Ctx>): void {
  router.on("GET", "health", async (ctx) => {
    await ctx.app.db.query("SELECT 1");
    sendJson(ctx.res, 200, { ok: true, database: ctx.app.db.kind });
  });

  router.on("GET", "login", async (ctx) => {
    const q = checkQuery(ctx.url, ["next"]);
    const { prefix } = ctx.app.hub.config;
    const state = crypto.randomBytes(24).toString("base64url");
    const next = safeNext(prefix, q.get("next"));
    ctx.res.writeHead(302, {
      Location: ctx.app.hub.authorizeUrl(state),
      "Set-Cookie": cookie(STATE_COOKIE, `${state} ${next}`, { path: prefix, maxAgeSeconds: 600, secure: ctx.app.secureCookies }),
      "Cache-Control": "no-store",
    });
    ctx.res.end();
  });

  router.on("GET", "oauth_callback", async (ctx) => {
    const q = checkQuery(ctx.url, ["code", "state"]);
    const { prefix } = ctx.app.hub.config;
    const [state, next] = (parseCookies(ctx.req)[STATE_COOKIE] ?? "").split(" ");
    const given = q.get("state") ?? "";
    if (!state || given.length !== state.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(state))) {
      throw new ApiError(400, "bad_request", `the login's state does not match this browser (an old or forged login link); start again at ${prefix}login`);
    }
    const token = await ctx.app.hub.tokenForCode(q.get("code") ?? "");
    const user = await ctx.app.hub.userForToken(token);
    if (!user) throw new ApiError(403, "forbidden", "the hub did not grant access to the course service");
    const id = await createSession(ctx.app, user, token);
    ctx.res.writeHead(302, {
      Location: safeNext(prefix, next),
      "Set-Cookie": [cookie(SESSION_COOKIE, id, { path: prefix, maxAgeSeconds: SESSION_HOURS * 3600, secure: ctx.app.secureCookies }), cookie(STATE_COOKIE, "", { path: prefix, maxAgeSeconds: 0 })],
      "Cache-Control": "no-store",
    });
    ctx.res.end();
  });

  router.on("POST", "logout", async (ctx) => {
    requireUser(ctx);
    checkCsrf(ctx);
    const id = parseCookies(ctx.req)[SESSION_COOKIE];
    if (id) await ctx.app.db.query("DELETE FROM sessions WHERE id_sha256 = $1", [sha256(id)]);
    sendJson(ctx.res, 200, { ok: true, login: loginUrl(ctx, ctx.app.hub.config.prefix) }, { "Set-Cookie": cookie(SESSION_COOKIE, "", { path: ctx.app.hub.config.prefix, maxAgeSeconds: 0 }) });
  });
}

export interface ServiceOptions {
  db: Database;
  hub: Hub;
  timeZone: string;
  /** In-process grading slots (0: leave grading to `npm run grader-worker` processes). */
  workers: number;
  limits?: Partial<Limits>;
  secureCookies?: boolean;
  log?: (line: string) => void;
}

export interface Service {
  server: http.Server;
  worker: GradingWorker | null;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export async function createService(o: ServiceOptions): Promise<Service> {
  await migrate(o.db);
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const app: AppConfig = { db: o.db, hub: o.hub, limits, timeZone: o.timeZone, secureCookies: o.secureCookies ?? false };
  const router = new Router<Ctx>();
  authRoutes(router);
  studentRoutes(router, new RateLimiter(limits.perMinute), new Gate(limits.checkConcurrency, limits.checkConcurrency * 4));
  instructorRoutes(router);
  pageRoutes(router);
  manualRoutes(router);
  const worker = o.workers > 0 ? new GradingWorker({ db: o.db, concurrency: o.workers, log: o.log }) : null;
  const server = http.createServer((req, res) => {
    void handle(app, router, req, res).then(() => {
      if (worker && req.method === "POST" && res.statusCode === 201) worker.poke();
    });
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 10 * 60_000; // a check may take a while
  worker?.start();
  return {
    server,
    worker,
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      }),
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await worker?.stop();
    },
  };
}
