/**
 * The project-local Python environment that JupyterLab runs from (`.venv/`, gitignored).
 *
 * Created on first use from `requirements-lab.txt` (JupyterLab and the plotly renderer, pinned,
 * from PyPI). A stamp file records the hash of the requirements it was built from, so later runs
 * see an up-to-date environment and start at once; changing the requirements rebuilds it.
 * Nothing is installed outside the repository: no global Jupyter, no user site-packages.
 *
 * A venv names its own folder by absolute path (every script in bin/ starts with
 * `#!<venv>/bin/python`), so a venv copied or moved with its checkout would run the original's
 * Python, or nothing once the original is gone. Such a venv is seen as out of date and made
 * again in place (`python -m venv --clear`, then pip: a minute or two, from PyPI).
 */
import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "@ts-course/cli";

/** JupyterLab 4.6 needs Python 3.10 or newer. */
export const MIN_PYTHON: [number, number] = [3, 10];

export interface LabVenv {
  /** The venv folder. */
  dir: string;
  python: string;
  /** The `jupyter` launcher inside the venv. */
  jupyter: string;
  /** True when this call created or updated the environment. */
  built: boolean;
}

export interface EnsureVenvOptions {
  root: string;
  /** Defaults to `<root>/requirements-lab.txt`. */
  requirements?: string;
  /** Defaults to `<root>/.venv`. */
  dir?: string;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Let pip's own output through to the terminal (default true). */
  showPipOutput?: boolean;
}

/** An error whose message tells the user how to fix it; the CLI prints only the message. */
export class LabSetupError extends Error {}

interface Stamp {
  requirementsSha256: string;
  python: string;
  builtAt: string;
}

const STAMP = ".course-lab-stamp.json";

export function venvPaths(dir: string): { python: string; jupyter: string; stamp: string } {
  const bin = process.platform === "win32" ? path.join(dir, "Scripts") : path.join(dir, "bin");
  const exe = process.platform === "win32" ? ".exe" : "";
  return { python: path.join(bin, `python${exe}`), jupyter: path.join(bin, `jupyter${exe}`), stamp: path.join(dir, STAMP) };
}

export function requirementsHash(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Finds a Python able to create venvs: $COURSE_PYTHON, else `python3`, else `python`.
 * Throws a LabSetupError naming the fix when none fits.
 */
export function findPython(): { command: string; version: string } {
  const candidates = process.env.COURSE_PYTHON ? [process.env.COURSE_PYTHON] : ["python3", "python"];
  const problems: string[] = [];
  for (const command of candidates) {
    const probe = spawnSync(
      command,
      ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); import venv, ensurepip"],
      { encoding: "utf8" },
    );
    if (probe.error) {
      problems.push(`${command}: not found`);
      continue;
    }
    const version = probe.stdout.trim().split("\n")[0] ?? "";
    const [major, minor] = version.split(".").map(Number);
    if (!(major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]))) {
      problems.push(`${command}: Python ${version || "?"} is too old (JupyterLab needs ${MIN_PYTHON.join(".")}+)`);
      continue;
    }
    if (probe.status !== 0) {
      // Debian and Ubuntu ship `venv` without `ensurepip` unless python3-venv is installed.
      problems.push(`${command}: Python ${version} cannot create virtual environments (the venv/ensurepip module is missing)`);
      continue;
    }
    return { command, version };
  }
  throw new LabSetupError(
    [
      `npm run lab needs Python ${MIN_PYTHON.join(".")} or newer with the venv module, to install JupyterLab into .venv/.`,
      ...problems.map((p) => `  - ${p}`),
      "Fix: install Python, then run `npm run lab` again:",
      "  Debian/Ubuntu: sudo apt-get install python3 python3-venv",
      "  macOS:         brew install python",
      "  Or point COURSE_PYTHON at a suitable interpreter: COURSE_PYTHON=/path/to/python3 npm run lab",
    ].join("\n"),
  );
}

/** The interpreter a venv script starts: its `#!` line, or the `exec` line pip writes for long paths. */
export function scriptInterpreter(script: string): string | null {
  let head: string;
  try {
    const fd = fs.openSync(script, "r");
    const buffer = Buffer.alloc(1024);
    head = buffer.subarray(0, fs.readSync(fd, buffer)).toString("utf8");
    fs.closeSync(fd);
  } catch {
    return null;
  }
  const [first = "", second = ""] = head.split("\n");
  if (!first.startsWith("#!")) return null;
  const shebang = first.slice(2).trim();
  // pip's form for paths too long for a #! line: #!/bin/sh, then '''exec' "<python>" "$0" "$@"
  if (/^\/bin\/sh\b/.test(shebang)) return /^'''exec' "([^"]+)"/.exec(second)?.[1] ?? null;
  return shebang.split(/\s+/)[0] || null;
}

/**
 * Where a venv was made, when that is not where it is now (it was copied or moved with its
 * checkout), else null. Read from the interpreter its `jupyter` (or `pip`) script names.
 */
export function venvMovedFrom(dir: string): string | null {
  const { jupyter } = venvPaths(dir);
  const script = fs.existsSync(jupyter) ? jupyter : path.join(path.dirname(jupyter), "pip");
  const interpreter = scriptInterpreter(script);
  if (!interpreter) return null;
  const madeIn = path.dirname(path.dirname(interpreter));
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return null; // no venv here at all: nothing was moved
  }
  if (madeIn === path.resolve(dir) || madeIn === real) return null;
  try {
    if (fs.realpathSync(madeIn) === real) return null; // the same folder through a link
  } catch {
    // the original is gone: moved
  }
  return madeIn;
}

/** True when `dir` holds a working venv built from exactly these requirements, in this place. */
export function venvIsUpToDate(dir: string, requirements: string): boolean {
  const { python, jupyter, stamp } = venvPaths(dir);
  if (!fs.existsSync(stamp) || !fs.existsSync(jupyter)) return false;
  if (venvMovedFrom(dir) !== null) return false;
  let recorded: Stamp;
  try {
    recorded = JSON.parse(fs.readFileSync(stamp, "utf8")) as Stamp;
  } catch {
    return false;
  }
  if (recorded.requirementsSha256 !== requirementsHash(requirements)) return false;
  // The interpreter the venv links to may have gone (a removed pyenv version, an OS upgrade).
  // Only start it: importing jupyterlab would cost seconds on every `npm run lab`.
  return spawnSync(python, ["-c", "pass"], { stdio: "ignore" }).status === 0;
}

/** Makes sure `.venv` exists and matches the requirements; builds or updates it if not. */
export async function ensureLabVenv(options: EnsureVenvOptions): Promise<LabVenv> {
  const root = options.root;
  const requirements = options.requirements ?? path.join(root, "requirements-lab.txt");
  const dir = options.dir ?? path.join(root, ".venv");
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (!fs.existsSync(requirements)) {
    throw new LabSetupError(`${requirements} is missing: it lists the pinned JupyterLab packages. Restore it from git (git checkout -- requirements-lab.txt).`);
  }
  const paths = venvPaths(dir);
  if (venvIsUpToDate(dir, requirements)) return { dir, python: paths.python, jupyter: paths.jupyter, built: false };

  // The lock lives outside the repository so that a killed build leaves nothing in `git status`.
  const lock = path.join(os.tmpdir(), `course-lab-venv-${crypto.createHash("sha256").update(path.resolve(dir)).digest("hex").slice(0, 16)}.lock`);
  return withLock(lock, log, async () => {
    // Another process may have finished building while we waited for the lock.
    if (venvIsUpToDate(dir, requirements)) return { dir, python: paths.python, jupyter: paths.jupyter, built: false };
    const python = findPython();
    const movedFrom = venvMovedFrom(dir);
    const usable = movedFrom === null && fs.existsSync(paths.python) && spawnSync(paths.python, ["-c", "import pip"], { stdio: "ignore" }).status === 0;
    if (!usable) {
      log(
        movedFrom === null
          ? `Creating the JupyterLab environment in ${path.relative(root, dir) || dir}/ with ${python.command} (Python ${python.version}); this happens once.`
          : `The JupyterLab environment in ${path.relative(root, dir) || dir}/ was made in ${movedFrom} (this checkout was copied or moved): making it again here with ${python.command}.`,
      );
      // --clear: start over from a half-built or broken venv.
      const created = spawnSync(python.command, ["-m", "venv", "--clear", dir], { encoding: "utf8" });
      if (created.status !== 0) {
        throw new LabSetupError(
          `Could not create the virtual environment ${dir}:\n${(created.stderr || created.stdout || String(created.error)).trim()}\n` +
            "Fix: on Debian/Ubuntu install the venv module (sudo apt-get install python3-venv), then run `npm run lab` again.",
        );
      }
    } else {
      log(`Updating the JupyterLab environment in ${path.relative(root, dir) || dir}/: ${path.basename(requirements)} changed.`);
    }
    fs.rmSync(paths.stamp, { force: true });
    log(`Installing the pinned packages of ${path.basename(requirements)} from PyPI (about 100 MB, a minute or two)...`);
    const pip = await run(
      paths.python,
      ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "-r", requirements],
      options.showPipOutput ?? true,
    );
    if (pip.code !== 0) {
      throw new LabSetupError(
        [
          `pip could not install ${path.basename(requirements)} into ${dir} (exit code ${pip.code}). Its last lines:`,
          ...pip.tail.map((l) => `  | ${l}`),
          "Fix: check that PyPI is reachable (set HTTPS_PROXY or PIP_INDEX_URL if you are behind a proxy or mirror),",
          `then run \`npm run lab\` again; it resumes where it stopped. To start from scratch: rm -rf ${path.relative(root, dir) || dir}`,
        ].join("\n"),
      );
    }
    const stamp: Stamp = { requirementsSha256: requirementsHash(requirements), python: python.version, builtAt: new Date().toISOString() };
    writeFileAtomic(paths.stamp, JSON.stringify(stamp, null, 2) + "\n");
    if (spawnSync(paths.python, ["-c", "import jupyterlab"], { stdio: "ignore" }).status !== 0 || !fs.existsSync(paths.jupyter)) {
      fs.rmSync(paths.stamp, { force: true });
      throw new LabSetupError(`The environment in ${dir} was installed but \`import jupyterlab\` fails. Remove it (rm -rf ${dir}) and run \`npm run lab\` again.`);
    }
    return { dir, python: paths.python, jupyter: paths.jupyter, built: true };
  });
}

/** Runs a command, echoing its output if asked, and keeps its last 30 lines for error messages. */
function run(command: string, args: string[], echo: boolean): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    const collect = (chunk: Buffer, stream: NodeJS.WriteStream) => {
      if (echo) stream.write(chunk);
      lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.trim() !== ""));
      if (lines.length > 200) lines.splice(0, lines.length - 30);
    };
    child.stdout.on("data", (c: Buffer) => collect(c, process.stderr));
    child.stderr.on("data", (c: Buffer) => collect(c, process.stderr));
    child.on("error", (e) => resolve({ code: -1, tail: [String(e)] }));
    child.on("close", (code) => resolve({ code: code ?? -1, tail: lines.slice(-30) }));
  });
}

/**
 * A lock file holding the owner's pid, so that `npm run lab` and the browser test started
 * together do not both build the venv. A lock left by a dead process is taken over.
 */
export async function withLock<T>(file: string, log: (line: string) => void, body: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(fs.readFileSync(file, "utf8"));
      if (!isAlive(owner)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!announced) log(`Waiting for process ${owner}, which is building the JupyterLab environment...`);
      announced = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
