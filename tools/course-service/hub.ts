/**
 * Who is asking, from JupyterHub and never from the request: the hub's OAuth flow for browsers
 * (the service is an OAuth client of the hub, as JupyterHub's HubOAuth does it), hub API tokens
 * for scripts, and roles from the hub's groups, looked up with the service's own token.
 *
 * The hub passes a managed service its settings in the environment:
 *   JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, JUPYTERHUB_CLIENT_ID, JUPYTERHUB_SERVICE_PREFIX,
 *   JUPYTERHUB_OAUTH_CALLBACK_URL, JUPYTERHUB_BASE_URL, JUPYTERHUB_OAUTH_ACCESS_SCOPES
 */
import * as crypto from "crypto";

export type Role = "instructor" | "ta" | "student" | "none";

export interface HubConfig {
  apiUrl: string;
  apiToken: string;
  clientId: string;
  /** e.g. /services/course/ */
  prefix: string;
  /** e.g. /services/course/oauth_callback */
  callbackUrl: string;
  /** e.g. / : the hub's base URL, for /hub/api/oauth2/authorize */
  baseUrl: string;
  accessScopes: string[];
}

export function hubConfigFromEnv(env = process.env): HubConfig {
  const need = (k: string) => {
    const v = env[k];
    if (!v) throw new Error(`${k} is not set: the course service runs as a JupyterHub service (npm run hub starts it); see tools/course-service/README.md`);
    return v;
  };
  const prefix = env.JUPYTERHUB_SERVICE_PREFIX ?? "/services/course/";
  const name = env.JUPYTERHUB_SERVICE_NAME ?? "course";
  return {
    apiUrl: need("JUPYTERHUB_API_URL").replace(/\/$/, ""),
    apiToken: need("JUPYTERHUB_API_TOKEN"),
    clientId: env.JUPYTERHUB_CLIENT_ID ?? `service-${name}`,
    prefix: prefix.endsWith("/") ? prefix : prefix + "/",
    callbackUrl: env.JUPYTERHUB_OAUTH_CALLBACK_URL ?? `${prefix.replace(/\/$/, "")}/oauth_callback`,
    baseUrl: env.JUPYTERHUB_BASE_URL ?? "/",
    accessScopes: env.JUPYTERHUB_OAUTH_ACCESS_SCOPES ? (JSON.parse(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES) as string[]) : [`access:services!service=${name}`],
  };
}

export interface HubUser {
  name: string;
  admin: boolean;
  groups: string[];
}

export class HubUnavailable extends Error {}

interface CacheEntry<T> {
  value: T;
  until: number;
}

const CACHE_MS = 30_000;

export class Hub {
  private tokenCache = new Map<string, CacheEntry<string | null>>();
  private userCache = new Map<string, CacheEntry<HubUser | null>>();

  constructor(readonly config: HubConfig) {}

  async api<T>(method: string, path: string, body?: unknown, token = this.config.apiToken): Promise<{ status: number; data: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.config.apiUrl}${path}`, {
        method,
        headers: { Authorization: `token ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new HubUnavailable(`JupyterHub's API at ${this.config.apiUrl} did not answer (${(err as Error).message})`);
    }
    const text = await res.text();
    let data: T;
    try {
      data = (text ? JSON.parse(text) : null) as T;
    } catch {
      data = null as T;
    }
    if (res.status >= 500) throw new HubUnavailable(`JupyterHub's API answered ${res.status} to ${method} ${path}`);
    return { status: res.status, data };
  }

  /** The user name a hub token belongs to, if that token may access this service; else null. */
  async userForToken(token: string): Promise<string | null> {
    const key = crypto.createHash("sha256").update(token).digest("hex");
    const hit = this.tokenCache.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const r = await this.api<{ kind?: string; name?: string; scopes?: string[] }>("GET", "/user", undefined, token);
    let name: string | null = null;
    if (r.status === 200 && r.data?.kind === "user" && typeof r.data.name === "string") {
      const scopes = r.data.scopes ?? [];
      const service = this.config.accessScopes.map((s) => s.split("!")[0]);
      if (scopes.some((s) => this.config.accessScopes.includes(s) || service.includes(s))) name = r.data.name;
    }
    this.tokenCache.set(key, { value: name, until: Date.now() + CACHE_MS });
    return name;
  }

  forgetToken(token: string): void {
    this.tokenCache.delete(crypto.createHash("sha256").update(token).digest("hex"));
  }

  /** A hub user's groups and admin flag, read with the service's own token. */
  async user(name: string): Promise<HubUser | null> {
    const hit = this.userCache.get(name);
    if (hit && hit.until > Date.now()) return hit.value;
    const r = await this.api<{ name: string; admin: boolean; groups: string[] }>("GET", `/users/${encodeURIComponent(name)}`);
    if (r.status !== 200 && r.status !== 404) throw new HubUnavailable(`JupyterHub refused to tell the service about user ${name} (${r.status}): give the service the scopes read:users and read:groups (tools/hub/jupyterhub_config.py)`);
    const value = r.status === 200 ? { name: r.data.name, admin: !!r.data.admin, groups: r.data.groups ?? [] } : null;
    this.userCache.set(name, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  async roleOf(name: string): Promise<Role> {
    const u = await this.user(name);
    if (!u) return "none";
    if (u.admin || u.groups.includes("instructors")) return "instructor";
    if (u.groups.includes("tas")) return "ta";
    if (u.groups.includes("students")) return "student";
    return "none";
  }

  /** Creates the hub users that do not exist yet and puts all of them in `group`. */
  async enrol(names: string[], group: string): Promise<void> {
    if (!names.length) return;
    const existing = await this.api<unknown>("GET", `/groups/${group}`);
    if (existing.status === 404) {
      const made = await this.api("POST", `/groups/${group}`, {});
      if (made.status >= 300 && made.status !== 409) throw new HubUnavailable(`could not create the hub group ${group} (${made.status})`);
    }
    for (const name of names) {
      const r = await this.api("POST", `/users/${encodeURIComponent(name)}`, {});
      if (r.status >= 300 && r.status !== 409) throw new HubUnavailable(`could not create the hub user ${name} (${r.status}): give the service the scope admin:users`);
    }
    const add = await this.api("POST", `/groups/${group}/users`, { users: names });
    if (add.status >= 300) throw new HubUnavailable(`could not add users to the hub group ${group} (${add.status}): give the service the scope admin:groups`);
    for (const n of names) this.userCache.delete(n);
  }

  /** Where the browser goes to log in through the hub. */
  authorizeUrl(state: string): string {
    const q = new URLSearchParams({ client_id: this.config.clientId, redirect_uri: this.config.callbackUrl, response_type: "code", state });
    return `${this.config.baseUrl.replace(/\/?$/, "/")}hub/api/oauth2/authorize?${q}`;
  }

  /** The last step of OAuth: the code for a token (the service's own token is its client secret). */
  async tokenForCode(code: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.config.apiUrl}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: this.config.clientId, client_secret: this.config.apiToken, grant_type: "authorization_code", code, redirect_uri: this.config.callbackUrl }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new HubUnavailable(`JupyterHub's OAuth token endpoint did not answer (${(err as Error).message})`);
    }
    const data = (await res.json().catch(() => null)) as { access_token?: string } | null;
    if (res.status !== 200 || !data?.access_token) throw new Error(`JupyterHub refused the OAuth code (${res.status})`);
    return data.access_token;
  }
}
