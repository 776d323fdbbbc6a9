/**
 * The sandbox runtime: the sandbox harness and the course library compiled to plain JavaScript
 * under build/grader/runtime/<hash>/.
 *
 * The sandbox may read only this folder and node_modules, and it cannot run tsx (esbuild needs a
 * worker and a cache folder, both denied), so the trusted side compiles once with the TypeScript
 * API; the hash of the sources names the folder, so a changed lib gives a fresh runtime.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { GRADER_BUILD_DIR, REPO_ROOT } from "./paths";

const SOURCES: { from: string; to: string }[] = [
  { from: path.join(REPO_ROOT, "tools", "grader", "sandbox"), to: "sandbox" },
  { from: path.join(REPO_ROOT, "lib"), to: "lib" },
];

export interface Runtime {
  dir: string;
  /** The sandbox entry point. */
  main: string;
}

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

/** Compiles (or reuses) the runtime and returns where it is. */
export function prepareRuntime(buildDir = GRADER_BUILD_DIR): Runtime {
  const files = SOURCES.flatMap((s) => listFiles(s.from).map((f) => ({ file: f, rel: path.join(s.to, path.relative(s.from, f)) })));
  const hash = crypto.createHash("sha256").update(ts.version);
  const contents = files.map(({ file, rel }) => {
    const text = fs.readFileSync(file, "utf8");
    hash.update(rel).update("\0").update(text).update("\0");
    return { rel, text };
  });
  const dir = path.join(buildDir, "runtime", hash.digest("hex").slice(0, 16));
  const main = path.join(dir, "sandbox", "main.js");
  if (fs.existsSync(main)) return { dir, main };

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
  // Runtimes of older library versions: drop those untouched for a day (none is in use then).
  for (const old of fs.readdirSync(path.dirname(dir))) {
    const full = path.join(path.dirname(dir), old);
    try {
      if (full !== tmp && Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      /* another grader removed it */
    }
  }
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    // Another grader made the same runtime at the same time: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(main)) throw err;
  }
  return { dir, main };
}
