/**
 * A real JupyterHub for the tests, started exactly as `npm run hub` starts it (tools/hub/launch.ts),
 * plus a test-only admin token to create users, groups and their hub tokens.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, hubLaunch, prepareDataDir, prepareMultiUser } from "../../tools/hub/launch";
import { ensureHubVenv } from "../../tools/hub/venv";

export interface TestHub {
  url: string;
  dataDir: string;
  adminToken: string;
  log: () => string;
  /** Calls the hub's REST API as the test admin. */
  hubApi<T = unknown>(method: string, p: string, body?: unknown): Promise<{ status: number; data: T }>;
  /** Creates a user (in a group) and returns a hub API token of theirs. */
  userToken(name: string, group?: "students" | "instructors" | "tas"): Promise<string>;
  /** Calls the course service through the proxy. */
  course(method: string, p: string, o?: { token?: string; body?: string | Buffer; type?: string; headers?: Record<string, string> }): Promise<Response>;
  servicePid(): number;
  stop(): Promise<void>;
}

export interface HubOptions {
  databaseUrl?: string;
  multiUser?: boolean;
  env?: NodeJS.ProcessEnv;
  serviceArgs?: string[];
  dataDir?: string;
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms: number, log: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not come up within ${ms / 1000} s; hub log:\n${log().slice(-4000)}`);
}

export async function startHub(o: HubOptions = {}): Promise<TestHub> {
  const venv = await ensureHubVenv({ showPipOutput: false });
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "course-hub-"));
  const multiUser = o.multiUser ?? false;
  prepareDataDir(dataDir, multiUser);
  if (multiUser) prepareMultiUser();
  const port = await freePort();
  const adminToken = crypto.randomBytes(24).toString("hex");
  const launch = await hubLaunch({ venv, dataDir, port, timeZone: "Europe/Berlin", multiUser, testAdminToken: adminToken, serviceArgs: o.serviceArgs, env: { ...o.env, ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}) } });
  if (!o.databaseUrl) delete launch.env.DATABASE_URL;
  let output = "";
  const child: ChildProcess = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-200_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const log = () => output;
  const hubApi = async <T>(method: string, p: string, body?: unknown) => {
    const r = await fetch(`${url}/hub/api${p}`, { method, headers: { Authorization: `token ${adminToken}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, data: (text ? JSON.parse(text) : null) as T };
  };
  await waitFor("JupyterHub", async () => (await hubApi("GET", "/")).status === 200, 90_000, log);
  await waitFor("the course service", async () => (await fetch(`${url}/services/course/health`)).status === 200, 120_000, log);
  const hub: TestHub = {
    url,
    dataDir,
    adminToken,
    log,
    hubApi,
    async userToken(name, group) {
      const u = await hubApi("POST", `/users/${name}`, {});
      if (u.status >= 300 && u.status !== 409) throw new Error(`could not create hub user ${name}: ${u.status}`);
      if (group) {
        if ((await hubApi("GET", `/groups/${group}`)).status === 404) await hubApi("POST", `/groups/${group}`, {});
        const g = await hubApi("POST", `/groups/${group}/users`, { users: [name] });
        if (g.status >= 300) throw new Error(`could not add ${name} to ${group}: ${g.status}`);
      }
      const t = await hubApi<{ token: string }>("POST", `/users/${name}/tokens`, { note: "course test", expires_in: 3600 });
      if (t.status !== 201) throw new Error(`could not make a token for ${name}: ${t.status} ${JSON.stringify(t.data)}`);
      return t.data.token;
    },
    course(method, p, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.Authorization = `token ${opts.token}`;
      if (opts.type) headers["Content-Type"] = opts.type;
      return fetch(`${url}/services/course/${p}`, { method, headers, body: opts.body, redirect: "manual" });
    },
    servicePid() {
      return Number(fs.readFileSync(path.join(dataDir, "course-service.pid"), "utf8"));
    },
    async stop() {
      if (child.exitCode == null) {
        process.kill(-child.pid!, "SIGTERM");
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* gone */
            }
            r();
          }, 15_000);
          child.once("exit", () => (clearTimeout(t), r()));
        });
      }
      if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return hub;
}
