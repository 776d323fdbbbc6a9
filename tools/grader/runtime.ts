/**
 * The sandbox runtime: the sandbox harness and the course library compiled to plain JavaScript
 * under build/grader/runtime/<key>/.
 *
 * The sandbox may read only this folder and the packages it loads, and it cannot run tsx (esbuild
 * needs a worker and a cache folder, both denied), so the trusted side compiles once with the
 * TypeScript API. The key hashes the checkout's real path and the sources: a changed library gives
 * a fresh runtime, and a copied or moved checkout never uses (or cleans up) another checkout's.
 *
 * Grading as root, the sandbox runs as `nobody`, which must be able to reach every file it loads
 * through every folder above it. A checkout under a home folder of mode 700 (/root/…) is out of its
 * reach: then the runtime and the packages it loads are staged (stage.ts) where it can read them,
 * or grading is refused with a message that says what to do. It never grades with a sandbox that
 * cannot load its own code.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { detectIsolation } from "./isolation";
import { GRADER_BUILD_DIR, NODE_MODULES_DIR, REPO_ROOT } from "./paths";
import { dropStale, sandboxCanRead, stageRuntime } from "./stage";

export interface Runtime {
  /** The compiled runtime: sandbox/ and lib/. */
  dir: string;
  /** The sandbox entry point. */
  main: string;
  /** Everything the sandbox may read: the runtime and the packages it loads. */
  readPaths: string[];
  /** The Node.js binary the sandbox runs. */
  node: string;
  /** Where the runtime was staged because the checkout is out of the sandbox user's reach, or null. */
  staged: string | null;
}

const SOURCES = (root: string) => [
  { from: path.join(root, "tools", "grader", "sandbox"), to: "sandbox" },
  { from: path.join(root, "lib"), to: "lib" },
];

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Compiles (or reuses) the runtime in this checkout's build folder. */
export function compileRuntime(buildDir = GRADER_BUILD_DIR, root = REPO_ROOT): { dir: string; main: string; key: string } {
  const files = SOURCES(root).flatMap((s) => listFiles(s.from).map((f) => ({ file: f, rel: path.join(s.to, path.relative(s.from, f)) })));
  const hash = crypto.createHash("sha256").update(ts.version).update("\0").update(fs.realpathSync(root)).update("\0");
  const contents = files.map(({ file, rel }) => {
    const text = fs.readFileSync(file, "utf8");
    hash.update(rel).update("\0").update(text).update("\0");
    return { rel, text };
  });
  const key = hash.digest("hex").slice(0, 16);
  const dir = path.join(buildDir, "runtime", key);
  const main = path.join(dir, "sandbox", "main.js");
  if (fs.existsSync(main)) {
    const now = new Date();
    fs.utimesSync(dir, now, now); // in use: not stale
    return { dir, main, key };
  }
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  for (const { rel, text } of contents) {
    const target = path.join(tmp, rel.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (rel.endsWith(".json")) {
      fs.writeFileSync(target, text);
      continue;
    }
    const out = ts.transpileModule(text, {
      fileName: rel,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, resolveJsonModule: true },
    });
    fs.writeFileSync(target, out.outputText);
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  dropStale(path.dirname(dir), tmp);
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    // Another grader made the same runtime at the same time: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(main)) throw err;
  }
  return { dir, main, key };
}

/** The runtime the sandbox will run: in place when its user can read it, staged otherwise. */
export function prepareRuntime(buildDir = GRADER_BUILD_DIR, root = REPO_ROOT): Runtime {
  const { dir, main, key } = compileRuntime(buildDir, root);
  const nodeModules = root === REPO_ROOT ? NODE_MODULES_DIR : path.join(root, "node_modules");
  const inPlace: Runtime = { dir, main, readPaths: [dir, nodeModules], node: process.execPath, staged: null };
  // COURSE_GRADER_FORCE_STAGE=1 stages even when it is not needed (the specs use it to test staging as any user).
  const force = process.env.COURSE_GRADER_FORCE_STAGE === "1";
  if (!force && (!detectIsolation().dropToNobody || sandboxCanRead(inPlace).ok)) return inPlace;
  return stageRuntime(inPlace, key, root);
}
