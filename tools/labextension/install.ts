/**
 * Builds the course's JupyterLab extension and installs it, prebuilt, into a venv:
 *
 *   ensureLabExtension(venvDir)
 *     find JupyterLab's core package.json in the venv ─► hash the extension's sources with it
 *     ─► (unchanged and installed? done) ─► npm ci (only when package-lock.json changed)
 *     ─► tsc ─► @jupyter/builder (rspack, module federation) ─► copy into
 *        <venv>/share/jupyter/labextensions/@ts-course/jupyterlab (atomic rename)
 *
 * Why its own package.json and lockfile: the extension is compiled against JupyterLab's npm
 * packages and the builder (about 460 MB in node_modules, rspack's binary included). Only a
 * class needs it, so the course's `npm ci` stays as it is and the hub installs these on first
 * use, from the npm registry, like `npm run lab` installs JupyterLab from PyPI.
 * At run time nothing is downloaded: JupyterLab serves the built files from the venv.
 *
 * Checkout-move safe: the build output holds no absolute path (a spec checks), and the stamp
 * that says "up to date" records only hashes, so a moved checkout or a fresh venv reuses it.
 *
 *   npm run labext -- [--venv <dir>] [--force]
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defineCommand, runCommand } from "../cli/command";
import { LabSetupError, withLock } from "../lab/venv";

export const EXTENSION_DIR = __dirname;
export const PACKAGE_NAME = "@ts-course/jupyterlab";
/** Written beside the built files: which sources (and which JupyterLab) they were built from. */
const STAMP = "course-build.json";
/** Written into node_modules: which package-lock.json it was installed from. */
const MODULES_STAMP = ".course-lock-sha256";
/** What the build reads; anything else (node_modules, build/) does not change the output. */
const SOURCES = ["package.json", "package-lock.json", "tsconfig.json", "src", "style", "schema"];
const TSC = path.join("node_modules", "typescript", "bin", "tsc");
const BUILDER = path.join("node_modules", "@jupyter", "builder", "lib", "build-labextension.js");

export interface LabExtensionResult {
  /** Where JupyterLab finds it: <venv>/share/jupyter/labextensions/@ts-course/jupyterlab. */
  installedDir: string;
  /** True when this call compiled the extension. */
  built: boolean;
  /** True when this call copied it into the venv. */
  installed: boolean;
  sourceHash: string;
}

export interface EnsureOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Rebuild even when the stamp says the build is current. */
  force?: boolean;
  /** The extension's folder (default: this folder); tests build a copy elsewhere. */
  extensionDir?: string;
}

interface Stamp {
  sourceHash: string;
  builtAt: string;
}

/** Builds (if its sources changed) and installs (if the venv lacks this build) the extension. Idempotent. */
export async function ensureLabExtension(venvDir: string, options: EnsureOptions = {}): Promise<LabExtensionResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const extDir = options.extensionDir ?? EXTENSION_DIR;
  const corePackageFile = findCorePackageFile(venvDir);
  const installedDir = labextensionsDir(venvDir);
  const buildDir = path.join(extDir, "build", "labextension");
  const hash = sourceHash(extDir, corePackageFile);
  if (!options.force && stampMatches(installedDir, hash)) return { installedDir, built: false, installed: false, sourceHash: hash };

  const lock = path.join(os.tmpdir(), `course-labext-${crypto.createHash("sha256").update(path.resolve(extDir)).digest("hex").slice(0, 16)}.lock`);
  return withLock(lock, log, async () => {
    let built = false;
    if (options.force || !stampMatches(buildDir, hash)) {
      await ensureNodeModules(extDir, log);
      log(`Building the course's JupyterLab extension (${path.relative(process.cwd(), extDir) || extDir})...`);
      await compile(extDir);
      await bundle(extDir, corePackageFile);
      const stamp: Stamp = { sourceHash: hash, builtAt: new Date().toISOString() };
      fs.writeFileSync(path.join(buildDir, STAMP), JSON.stringify(stamp, null, 2) + "\n");
      built = true;
    }
    installInto(buildDir, installedDir);
    log(`Installed the course's JupyterLab extension into ${installedDir}.`);
    return { installedDir, built, installed: true, sourceHash: hash };
  });
}

/** Where a prebuilt extension goes in a venv: JupyterLab reads <sys.prefix>/share/jupyter/labextensions. */
export function labextensionsDir(venvDir: string): string {
  return path.join(venvDir, "share", "jupyter", "labextensions", ...PACKAGE_NAME.split("/"));
}

/**
 * JupyterLab's own package.json (jupyterlab/staging/package.json in the venv): it names the
 * singleton packages and versions the page provides, so the build shares them instead of
 * bundling copies. The builder needs it; reading it from the venv needs no network.
 */
export function findCorePackageFile(venvDir: string): string {
  const candidates: string[] = [path.join(venvDir, "Lib", "site-packages")]; // Windows
  const lib = path.join(venvDir, "lib");
  if (fs.existsSync(lib)) for (const d of fs.readdirSync(lib).filter((d) => d.startsWith("python")).sort()) candidates.push(path.join(lib, d, "site-packages"));
  for (const site of candidates) {
    const file = path.join(site, "jupyterlab", "staging", "package.json");
    if (fs.existsSync(file)) return file;
  }
  throw new LabSetupError(`No JupyterLab in ${venvDir} (looked for jupyterlab/staging/package.json under its site-packages). Create the venv first (it installs JupyterLab from PyPI), then build the extension.`);
}

/** SHA-256 over every source file (path and bytes, in a fixed order) and JupyterLab's core package.json. */
export function sourceHash(extDir: string, corePackageFile: string): string {
  const h = crypto.createHash("sha256");
  const files: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(extDir, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) for (const entry of fs.readdirSync(abs).sort()) walk(path.posix.join(rel, entry));
    else files.push(rel);
  };
  SOURCES.forEach(walk);
  for (const rel of files) h.update(`${rel}\0`).update(fs.readFileSync(path.join(extDir, rel))).update("\0");
  h.update("core\0").update(fs.readFileSync(corePackageFile));
  return h.digest("hex");
}

function stampMatches(dir: string, hash: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, STAMP), "utf8")) as Stamp;
    return stamp.sourceHash === hash && fs.existsSync(path.join(dir, "package.json"));
  } catch {
    return false;
  }
}

/** `npm ci` in the extension's folder, only when its package-lock.json changed since the last one. */
async function ensureNodeModules(extDir: string, log: (line: string) => void): Promise<void> {
  const lockHash = crypto.createHash("sha256").update(fs.readFileSync(path.join(extDir, "package-lock.json"))).digest("hex");
  const stampFile = path.join(extDir, "node_modules", MODULES_STAMP);
  const tools = [TSC, BUILDER].map((rel) => path.join(extDir, rel));
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8").trim() === lockHash && tools.every((t) => fs.existsSync(t))) return;
  fs.rmSync(stampFile, { force: true });
  log("Installing the extension's build tools from npm (JupyterLab's packages and @jupyter/builder, about 460 MB; once)...");
  const npm = npmCommand();
  // Devtools are what this install is for: --include=dev, whatever NODE_ENV or npm config says.
  await run(npm.command, [...npm.args, "ci", "--include=dev", "--no-audit", "--no-fund", "--loglevel=error"], extDir, "npm ci");
  fs.writeFileSync(stampFile, lockHash + "\n");
}

/** The npm that runs us (`npm run hub` sets npm_execpath), else the one beside this node, else PATH's. */
function npmCommand(): { command: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.js$/.test(execPath) && fs.existsSync(execPath)) return { command: process.execPath, args: [execPath] };
  const beside = path.join(path.dirname(process.execPath), process.platform === "win32" ? "npm.cmd" : "npm");
  return { command: fs.existsSync(beside) ? beside : "npm", args: [] };
}

/** TypeScript to build/lib (the builder bundles from package.json's "main"). */
async function compile(extDir: string): Promise<void> {
  fs.rmSync(path.join(extDir, "build", "lib"), { recursive: true, force: true });
  await run(process.execPath, [TSC, "-p", "tsconfig.json"], extDir, "tsc");
}

/** What `jupyter-builder build` runs: @jupyter/builder's script against the venv's core package.json. */
async function bundle(extDir: string, corePackageFile: string): Promise<void> {
  await run(process.execPath, [BUILDER, "--core-package-file", corePackageFile, "."], extDir, "build-labextension");
}

/** Copies the build into the venv: a fresh folder renamed into place, so JupyterLab never sees half of one. */
function installInto(buildDir: string, installedDir: string): void {
  fs.mkdirSync(path.dirname(installedDir), { recursive: true });
  const incoming = `${installedDir}.incoming-${process.pid}`;
  const outgoing = `${installedDir}.outgoing-${process.pid}`;
  fs.rmSync(incoming, { recursive: true, force: true });
  fs.cpSync(buildDir, incoming, { recursive: true });
  fs.writeFileSync(
    path.join(incoming, "install.json"),
    JSON.stringify({ packageManager: "npm", packageName: PACKAGE_NAME, uninstallInstructions: `Installed by the course's hub launcher (tools/labextension/install.ts); remove this folder to uninstall.` }, null, 2) + "\n",
  );
  if (fs.existsSync(installedDir)) fs.renameSync(installedDir, outgoing);
  fs.renameSync(incoming, installedDir);
  fs.rmSync(outgoing, { recursive: true, force: true });
}

/**
 * The environment of a build step: ours without what `npm run` adds (npm_config_local_prefix and
 * friends would point npm at the course's root package), and with NODE_ENV unset.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== "NODE_ENV" && key !== "INIT_CWD") env[key] = value;
  return env;
}

/** Runs a build step; on failure, the error names the step and ends with its last lines of output. */
function run(command: string, args: string[], cwd: string, step: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: buildEnv() });
    const lines: string[] = [];
    const collect = (chunk: Buffer) => {
      lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.trim() !== ""));
      if (lines.length > 200) lines.splice(0, lines.length - 40);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (e) => reject(new LabSetupError(`${step} could not start (${command}): ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve();
      reject(
        new LabSetupError(
          [`Building the course's JupyterLab extension failed at ${step} (exit code ${code}). Its last lines:`, ...lines.slice(-40).map((l) => `  | ${l}`), `Fix the cause, then start again; the build resumes (folder ${cwd}).`].join("\n"),
        ),
      );
    });
  });
}

const command = defineCommand({
  name: "npm run labext",
  summary: "build the course's JupyterLab extension and install it into a venv (what `npm run hub` does on start)",
  usage: "[options]",
  options: {
    venv: { type: "string", value: "dir", help: "the venv to install into (default .venv, the one `npm run lab` makes)" },
    force: { type: "boolean", help: "rebuild even if the sources did not change" },
  },
});

if (require.main === module) {
  runCommand(command, async ({ values }) => {
    const venv = path.resolve(values.venv ?? path.join(EXTENSION_DIR, "..", "..", ".venv"));
    try {
      const result = await ensureLabExtension(venv, { force: values.force });
      console.log(`${PACKAGE_NAME}: ${result.built ? "built" : "build up to date"}, ${result.installed ? "installed" : "already installed"} in ${result.installedDir}`);
      return 0;
    } catch (e) {
      if (e instanceof LabSetupError) {
        console.error(e.message);
        return 1;
      }
      throw e;
    }
  });
}
