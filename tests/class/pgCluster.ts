/**
 * A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temp folder, on a free port,
 * as a non-root user (PostgreSQL refuses root: as root the cluster runs as `postgres`). Optionally
 * on a small tmpfs so a test can fill its disk. stop() removes everything.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../tools/hub/launch";

export function postgresBinDir(): string | null {
  const fromConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const candidates = [
    ...(fromConfig.status === 0 ? [fromConfig.stdout.trim()] : []),
    ...(fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`) : []),
  ];
  return candidates.find((d) => fs.existsSync(path.join(d, "initdb")) && fs.existsSync(path.join(d, "pg_ctl"))) ?? null;
}

export interface ClusterOptions {
  /** Put the data folder on a tmpfs of this many MB (root only). */
  tmpfsMb?: number;
}

export class PgCluster {
  readonly dir: string;
  readonly data: string;
  port = 0;
  private asUser: string[] = [];
  private mounted = false;

  constructor(private bin: string, private o: ClusterOptions = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-pg-"));
    this.data = path.join(this.dir, "data");
  }

  static async start(o: ClusterOptions = {}): Promise<PgCluster> {
    const bin = postgresBinDir();
    if (!bin) throw new Error("PostgreSQL is not installed: apt-get install postgresql (the tests start their own throwaway cluster)");
    const c = new PgCluster(bin, o);
    await c.init();
    return c;
  }

  private run(cmd: string, args: string[]): string {
    const [file, ...pre] = this.asUser.length ? [...this.asUser, path.join(this.bin, cmd)] : [path.join(this.bin, cmd)];
    return execFileSync(file, [...pre, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  private async init(): Promise<void> {
    this.port = await freePort();
    fs.chmodSync(this.dir, 0o755);
    if (this.o.tmpfsMb) {
      fs.mkdirSync(this.data);
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${this.o.tmpfsMb}m,mode=0700`, "tmpfs", this.data]);
      this.mounted = true;
    }
    if (process.getuid?.() === 0) {
      this.asUser = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
      execFileSync("chown", ["-R", "postgres:postgres", this.dir]);
    }
    this.run("initdb", ["-D", this.data, "-A", "trust", "-U", "course", "--no-sync", "-E", "UTF8", "--locale=C"]);
    this.startServer();
  }

  startServer(): void {
    this.run("pg_ctl", ["-D", this.data, "-l", path.join(this.dir, "server.log"), "-w", "-t", "30", "-o", `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, "start"]);
  }

  stopServer(mode: "fast" | "immediate" = "fast"): void {
    this.run("pg_ctl", ["-D", this.data, "-m", mode, "-w", "stop"]);
  }

  get url(): string {
    return `postgres://course@127.0.0.1:${this.port}/postgres`;
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, "server.log"), "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    try {
      this.stopServer("immediate");
    } catch {
      /* already stopped */
    }
    if (this.mounted) spawnSync("umount", [this.data]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
