/**
 * The two gradebooks every class test runs on: embedded PGlite in a temp folder, and a real
 * PostgreSQL server (a throwaway cluster). `forEachDatabase` declares a describe block per engine.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Database, openDatabase } from "../../tools/course-service/db";
import { Assignment, getAssignment, insertAssignment } from "../../tools/course-service/gradebook";
import { gradedCellSpecs } from "../../tools/course-service/notebookCheck";
import { migrate, Migration, MIGRATIONS } from "../../tools/course-service/migrations";
import { PgCluster } from "../../tools/hub/fixtures/pgCluster";

export interface DbTarget {
  kind: "pglite" | "postgres";
  /** A fresh, migrated database (its own PGlite folder, or its own PostgreSQL database); `migrations` to build an older schema. */
  open(migrations?: Migration[]): Promise<Database>;
  /** For PostgreSQL: the URL of the last opened database. */
  url?: string;
  cluster?: PgCluster;
  cleanup(): Promise<void>;
}

let counter = 0;

export async function pgliteTarget(): Promise<DbTarget> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "course-pglite-"));
  const opened: Database[] = [];
  return {
    kind: "pglite",
    async open(migrations = MIGRATIONS) {
      const db = await openDatabase({ url: "", dataDir: path.join(root, String(counter++)) });
      await migrate(db, migrations);
      opened.push(db);
      return db;
    },
    async cleanup() {
      for (const d of opened) await d.close().catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function postgresTarget(): Promise<DbTarget> {
  const cluster = await PgCluster.start();
  const opened: Database[] = [];
  const t: DbTarget = {
    kind: "postgres",
    cluster,
    async open(migrations = MIGRATIONS) {
      const name = `course_${process.pid}_${counter++}`;
      const admin = await openDatabase({ url: cluster.url, dataDir: "" });
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.close();
      t.url = cluster.url.replace(/\/postgres$/, `/${name}`);
      const db = await openDatabase({ url: t.url, dataDir: "" });
      await migrate(db, migrations);
      opened.push(db);
      return db;
    },
    async cleanup() {
      for (const d of opened) await d.close().catch(() => undefined);
      await cluster.stop();
    },
  };
  return t;
}

export function forEachDatabase(body: (target: () => DbTarget) => void): void {
  for (const make of [pgliteTarget, postgresTarget]) {
    describe(make === pgliteTarget ? "on embedded PGlite" : "on a PostgreSQL server", function () {
      let target: DbTarget;
      before(async function () {
        this.timeout(120_000);
        target = await make();
      });
      after(async () => target?.cleanup());
      body(() => target);
    });
  }
}

/** The released autoencoders exercise, the notebook students fetch. */
export const AUTOENCODERS_EXERCISE = fs.readFileSync(path.join(__dirname, "../../exercises/autoencoders.ipynb"));

/** Assignment "ae-1" on the autoencoders exercise, open since yesterday, due tomorrow, 10 % per day late. */
export async function autoencodersAssignment(db: Database, options: { resubmission?: "last" | "best"; maxPoints: number }): Promise<Assignment> {
  await insertAssignment(db, {
    id: "ae-1",
    exercise: "autoencoders",
    title: "Autoencoders",
    opensAt: new Date(Date.now() - 86_400_000),
    dueAt: new Date(Date.now() + 86_400_000),
    timeZone: "UTC",
    latePolicy: { kind: "per-day", percentPerDay: 10, capPercent: 100, maxDaysLate: null },
    resubmission: options.resubmission ?? "last",
    released: true,
    notebook: AUTOENCODERS_EXERCISE,
    gradedCells: gradedCellSpecs(AUTOENCODERS_EXERCISE.toString("utf8")),
    maxPoints: options.maxPoints,
  });
  return (await getAssignment(db, "ae-1"))!;
}
