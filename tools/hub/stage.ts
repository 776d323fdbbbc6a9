/**
 * What a student's JupyterLab runs, placed where students can reach it.
 *
 * As root, each student's server runs as the student's own system user. It runs the hub venv's
 * Python (jupyterhub-singleuser, JupyterLab, the course panel) and the course kernel: Node, tslab
 * and the packages of the checkout's node_modules, with tools/kernel/serialSend.cjs preloaded.
 * A checkout under a folder only its owner can enter (a clone in /root, mode 700) puts all of that
 * out of the students' reach: their server would not even start. Then those files are staged under
 * /var/lib/ts-course/<checkout>/runtime/<key>/ (COURSE_HUB_STAGE_DIR moves it):
 *
 *   venv/                      the hub venv: hard links, bin/ scripts rewritten to name this copy
 *   node_modules/              hard links (workspace links into tools/ are left out: no kernel loads them)
 *   tools/kernel/serialSend.cjs, tools/hub/kernelWatch.cjs   the kernel's preloads
 *   bin/node                   only when students cannot run this Node where it is
 *
 *   <checkout>  the checkout's folder name and a hash of its real path (two checkouts never share)
 *   <key>       a hash of what was staged (venv and extension stamps, the lock file, package folder
 *               times, Node's version): anything reinstalled gives a fresh stage; stages untouched
 *               for a day are removed when a new one is made (each spawn touches the one in use).
 *
 * Before use, what students will run is run as user `nobody` (another user without a home, like a
 * student): if that fails, the hub refuses to start with what to do. It never starts a class whose
 * servers cannot start.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { InputError, placeFile } from "@ts-course/cli";
import { REPO_ROOT } from "../kernel/kernelspec";
import { HubVenv, unreachableByOthers } from "./venv";

/** The hub cannot give students a runtime they can run: the message says what to do. */
export class StageRefused extends InputError {
  override name = "StageRefused";
}

export interface StudentRuntime {
  /** The venv students' servers run from: the hub's own, or its staged copy. */
  venvDir: string;
  /** jupyterhub-singleuser in that venv. */
  singleuser: string;
  /** The node_modules the course kernel loads ($HOME/node_modules links here). */
  nodeModules: string;
  node: string;
  tslab: string;
  /** tools/kernel/serialSend.cjs, preloaded into the kernel. */
  preload: string;
  /** tools/hub/kernelWatch.cjs, preloaded too: the kernel ends with its server. */
  watch: string;
  /** The stage folder, or null when students run everything in place. */
  staged: string | null;
}

const FORMAT = "hub-stage-1";
export const DEFAULT_STAGE_BASE = "/var/lib/ts-course";

export function inPlaceRuntime(venv: HubVenv, repo = REPO_ROOT): StudentRuntime {
  const nodeModules = path.join(repo, "node_modules");
  return {
    venvDir: venv.dir,
    singleuser: venv.singleuser,
    nodeModules,
    node: process.execPath,
    tslab: path.join(nodeModules, "tslab", "bin", "tslab"),
    preload: path.join(repo, "tools", "kernel", "serialSend.cjs"),
    watch: path.join(repo, "tools", "hub", "kernelWatch.cjs"),
    staged: null,
  };
}

/** Runs a command as user nobody (no home, no groups), from /. */
function asNobody(command: string, args: string[]): { ok: boolean; why: string } {
  const r = spawnSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "sh", "-c", 'exec "$@"', "sh", command, ...args], {
    cwd: "/",
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/nonexistent" },
  });
  if (r.error) return { ok: false, why: r.error.message };
  const out = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim().split("\n").slice(-3).join(" ").slice(0, 500);
  return r.status === 0 ? { ok: true, why: "" } : { ok: false, why: out || `exit ${r.status}` };
}

/**
 * Whether another user can start what a student's server starts: the single-user server's script
 * (its Python, JupyterLab, the hub's single-user module) and the course kernel's Node, tslab, the
 * preload and the packages the course imports.
 */
export function othersCanRun(rt: StudentRuntime): { ok: boolean; why: string } {
  const server = asNobody(path.join(path.dirname(rt.singleuser), "python"), ["-c", "import jupyterhub.singleuser, jupyterlab, jupyter_server"]);
  if (!server.ok) return { ok: false, why: `the single-user server's Python in ${rt.venvDir}: ${server.why}` };
  const script = asNobody("head", ["-c", "200", rt.singleuser]);
  if (!script.ok) return { ok: false, why: `${rt.singleuser}: ${script.why}` };
  const probe = [
    `const fs = require("fs"), path = require("path");`,
    `fs.readFileSync(${JSON.stringify(rt.tslab)});`,
    `require.resolve("zeromq", { paths: [path.dirname(${JSON.stringify(rt.preload)})] });`,
    `fs.readFileSync(${JSON.stringify(rt.preload)});`,
    `fs.readFileSync(${JSON.stringify(rt.watch)});`,
    `for (const p of ["tslab/package.json", "@tensorflow/tfjs/package.json", "@types/node/package.json"]) fs.readFileSync(require.resolve(p, { paths: [${JSON.stringify(rt.nodeModules)}] }));`,
  ].join("\n");
  const kernel = asNobody(rt.node, ["-e", probe]);
  if (!kernel.ok) return { ok: false, why: `the course kernel (${rt.node}, ${rt.nodeModules}): ${kernel.why}` };
  return { ok: true, why: "" };
}

function readIf(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** What decides whether a stage is current: the stamps of what was installed, not a walk of every file. */
export function stageKey(venv: HubVenv, rt: StudentRuntime, needNode: boolean): string {
  const h = crypto.createHash("sha256").update([FORMAT, process.version, process.execPath, String(needNode), fs.realpathSync(venv.dir)].join("\0"));
  h.update(readIf(path.join(venv.dir, ".course-lab-stamp.json")));
  h.update(readIf(path.join(venv.dir, "share", "jupyter", "labextensions", "@ts-course", "jupyterlab", "course-build.json")));
  h.update(readIf(path.join(rt.nodeModules, ".package-lock.json")));
  h.update(readIf(rt.preload));
  h.update(readIf(rt.watch));
  // A package installed without the lock file (npm run setup:native) changes its folder's time.
  for (const name of fs.readdirSync(rt.nodeModules).sort()) {
    const dir = path.join(rt.nodeModules, name);
    const names = name.startsWith("@") ? fs.readdirSync(dir).sort().map((n) => path.join(dir, n)) : [dir];
    for (const d of names) h.update(`${d}\0${fs.statSync(d).mtimeMs}\0`);
  }
  return h.digest("hex").slice(0, 16);
}

/** This checkout's folder under the stage base: its folder name and a hash of its real path. */
export function stagedCheckoutDir(repo: string, base = path.resolve(process.env.COURSE_HUB_STAGE_DIR || DEFAULT_STAGE_BASE)): string {
  const real = fs.realpathSync(repo);
  return path.join(base, `${path.basename(real)}-${crypto.createHash("sha256").update(real).digest("hex").slice(0, 12)}`);
}

/** `base` as a root-owned folder others can enter and nobody else can write, or a reason why not. */
function stageBase(): string {
  const base = path.resolve(process.env.COURSE_HUB_STAGE_DIR || DEFAULT_STAGE_BASE);
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const st = fs.lstatSync(base);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) {
    throw new StageRefused(`${base} must be a folder of root's that nobody else can write; fix it or set COURSE_HUB_STAGE_DIR to another folder`);
  }
  fs.chmodSync(base, 0o755);
  const closed = unreachableByOthers(path.join(base, "."));
  if (closed || (st.mode & 0o001) === 0) {
    throw new StageRefused(`students cannot enter ${closed ?? base}, where the hub stages what their servers run; set COURSE_HUB_STAGE_DIR to a folder every user can enter (e.g. /var/lib/ts-course)`);
  }
  return base;
}

interface PlaceOptions {
  /** Real path of the tree being copied (links into it are kept relative to the copy). */
  root: string;
  /** Rewrites a small text file (bin/ scripts of a venv name their venv by absolute path). */
  rewrite?: (rel: string, text: string) => string | null;
}

/** A tree placed with hard links (copies where a file is not readable by others), links kept. */
function placeTree(from: string, to: string, o: PlaceOptions, rel = ""): void {
  fs.mkdirSync(to, { mode: 0o755 });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    const r = path.join(rel, e.name);
    if (e.isSymbolicLink()) {
      const target = fs.readlinkSync(src);
      const resolved = path.resolve(from, target);
      // A link inside the tree keeps working as it is (relative) or rewritten (absolute); an
      // absolute one out of the tree is kept when others can follow it (the venv's python →
      // /usr/bin/python3); others are left out (npm's workspace links into tools/: no kernel loads them).
      if (resolved === o.root || resolved.startsWith(o.root + path.sep)) fs.symlinkSync(path.isAbsolute(target) ? path.relative(from, resolved) : target, dst);
      else if (path.isAbsolute(target) && fs.existsSync(resolved) && !unreachableByOthers(resolved)) fs.symlinkSync(target, dst);
      continue;
    }
    if (e.isDirectory()) {
      placeTree(src, dst, o, r);
      continue;
    }
    if (!e.isFile()) continue;
    const st = fs.statSync(src);
    if (o.rewrite && st.size < 1_000_000) {
      const text = fs.readFileSync(src, "utf8");
      const changed = text.includes("\0") ? null : o.rewrite(r, text);
      if (changed !== null && changed !== text) {
        fs.writeFileSync(dst, changed, { mode: 0o644 | (st.mode & 0o111 ? 0o111 : 0) });
        continue;
      }
    }
    placeFile(src, dst, st);
  }
}

function dropStale(parent: string, keep: string): void {
  for (const name of fs.readdirSync(parent)) {
    const full = path.join(parent, name);
    try {
      if (full !== keep && Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      /* removed meanwhile */
    }
  }
}

/** Stages the venv, node_modules, the kernel preload (and Node if needed) under the stage base. */
function stage(venv: HubVenv, inPlace: StudentRuntime, repo: string, needNode: boolean, why: string, log: (line: string) => void): StudentRuntime {
  const base = stageBase();
  const realRepo = fs.realpathSync(repo);
  const checkout = stagedCheckoutDir(repo, base);
  const parent = path.join(checkout, "runtime"); // only stages: dropStale never meets a data folder here
  fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
  for (const d of [checkout, parent]) fs.chmodSync(d, 0o755);
  const target = path.join(parent, stageKey(venv, inPlace, needNode));
  if (!fs.existsSync(path.join(target, "ready"))) {
    const t0 = Date.now();
    log(`Staging what students' servers run in ${target} (${why}; hard links, once per install)...`);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const umask = process.umask(0o022);
    try {
      fs.mkdirSync(tmp, { mode: 0o755 });
      const oldVenv = fs.realpathSync(venv.dir);
      const newVenv = path.join(target, "venv");
      const names = [...new Set([venv.dir, oldVenv])];
      placeTree(venv.dir, path.join(tmp, "venv"), {
        root: oldVenv,
        rewrite: (rel, text) => (rel.startsWith(`bin${path.sep}`) || rel === "pyvenv.cfg" ? names.reduce((t, n) => t.split(`${n}/`).join(`${newVenv}/`).split(`${n}\n`).join(`${newVenv}\n`), text) : null),
      });
      placeTree(inPlace.nodeModules, path.join(tmp, "node_modules"), { root: fs.realpathSync(inPlace.nodeModules) });
      for (const [from, rel] of [[inPlace.preload, "tools/kernel/serialSend.cjs"], [inPlace.watch, "tools/hub/kernelWatch.cjs"]]) {
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true, mode: 0o755 });
        fs.copyFileSync(from, path.join(tmp, rel));
        fs.chmodSync(path.join(tmp, rel), 0o644);
      }
      if (needNode) {
        fs.mkdirSync(path.join(tmp, "bin"), { mode: 0o755 });
        fs.copyFileSync(process.execPath, path.join(tmp, "bin", "node"));
        fs.chmodSync(path.join(tmp, "bin", "node"), 0o755);
      }
      fs.writeFileSync(path.join(tmp, "ready"), `${realRepo}\n`, { mode: 0o644 });
      fs.renameSync(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(target, "ready"))) throw new StageRefused(`staging in ${parent} failed: ${(err as Error).message}. Free the space or set COURSE_HUB_STAGE_DIR to another folder every user can enter`);
    } finally {
      process.umask(umask);
    }
    log(`staged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const now = new Date();
  fs.utimesSync(target, now, now);
  dropStale(parent, target);
  const venvDir = path.join(target, "venv");
  const nodeModules = path.join(target, "node_modules");
  return {
    venvDir,
    singleuser: path.join(venvDir, "bin", path.basename(venv.singleuser)),
    nodeModules,
    node: needNode ? path.join(target, "bin", "node") : process.execPath,
    tslab: path.join(nodeModules, "tslab", "bin", "tslab"),
    preload: path.join(target, "tools", "kernel", "serialSend.cjs"),
    watch: path.join(target, "tools", "hub", "kernelWatch.cjs"),
    staged: target,
  };
}

export interface StudentRuntimeOptions {
  multiUser: boolean;
  repo?: string;
  /** Stage even when students could run the checkout in place (tests; COURSE_HUB_FORCE_STAGE=1). */
  force?: boolean;
  log?: (line: string) => void;
}

/**
 * The runtime for students' servers: in place when every other user can run it, staged when a
 * closed folder is in the way, or a StageRefused saying what to do.
 */
export function studentRuntime(venv: HubVenv, o: StudentRuntimeOptions): StudentRuntime {
  const repo = o.repo ?? REPO_ROOT;
  const inPlace = inPlaceRuntime(venv, repo);
  if (!o.multiUser) return inPlace; // every server runs as the hub's own user
  const pythonClosed = unreachableByOthers(path.join(venv.dir, "bin", "python"));
  if (pythonClosed) {
    throw new StageRefused(`students cannot run the hub venv's Python: it lives under ${pythonClosed}, which other users cannot enter. Rebuild the hub's environment with a system Python: rm -rf .venv-hub && COURSE_PYTHON=/usr/bin/python3 npm run hub`);
  }
  const force = o.force ?? process.env.COURSE_HUB_FORCE_STAGE === "1";
  const closed = [inPlace.singleuser, inPlace.tslab, inPlace.preload, inPlace.watch].map(unreachableByOthers).find((d) => d !== null);
  let why = force ? "staging forced" : `other users cannot enter ${closed}`;
  if (!force && !closed) {
    const check = othersCanRun(inPlace);
    if (check.ok) return inPlace;
    why = `other users cannot run the checkout in place: ${check.why}`;
  }
  const needNode = unreachableByOthers(process.execPath) !== null || !asNobody(process.execPath, ["-e", "0"]).ok;
  const staged = stage(venv, inPlace, repo, needNode, why, o.log ?? ((l) => console.error(l)));
  const check = othersCanRun(staged);
  if (!check.ok) {
    throw new StageRefused(`students could not run what the hub staged for them in ${staged.staged}: ${check.why}. Put the course where every user can enter (e.g. git clone into /srv/course), or set COURSE_HUB_STAGE_DIR to a folder every user can enter`);
  }
  return staged;
}
