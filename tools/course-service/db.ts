/**
 * One database interface over two engines that speak the same SQL:
 *
 *   embedded (default)   PGlite: PostgreSQL compiled to WebAssembly, persisted in <data>/gradebook/,
 *                        one process at a time (the course service, with its grading in-process)
 *   DATABASE_URL=postgres://…   a PostgreSQL server through `pg`'s pool: the service and any number
 *                        of grading workers on any machines share it
 *
 * Code above this file sees `query` and `transaction` only, and values normalised the same way
 * (bigint and numeric as numbers, bytea as Buffer, timestamptz as Date), so one code path and one
 * test suite run on both.
 */
import * as fs from "fs";
import * as path from "path";

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `body` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A failure to reach the database (as opposed to a bad query): callers answer 503 and retry. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (!e) return false;
  if (typeof e.code === "string" && /^(08|57P0)/.test(e.code)) return true; // connection exception, admin shutdown
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND"].includes(e.code ?? "")) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(e.message ?? "");
}

/** PostgreSQL's disk-full family (53100 disk_full, 53xxx insufficient resources) or ENOSPC. */
export function isDiskFullError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "53100" || e?.code === "ENOSPC" || /No space left on device|could not extend file/i.test(e?.message ?? "");
}

function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return row;
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import("pg");
  const types = pg.default?.types ?? pg.types;
  types.setTypeParser(20, (v: string) => Number(v)); // int8
  types.setTypeParser(1700, (v: string) => Number(v)); // numeric
  const Pool = pg.default?.Pool ?? pg.Pool;
  const pool = new Pool({ connectionString: url, max: Number(process.env.COURSE_DB_POOL ?? 10), connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 });
  // An idle client whose server went away emits 'error' on the pool; without a listener it would
  // end the process. The next query takes a fresh connection (that is the reconnect).
  pool.on("error", () => undefined);
  const query = async <R>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params as unknown[])).rows.map(normaliseRow) as R[] });
  return {
    kind: "postgres",
    query,
    exec: async (sql: string) => void (await pool.query(sql)),
    async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const tx: Queryable = {
          query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params as unknown[])).rows.map(normaliseRow) as R[] }),
          exec: async (sql: string) => void (await client.query(sql)),
        };
        const out = await body(tx);
        await client.query("COMMIT");
        return out;
      } catch (err) {
        broken = isConnectionError(err);
        await client.query("ROLLBACK").catch(() => (broken = true));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string): Promise<Database> {
  fs.mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(dir);
  await db.waitReady;
  const wrap = (q: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>; exec: (sql: string) => Promise<unknown> }): Queryable => ({
    query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await q.query(sql, params)).rows.map((r) => normaliseRow(r as Record<string, unknown>)) as R[] }),
    exec: async (sql: string) => void (await q.exec(sql)),
  });
  return {
    kind: "pglite",
    ...wrap(db),
    transaction: <T>(body: (tx: Queryable) => Promise<T>) => db.transaction((tx) => body(wrap(tx))),
    close: () => db.close(),
  };
}

export interface OpenOptions {
  /** postgres://… (default: $DATABASE_URL); empty for the embedded database. */
  url?: string;
  /** The data folder; the embedded database lives in <dataDir>/gradebook. */
  dataDir: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL ?? "";
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must start with postgres:// (got "${url.replace(/:[^:@/]*@/, ":***@")}")`);
    return openPostgres(url);
  }
  return openPglite(path.join(options.dataDir, "gradebook"));
}
