/**
 * A browser's side of logging in, without a browser: a cookie jar, the hub's login form (with its
 * _xsrf token; the first log-in sets the password), then the course service's OAuth redirects,
 * followed by hand the way fetch follows them in the JupyterLab extension.
 */
export class BrowserSession {
  private jar = new Map<string, { value: string; path: string }>();
  constructor(readonly origin: string) {}

  private cookieHeader(path: string): string {
    return [...this.jar.entries()].filter(([, c]) => path.startsWith(c.path)).map(([k, c]) => `${k}=${c.value}`).join("; ");
  }

  private store(res: Response): void {
    for (const line of (res.headers as Headers & { getSetCookie(): string[] }).getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === "" || value === '""';
      if (expired) this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  /** One request with the jar's cookies; redirects are returned, not followed. */
  async request(method: string, url: string, o: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url, this.origin);
    const res = await fetch(u, { method, body: o.body, redirect: "manual", headers: { Cookie: this.cookieHeader(u.pathname), ...o.headers } });
    this.store(res);
    return res;
  }

  /** GET following same-origin redirects, as fetch does in a page. */
  async follow(url: string, max = 10): Promise<Response> {
    let res = await this.request("GET", url);
    for (let i = 0; i < max && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get("location")!, new URL(url, this.origin));
      if (next.origin !== this.origin) throw new Error(`redirected off-site to ${next}`);
      await res.arrayBuffer();
      url = next.toString();
      res = await this.request("GET", url);
    }
    return res;
  }

  /** Logs in to the hub with the login form (the first log-in sets the password). */
  async hubLogin(user: string, password: string): Promise<void> {
    const page = await (await this.request("GET", "/hub/login")).text();
    const xsrf = /name="_xsrf" value="([^"]*)"/.exec(page)?.[1] ?? "";
    const res = await this.request("POST", "/hub/login?next=", {
      body: new URLSearchParams({ username: user, password, _xsrf: xsrf }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await res.text();
    if (res.status !== 302) throw new Error(`hub login of ${user} answered ${res.status}: ${(await res.text().catch(() => "")).slice(0, 300)}`);
  }
}
