/**
 * nbconvert-ts speed, against its two targets:
 *
 * 1. Export: turning an executed lecture into a handout must be ≥ 10× faster than
 *    `jupyter nbconvert --to html` (nbconvert from PyPI, in a throwaway venv under build/) on
 *    the same executed notebook. Both are timed as whole processes, as a user runs them,
 *    side by side (alternating), and the in-process export is shown too.
 * 2. Execute: the executor's own overhead must be ≤ 10% on top of the cells' run time: the
 *    cells' run time is what the kernel reports (its iopub busy → idle, per cell); overhead
 *    is what the executor adds around that (sending, collecting outputs, waiting for idle).
 *    Kernel start-up (tslab's, not the executor's) is reported separately.
 *
 *   npm run bench                    # the runner (bench/run.ts) times the export cases below
 *   npm run bench:nbconvert          # this file alone: both targets, side by side, with verdicts
 *   npm run bench:nbconvert -- --runs 9 --no-execute
 *
 * The executed notebook is build/bench/smoke.executed.ipynb (lectures/smoke.ipynb, executed once).
 * Results: build/bench/nbconvert.json.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { executeFile, executeNotebook, exportNotebook, loadNotebook, makeNotebook, writeFileAtomic } from "nbconvert-ts";
import { defineCommand, positiveInt, REPO_ROOT, runCommandLine } from "@ts-course/cli";
import { venvMovedFrom } from "../tools/lab/venv";
import type { BenchSuite } from "./types";

// the command as users run it (the launcher, bin/nbconvert-ts)
const CLI = path.join(REPO_ROOT, "tools", "nbconvert-ts", "bin", "nbconvert-ts");
const VENV = path.join(REPO_ROOT, "build", "nbconvert-venv");
const JUPYTER = path.join(VENV, "bin", "jupyter");
// Its own copy: `npm run handouts` rewrites build/executed/, also with failed runs.
const EXECUTED = path.join(REPO_ROOT, "build", "bench", "smoke.executed.ipynb");
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "nbconvert-bench-"));

async function executedNotebook(): Promise<string> {
  if (!fs.existsSync(EXECUTED)) {
    console.error(`bench: executing lectures/smoke.ipynb once → ${path.relative(REPO_ROOT, EXECUTED)}`);
    const r = await executeFile(path.join(REPO_ROOT, "lectures", "smoke.ipynb"), EXECUTED);
    if (!r.ok) {
      fs.rmSync(EXECUTED);
      throw new Error(`lectures/smoke.ipynb failed: ${JSON.stringify(r.failures[0].error)}`);
    }
  }
  return EXECUTED;
}

function ensureJupyter(): boolean {
  // A venv copied or moved with its checkout would run the original's Python: make it again.
  const movedFrom = venvMovedFrom(VENV);
  if (fs.existsSync(JUPYTER) && movedFrom === null) return true;
  console.error(`bench: installing nbconvert from PyPI into ${path.relative(REPO_ROOT, VENV)}${movedFrom ? ` (it was made in ${movedFrom})` : " (once)"}…`);
  const venv = spawnSync("python3", ["-m", "venv", "--clear", VENV], { stdio: "inherit" });
  if (venv.status !== 0) return false;
  const pip = spawnSync(path.join(VENV, "bin", "pip"), ["install", "-q", "--disable-pip-version-check", "nbconvert"], { stdio: "inherit" });
  return pip.status === 0 && fs.existsSync(JUPYTER);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
}

const cliExport = (file: string) => run(CLI, ["export", file, "-o", path.join(OUT, "nbconvert-ts.html")]);
/** The same without the KaTeX cache (html/texCache.ts): a lecture exported for the first time. */
const cliExportCold = (file: string) =>
  run(CLI, ["export", file, "-o", path.join(OUT, "nbconvert-ts-cold.html")], { ...process.env, NBCONVERT_TS_NO_CACHE: "1" });
const jupyterExport = (file: string) => run(JUPYTER, ["nbconvert", "--to", "html", file, "--output-dir", OUT, "--output", "jupyter"]);

/** The same command run through tsx instead of the esbuild bundle (bin/nbconvert-ts.cjs). */
const NO_BUNDLE = { ...process.env, NBCONVERT_TS_NO_BUNDLE: "1" };

/** For `npm run bench` (bench/run.ts): the export cases, timed per call. */
export const suite: BenchSuite = {
  title: "nbconvert-ts: export an executed lecture (smoke.ipynb) to HTML",
  perBackend: false,
  cases: [
    {
      name: "nbconvert-ts export, in process",
      unit: "ms",
      setup: async () => {
        const nb = loadNotebook(await executedNotebook());
        return { run: () => writeFileAtomic(path.join(OUT, "in-process.html"), exportNotebook(nb).chunks) };
      },
    },
    {
      name: "nbconvert-ts export, whole CLI process",
      unit: "ms",
      setup: async () => {
        const file = await executedNotebook();
        cliExport(file); // builds the bundle and caches on first use
        return { run: () => cliExport(file) };
      },
    },
    {
      name: "nbconvert-ts export, whole CLI process through tsx (no bundle)",
      unit: "ms",
      setup: async () => {
        const file = await executedNotebook();
        return { run: () => run(CLI, ["export", file, "-o", path.join(OUT, "no-bundle.html")], NO_BUNDLE) };
      },
    },
    {
      name: "jupyter nbconvert --to html, same file",
      unit: "ms",
      skip: () => (fs.existsSync(JUPYTER) ? null : "no build/nbconvert-venv: run npm run bench:nbconvert once to install it"),
      setup: async () => {
        const file = await executedNotebook();
        return { run: () => jupyterExport(file) };
      },
    },
  ],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** CPU time (user + system, ms) of this process's finished children, from /proc (Linux); null elsewhere. */
function childrenCpuMs(): number | null {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    // after "pid (comm) ", cutime and cstime are fields 14 and 15 (0-based 13, 14), in clock ticks
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Wall-clock ms of `fn`, and the CPU ms its child processes used (less sensitive to machine load). */
function timeMs(fn: () => void): { wall: number; cpu: number | null } {
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  fn();
  const c1 = childrenCpuMs();
  return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: c0 == null || c1 == null ? null : c1 - c0 };
}

/** The executed lectures `npm run handouts` left in build/executed/ (the dated ones). */
function executedLectures(): string[] {
  const dir = path.join(REPO_ROOT, "build", "executed");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}-.*\.ipynb$/.test(f)).map((f) => path.join(dir, f));
}

async function benchExport(file: string, runs: number) {
  const haveJupyter = ensureJupyter();
  cliExport(file); // warm: bundle, code cache, cached validators
  if (haveJupyter) jupyterExport(file);
  const ours: number[] = [];
  const theirs: number[] = [];
  const oursCpu: number[] = [];
  const theirsCpu: number[] = [];
  const inProcess: number[] = [];
  const cold: number[] = [];
  const nb = loadNotebook(file);
  for (let i = 0; i < runs; i++) {
    // alternate, so that a change in machine load hits both alike
    const a = timeMs(() => cliExport(file));
    ours.push(a.wall);
    if (a.cpu != null) oursCpu.push(a.cpu);
    if (haveJupyter) {
      const b = timeMs(() => jupyterExport(file));
      theirs.push(b.wall);
      if (b.cpu != null) theirsCpu.push(b.cpu);
    }
    inProcess.push(timeMs(() => writeFileAtomic(path.join(OUT, "in-process.html"), exportNotebook(nb).chunks)).wall);
    cold.push(timeMs(() => cliExportCold(file)).wall);
  }
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  return {
    notebook: path.relative(REPO_ROOT, file),
    runs,
    nbconvertTsCliMs: median(ours),
    nbconvertTsInProcessMs: median(inProcess),
    nbconvertTsCliColdMs: median(cold),
    speedupCliCold: haveJupyter ? median(theirs) / median(cold) : null,
    jupyterMs: haveJupyter ? median(theirs) : null,
    speedupCli: haveJupyter ? median(theirs) / median(ours) : null,
    speedupInProcess: haveJupyter ? median(theirs) / median(inProcess) : null,
    nbconvertTsCliCpuMs: oursCpu.length ? median(oursCpu) : null,
    jupyterCpuMs: theirsCpu.length ? median(theirsCpu) : null,
    speedupCpu: oursCpu.length && theirsCpu.length ? median(theirsCpu) / median(oursCpu) : null,
    allCliMs: ours.map(Math.round),
    allJupyterMs: theirs.map(Math.round),
    htmlBytes: { nbconvertTs: size(path.join(OUT, "nbconvert-ts.html")), jupyter: size(path.join(OUT, "jupyter.html")) },
    jupyterVersion: haveJupyter ? spawnSync(JUPYTER, ["nbconvert", "--version"], { encoding: "utf8" }).stdout.trim() : null,
  };
}

/**
 * What the bundle buys (#22 weighed it): the command's start-up (`--help`: start, load, answer)
 * and a whole export, each with the bundle and through tsx, alternating, median of `runs`.
 */
function benchStartup(file: string, runs: number) {
  const help = (env: NodeJS.ProcessEnv) => () => run(CLI, ["--help"], env);
  const exp = (env: NodeJS.ProcessEnv) => () => run(CLI, ["export", file, "-o", path.join(OUT, "startup.html")], env);
  help(process.env)(); // the bundle exists before timing
  const cases: Record<string, () => void> = {
    helpBundle: help(process.env),
    helpTsx: help(NO_BUNDLE),
    exportBundle: exp(process.env),
    exportTsx: exp(NO_BUNDLE),
  };
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t = timeMs(fn);
      (wall[name] ??= []).push(t.wall);
      if (t.cpu != null) (cpu[name] ??= []).push(t.cpu);
    }
  }
  const out: Record<string, { wallMs: number; cpuMs: number | null }> = {};
  for (const name of Object.keys(cases)) out[name] = { wallMs: median(wall[name]), cpuMs: cpu[name] ? median(cpu[name]) : null };
  return out;
}

function reportStartup(s: ReturnType<typeof benchStartup>, runs: number): void {
  const row = (label: string, a: { wallMs: number; cpuMs: number | null }, b: { wallMs: number; cpuMs: number | null }) =>
    console.log(`  ${label.padEnd(22)} bundle ${a.wallMs.toFixed(0).padStart(5)} ms wall, ${String(a.cpuMs?.toFixed(0) ?? "?").padStart(4)} ms CPU   tsx ${b.wallMs.toFixed(0).padStart(5)} ms wall, ${String(b.cpuMs?.toFixed(0) ?? "?").padStart(4)} ms CPU   (+${(b.wallMs - a.wallMs).toFixed(0)} ms without the bundle)`);
  console.log(`start-up with the esbuild bundle and through tsx (median of ${runs}, alternating):`);
  row("nbconvert-ts --help", s.helpBundle, s.helpTsx);
  row("nbconvert-ts export", s.exportBundle, s.exportTsx);
  console.log("");
}

/** Ten cells of known CPU work each (busy loops), printing and displaying as lectures do. */
function timingNotebook(cells: number, msPerCell: number) {
  const code = (i: number) => `const t${i} = Date.now();
let x${i} = 0;
while (Date.now() - t${i} < ${msPerCell}) x${i}++;
console.log("cell ${i}: " + x${i} + " iterations");`;
  return makeNotebook([{ type: "markdown", source: "# Executor overhead" }, ...Array.from({ length: cells }, (_, i) => ({ type: "code" as const, source: code(i) }))]);
}

async function benchExecute(cells: number, msPerCell: number) {
  const nb = timingNotebook(cells, msPerCell) as unknown as Parameters<typeof executeNotebook>[0];
  const r = await executeNotebook(nb, { file: "timing.ipynb" });
  if (!r.ok) throw new Error(`timing notebook failed: ${JSON.stringify(r.failures)}`);
  const ran = r.cells.filter((c) => c.status === "ok");
  const kernel = ran.reduce((s, c) => s + c.kernelSeconds, 0);
  const wall = ran.reduce((s, c) => s + c.seconds, 0);
  const whole = r.seconds;
  return {
    cells: ran.length,
    msPerCellRequested: msPerCell,
    cellsKernelSeconds: kernel,
    cellsWallSeconds: wall,
    overheadPercent: (100 * (wall - kernel)) / kernel,
    overheadMsPerCell: (1000 * (wall - kernel)) / ran.length,
    kernelStartSeconds: r.kernelStartSeconds,
    wholeRunSeconds: whole,
    wholeRunOverheadPercent: (100 * (whole - kernel)) / kernel,
  };
}

function reportExport(exp: Awaited<ReturnType<typeof benchExport>>, runs: number): void {
  console.log(`export ${exp.notebook} (${(exp.htmlBytes.nbconvertTs / 1e6).toFixed(1)} MB handout, median of ${runs}, alternating):`);
  const cpu = (v: number | null) => (v == null ? "" : `   (CPU ${v.toFixed(0)} ms)`);
  console.log(`  nbconvert-ts CLI process   ${exp.nbconvertTsCliMs.toFixed(0).padStart(6)} ms wall${cpu(exp.nbconvertTsCliCpuMs)}`);
  console.log(`  nbconvert-ts CLI, no cache  ${exp.nbconvertTsCliColdMs.toFixed(0).padStart(5)} ms wall   (first export of this maths: KaTeX renders every formula)`);
  console.log(`  nbconvert-ts in process    ${exp.nbconvertTsInProcessMs.toFixed(0).padStart(6)} ms wall`);
  if (exp.jupyterMs != null) {
    console.log(`  jupyter nbconvert ${exp.jupyterVersion}   ${exp.jupyterMs.toFixed(0).padStart(6)} ms wall${cpu(exp.jupyterCpuMs)}`);
    const ok = exp.speedupCli! >= 10;
    const cpuRatio = exp.speedupCpu != null ? `, ${exp.speedupCpu.toFixed(1)}× in CPU time` : "";
    console.log(`  → ${exp.speedupCli!.toFixed(1)}× faster as a process, wall clock${cpuRatio} (${exp.speedupInProcess!.toFixed(0)}× in process, ${exp.speedupCliCold!.toFixed(1)}× with no cache): target ≥ 10× ${ok ? "MET" : "NOT MET"}\n`);
  } else console.log("  jupyter nbconvert not available (could not install it): no comparison\n");
}

const command = defineCommand({
  name: "npm run bench:nbconvert",
  summary: "nbconvert-ts against its targets: export ≥ 10× faster than jupyter nbconvert, executor overhead ≤ 10 %, start-up with and without the bundle",
  usage: "[-- options]",
  options: {
    runs: { type: "string", value: "n", help: "timed runs of each case (default 7; the median is reported)" },
    notebook: { type: "string", multiple: true, value: "file", help: "export these executed notebooks (default: build/bench/smoke.executed.ipynb and build/executed's lectures)" },
    "no-execute": { type: "boolean", help: "skip the executor's overhead measurement" },
  },
});

async function main(values: { runs?: string; notebook?: string[]; "no-execute"?: boolean }): Promise<number> {
  const runs = positiveInt(values.runs, "runs") ?? 7;
  const load = () => os.loadavg()[0].toFixed(1);
  const result: Record<string, unknown> = { date: new Date().toISOString(), cores: os.cpus().length, loadBefore: load() };
  console.log(`nbconvert-ts bench (load average ${load()} on ${os.cpus().length} cores)\n`);

  // smoke.ipynb always; each executed lecture too (run `npm run handouts` first to have them),
  // or only the files given with --notebook.
  const given = (values.notebook ?? []).map((f) => path.resolve(f));
  const files = given.length ? given : [await executedNotebook(), ...executedLectures()];
  const startup = benchStartup(files[0], runs);
  result.startup = startup;
  reportStartup(startup, runs);
  result.exports = [];
  for (const file of files) {
    const exp = await benchExport(file, runs);
    (result.exports as unknown[]).push(exp);
    reportExport(exp, runs);
  }

  if (!values["no-execute"]) {
    const ex = await benchExecute(10, 500);
    result.execute = ex;
    console.log(`\nexecute ${ex.cells} cells of ${ex.msPerCellRequested} ms CPU work each on the course kernel:`);
    console.log(`  cells' run time (kernel busy → idle)  ${ex.cellsKernelSeconds.toFixed(2)} s`);
    console.log(`  executor wall time around them        ${ex.cellsWallSeconds.toFixed(2)} s`);
    console.log(`  → overhead ${ex.overheadPercent.toFixed(1)}% (${ex.overheadMsPerCell.toFixed(0)} ms per cell): target ≤ 10% ${ex.overheadPercent <= 10 ? "MET" : "NOT MET"}`);
    console.log(`  (kernel start ${ex.kernelStartSeconds.toFixed(1)} s is tslab's; whole run incl. start and shutdown: ${ex.wholeRunSeconds.toFixed(1)} s, +${ex.wholeRunOverheadPercent.toFixed(0)}%)`);
  }
  result.loadAfter = load();
  const outFile = path.join(REPO_ROOT, "build", "bench", "nbconvert.json");
  writeFileAtomic(outFile, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nload average ${result.loadBefore} → ${result.loadAfter}; results in ${path.relative(REPO_ROOT, outFile)}`);
  fs.rmSync(OUT, { recursive: true, force: true });
  return 0;
}

if (require.main === module) {
  // the executor leaves zeromq's context behind for a moment: exit when done
  void runCommandLine(command, ({ values }) => main(values)).then((code) => process.exit(code));
}
