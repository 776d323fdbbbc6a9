/**
 * Staging the sandbox runtime where the sandbox's user can read it.
 *
 * Grading as root, the sandbox runs as `nobody`. A checkout under /root (mode 700) is out of its
 * reach, and so is everything in it: the compiled runtime, node_modules, maybe Node itself. Then
 * the runtime, the packages it loads (their dependency closure) and, if needed, the Node binary are
 * placed under <tmp>/course-grader-<uid>/<checkout>/<key>/ (hard links where the file system
 * allows, copies otherwise, every file world-readable), and checked as `nobody` before use.
 *
 *   <checkout> hashes the checkout's real path: a copied or moved checkout stages its own and never
 *              removes another's;
 *   <key>      hashes the runtime's sources, Node's version and the staged packages' versions.
 *
 * When no reachable place works, grading is refused with what to do (COURSE_GRADER_STAGE_DIR).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { placeFile } from "@ts-course/cli";
import { asSandboxUser } from "./isolation";
import type { Runtime } from "./runtime";

/** Grading refused because the sandbox could not read its own code: the message says what to do. */
export class StagingRefused extends Error {
  override name = "StagingRefused";
}

export interface ReadCheck {
  ok: boolean;
  /** What failed, as the sandbox's user saw it. */
  why: string;
}

const checked = new Map<string, ReadCheck>();

/**
 * Runs, as the sandbox's user, Node with a script that opens what the sandbox opens first. Node is
 * started by a shell that already runs as that user, as unshare starts it in the sandbox: setpriv
 * itself can start a binary its new user could not reach, which would hide the problem.
 */
function probe(rt: Runtime, script: string): ReadCheck {
  const { command, args } = asSandboxUser("sh", ["-c", 'exec "$0" -e "$1"', rt.node, script]);
  const r = spawnSync(command, args, { cwd: "/", encoding: "utf8", timeout: 30_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  if (r.error) return { ok: false, why: r.error.message };
  return r.status === 0 ? { ok: true, why: "" } : { ok: false, why: (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").slice(-3).join(" ").slice(0, 400) };
}

/** Whether the sandbox's user can start Node and load the runtime's entry point and its packages. */
export function sandboxCanRead(rt: Runtime): ReadCheck {
  const cacheKey = `${rt.node}\0${rt.main}`;
  const hit = checked.get(cacheKey);
  if (hit) return hit;
  const node = probe(rt, "0");
  if (!node.ok) return { ok: false, why: `cannot run ${rt.node}: ${node.why}` };
  const script = [
    `const fs = require("fs"), path = require("path");`,
    `const main = ${JSON.stringify(rt.main)};`,
    `fs.readFileSync(main);`,
    `fs.readdirSync(path.join(path.dirname(main), "..", "lib"));`,
    `fs.readFileSync(require.resolve("@tensorflow/tfjs", { paths: [path.dirname(main)] }));`,
  ].join("\n");
  const result = probe(rt, script);
  checked.set(cacheKey, result);
  return result;
}

/** Removes siblings of `keep` in `parent` untouched for a day (runtimes of older sources: none is in use then). */
export function dropStale(parent: string, keep: string): void {
  for (const old of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    const full = path.join(parent, old);
    try {
      if (full !== keep && Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      /* another grader removed it */
    }
  }
}

/** <tmp>/course-grader-<uid>: ours (not a link, not writable by others), or an Error saying why not. */
function stageBase(): string {
  const root = process.env.COURSE_GRADER_STAGE_DIR || os.tmpdir();
  const base = path.join(root, `course-grader-${process.getuid?.() ?? "user"}`);
  try {
    fs.mkdirSync(base, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const st = fs.lstatSync(base);
  if (!st.isDirectory() || st.isSymbolicLink() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) {
    throw new Error(`${base} is not a private folder of this user (a link, someone else's, or writable by others): remove it, or set COURSE_GRADER_STAGE_DIR to a folder that user nobody can read`);
  }
  fs.chmodSync(base, 0o755);
  return base;
}

/** The folder of the package `name` as Node would find it from `from`, or null. */
function findPackage(name: string, from: string): string | null {
  for (let d = from; ; d = path.dirname(d)) {
    const candidate = path.join(d, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (d === path.dirname(d)) return null;
  }
}

/** Packages the compiled runtime requires, with their dependencies: folder → its place under node_modules. */
export function packageClosure(runtimeDir: string, root: string): Map<string, string> {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const wanted = new Set<string>();
  const scan = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) scan(full);
      else if (e.name.endsWith(".js")) for (const m of fs.readFileSync(full, "utf8").matchAll(/require\("([^".\/][^"]*)"\)/g)) wanted.add(m[1]);
    }
  };
  scan(runtimeDir);
  const closure = new Map<string, string>();
  const nodeModules = path.join(root, "node_modules");
  const visit = (spec: string, from: string) => {
    if (builtins.has(spec)) return;
    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
    const dir = findPackage(name, from);
    if (!dir) return; // an optional dependency not installed: the sandbox would not find it in place either
    const real = fs.realpathSync(dir);
    if (closure.has(real)) return;
    const rel = path.relative(nodeModules, dir);
    closure.set(real, rel.startsWith("..") ? name : rel);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  for (const spec of wanted) visit(spec, runtimeDir.startsWith(root) ? runtimeDir : root);
  return closure;
}

/** A file tree copied with hard links when allowed (and readable by all), real copies otherwise. */
function placeTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    let st: fs.Stats;
    try {
      st = fs.statSync(src); // follows links: their targets are staged as files
    } catch {
      continue; // a dangling link
    }
    if (st.isDirectory()) {
      if (e.name !== ".bin") placeTree(src, dst);
    } else if (st.isFile()) placeFile(src, dst, st);
  }
}

/** Stages the runtime (and what it loads) where the sandbox's user can read it, or throws saying what to do. */
export function stageRuntime(inPlace: Runtime, runtimeKey: string, root: string): Runtime {
  const refuse = (why: string) =>
    new StagingRefused(
      `the sandbox runs as user nobody, which cannot read the grader's files under ${root} (${why}). ` +
        `Grading would give every student zero, so it stops here. Move the checkout to a folder nobody can enter (e.g. /srv/course), ` +
        `or set COURSE_GRADER_STAGE_DIR to a folder that user nobody can read, where the grader copies what the sandbox needs.`,
    );
  const closure = packageClosure(inPlace.dir, root);
  const versions = [...closure.entries()].map(([dir, rel]) => `${rel}@${(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string }).version}`).sort();
  const needNode = !probe(inPlace, "0").ok;
  const key = crypto.createHash("sha256").update([runtimeKey, process.version, process.execPath, String(needNode), ...versions].join("\0")).digest("hex").slice(0, 16);
  let base: string;
  try {
    base = stageBase();
  } catch (err) {
    throw refuse((err as Error).message);
  }
  const parent = path.join(base, crypto.createHash("sha256").update(fs.realpathSync(root)).digest("hex").slice(0, 12));
  fs.mkdirSync(parent, { recursive: true });
  fs.chmodSync(parent, 0o755);
  const target = path.join(parent, key);
  const staged = (dir: string): Runtime => ({
    dir: path.join(dir, "runtime"),
    main: path.join(dir, "runtime", "sandbox", "main.js"),
    readPaths: [dir],
    node: needNode ? path.join(dir, "node") : inPlace.node,
    staged: dir,
  });
  if (!fs.existsSync(path.join(target, "ready"))) {
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    const umask = process.umask(0o022); // folders made here must be enterable by nobody
    try {
      placeTree(inPlace.dir, path.join(tmp, "runtime"));
      for (const [dir, rel] of closure) if (![...closure.values()].some((o) => o !== rel && rel.startsWith(o + path.sep))) placeTree(dir, path.join(tmp, "node_modules", rel));
      if (needNode) placeFile(inPlace.node, path.join(tmp, "node"), undefined, 0o755);
      fs.writeFileSync(path.join(tmp, "ready"), `${root}\n`);
      fs.chmodSync(tmp, 0o755);
      fs.renameSync(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(target, "ready"))) throw refuse(`staging under ${parent} failed: ${(err as Error).message}`);
    } finally {
      process.umask(umask);
    }
  }
  const now = new Date();
  fs.utimesSync(target, now, now); // in use: not stale
  dropStale(parent, target);
  const rt = staged(target);
  const check = sandboxCanRead(rt);
  if (!check.ok) throw refuse(`even the copy under ${target} is unreadable to it: ${check.why}`);
  return rt;
}
