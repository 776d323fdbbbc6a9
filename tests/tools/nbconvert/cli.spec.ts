/**
 * The CLI as a user runs it: exit codes and messages, no kernel left behind when the CLI is
 * killed (even by SIGKILL), and the handouts job on a folder of tiny lectures.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listLectures, runHandouts } from "nbconvert-ts";
import { CLI, fixture, FIXTURES, kernelsOf, ROOT, tempDir, waitUntil } from "./helpers";
import { makeNotebook, readNotebook, schemaErrors, writeNotebook } from "@ts-course/notebook";

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(CLI, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000, env });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function processesWhoseCommandLineHas(...parts: string[]): number[] {
  return fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p) && alive(Number(p))).filter((p) => {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      return parts.every((part) => cmd.includes(part));
    } catch {
      return false;
    }
  }).map(Number);
}

/** Starts the CLI on a notebook that sleeps, waits until its kernel runs, then sends `signal`. */
async function killDuringRun(signal: NodeJS.Signals) {
  const out = tempDir("kill");
  const child = spawn(CLI, ["execute", fixture("sleep.ipynb"), "-o", path.join(out, "sleep.ipynb")], { cwd: ROOT, stdio: "ignore" });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, sig) => r({ code, signal: sig })));
  let kernels: number[] = [];
  assert.ok(await waitUntil(() => (kernels = kernelsOf(child.pid!)).length > 0, 120_000, 200), "the kernel started");
  child.kill(signal); // while the kernel is still starting: its own event loop is busy
  const guards = () => processesWhoseCommandLineHas(`process.kill(-Number(process.argv[1])`, String(kernels[0]));
  const exit = await exited;
  // The guard is a fresh Node process: on a loaded 2-core machine it may take seconds to start
  // and read the EOF that our death left in its pipe.
  const gone = await waitUntil(() => kernels.every((k) => !alive(k)), 30_000, 100);
  for (const k of kernels) if (alive(k)) process.kill(k, "SIGKILL"); // do not leak one if the check fails
  assert.ok(gone, `kernel ${kernels} outlived the CLI (${signal})`);
  assert.ok(await waitUntil(() => guards().length === 0, 15_000), "its guard process is gone too");
  const connectionFiles = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`nbconvert-ts-${child.pid}-`) && f.endsWith(".json"));
  assert.deepEqual(connectionFiles(), [], "the kernel's connection file (with its key) is removed");
  assert.ok(!fs.existsSync(path.join(out, "sleep.ipynb")), "no half-run notebook was written");
  return exit;
}

describe("nbconvert-ts CLI", function () {
  this.timeout(300_000);

  it("exits 2 with a message naming the file for malformed notebooks and foreign kernels", () => {
    const cases: [string, RegExp][] = [
      ["empty.ipynb", /empty\.ipynb: the file is empty/],
      ["bad-json.ipynb", /bad-json\.ipynb: not valid JSON/],
      ["nbformat3.ipynb", /nbformat3\.ipynb: nbformat 3 is not supported/],
      ["python-kernel.ipynb", /python-kernel\.ipynb: kernel "python3" is not available here/],
      ["no-kernelspec.ipynb", /no-kernelspec\.ipynb: metadata\.kernelspec is missing/],
      ["schema-invalid.ipynb", /schema-invalid\.ipynb: the notebook does not validate against the nbformat 4\.5 schema/],
    ];
    for (const [name, pattern] of cases) {
      const r = cli(["execute", fixture(name), "-o", path.join(tempDir("bad"), "out.ipynb")]);
      assert.equal(r.status, 2, `${name}: exit code (stderr: ${r.stderr})`);
      assert.match(r.stderr, pattern);
    }
    const usage = cli(["execute"]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^nbconvert-ts execute: expected an argument: .* \(see --help\)\n$/);
  });

  it("speaks the course's one dialect: --help on the group and on each command, one message per mistake, exit 2", () => {
    const help = cli(["--help"]);
    assert.equal(help.status, 0);
    for (const c of ["execute", "export", "run", "validate", "handouts"]) assert.match(help.stdout, new RegExp(`^  ${c} `, "m"));
    const exportHelp = cli(["export", "--help"]);
    assert.equal(exportHelp.status, 0);
    assert.match(exportHelp.stdout, /usage: nbconvert-ts export <nb\.ipynb>/);
    assert.match(exportHelp.stdout, /--untrusted/);
    const mistakes: [string[], string][] = [
      [[], "nbconvert-ts: which command? (see --help)"],
      [["exprot", "x.ipynb"], 'nbconvert-ts: unknown command "exprot" (see --help)'],
      [["--bogus"], "nbconvert-ts: unknown option --bogus (see --help)"],
      [["export", "x.ipynb", "--outt", "y"], "nbconvert-ts export: unknown option --outt (see --help)"],
      [["execute", "x.ipynb", "--timeout"], "nbconvert-ts execute: option --timeout needs a value (see --help)"],
      [["execute", "x.ipynb", "--timeout", "soon"], 'nbconvert-ts execute: --timeout wants a positive number, not "soon"'],
      [["handouts", "--jobs", "1.5"], 'nbconvert-ts handouts: --jobs wants a positive whole number, not "1.5"'],
    ];
    for (const [args, message] of mistakes) {
      const r = cli(args);
      assert.equal(r.status, 2, args.join(" "));
      assert.equal(r.stderr, `${message}\n`, args.join(" "));
    }
    const lab = spawnSync("npx", ["tsx", path.join(ROOT, "tools", "lab", "lab.ts"), "--prot", "1"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(lab.status, 2);
    assert.equal(lab.stderr, "npm run lab: unknown option --prot (see --help)\n");
  });

  it("leaves no kernel behind when it is killed with SIGTERM (exit 143)", async () => {
    const exit = await killDuringRun("SIGTERM");
    assert.equal(exit.code, 143);
  });

  it("leaves no kernel behind even when it is killed with SIGKILL (the guard process)", async () => {
    const exit = await killDuringRun("SIGKILL");
    assert.equal(exit.signal, "SIGKILL");
  });

  it("starts Node without NODE_EXTRA_CA_CERTS (slow to parse at start-up) and gives it back to its kernels", () => {
    const dir = tempDir("certs");
    const nb = path.join(dir, "env.ipynb");
    const code = 'console.log("kernel:", process.env.NODE_EXTRA_CA_CERTS);';
    writeNotebook(nb, makeNotebook([{ type: "code", source: code }]));
    const certs = path.join(dir, "extra.pem");
    fs.writeFileSync(certs, "");
    const r = cli(["execute", nb, "-o", path.join(dir, "out.ipynb")], { ...process.env, NODE_EXTRA_CA_CERTS: certs });
    assert.equal(r.status, 0, r.stderr);
    const text = JSON.stringify(readNotebook(path.join(dir, "out.ipynb")).cells[0].outputs);
    assert.ok(text.includes(`kernel: ${certs}`), `the kernel saw NODE_EXTRA_CA_CERTS: ${text}`);
  });

  it("stops at the first failing cell with exit 1 (later cells untouched); --allow-errors runs on and still exits 1", () => {
    const dir = tempDir("cli");
    const stop = cli(["execute", fixture("errors.ipynb"), "-o", path.join(dir, "stop.ipynb"), "--quiet"]);
    assert.equal(stop.status, 1, stop.stderr);
    assert.match(stop.stdout, /2 cells in .*1 failed/);
    const all = cli(["run", fixture("errors.ipynb"), "--executed", path.join(dir, "all.ipynb"), "-o", path.join(dir, "all.html"), "--allow-errors"]);
    assert.equal(all.status, 1, all.stderr);
    assert.match(all.stdout, /5 cells in .*2 failed/);
    // progress and errors name a cell the same way (its place in the notebook), progress adds how far the run is
    assert.match(all.stderr, /✓ errors cell 4 \(3\/5\)/);
    assert.match(all.stderr, /✗ errors cell 3 \(2\/5\) .* Error: boom/);
    assert.match(all.stdout, /✗ cell 3 \(id [^)]+\): Error: boom/);
    for (const f of ["stop.ipynb", "all.ipynb"]) assert.deepEqual(schemaErrors(readNotebook(path.join(dir, f))), [], f);
    // Stopped: the failed cell has its error, later cells keep no outputs and no count.
    const stopped = readNotebook(path.join(dir, "stop.ipynb")).cells.filter((c) => c.cell_type === "code");
    assert.deepEqual(stopped.map((c) => c.execution_count), [1, 2, null, null, null]);
    assert.deepEqual(stopped[1].outputs!.map((o) => [o.output_type, o.ename, o.evalue]), [["error", "Error", "boom"]]);
    assert.deepEqual(stopped.slice(2).map((c) => c.outputs), [[], [], []]);
    assert.match(fs.readFileSync(path.join(dir, "all.html"), "utf8"), /<span class="ename">TypeScriptError<\/span>/);
  });

  it("handouts: runs the dated lectures two at a time, writes executed notebooks, handouts and an index by date", async () => {
    const lectures = path.join(FIXTURES, "lectures");
    assert.deepEqual(listLectures(lectures, false).map((l) => [l.name, l.date, l.title]), [
      ["2024-01-08-zeroth", "2024-01-08", "Zeroth lecture"],
      ["2024-01-15-first", "2024-01-15", "First lecture"],
    ]);
    const out = tempDir("handouts");
    const lines: string[] = [];
    const code = await runHandouts({
      lecturesDir: lectures,
      executedDir: path.join(out, "executed"),
      handoutsDir: path.join(out, "handouts"),
      smoke: false,
      log: (l) => lines.push(l),
    });
    const log = lines.join("\n");
    assert.equal(code, 0, log);
    assert.match(log, /2 notebooks, 2 at a time/);
    assert.match(log, /summary: 2 notebooks, 2 cells, 0 cell errors, 0 failed, 1 claim holds/);
    assert.match(log, /claim zeroth_is_first holds: the zeroth lecture comes before the first/);
    assert.match(log, /metric zeroth_lecture_value 1\.5/);
    assert.match(log, /metric first_lecture_value 1\.5/);
    assert.deepEqual(fs.readdirSync(path.join(out, "handouts")).sort(), ["2024-01-08-zeroth.html", "2024-01-15-first.html", "index.html"]);
    for (const f of fs.readdirSync(path.join(out, "executed"))) assert.deepEqual(schemaErrors(readNotebook(path.join(out, "executed", f))), [], f);
    const index = fs.readFileSync(path.join(out, "handouts", "index.html"), "utf8");
    const zeroth = index.indexOf("8 January 2024");
    const first = index.indexOf("15 January 2024");
    assert.ok(zeroth > 0 && first > zeroth, "listed by date, with dates");
    assert.match(index, /<a class="title" href="2024-01-15-first.html">First lecture<\/a>/);
    assert.ok(!index.includes("notes"), "undated notebooks are not lectures");
  });

  it("handouts: runs a lecture again, once, when its kernel died (a crash, not a failed cell)", async () => {
    const out = tempDir("crash");
    const lectures = path.join(out, "lectures");
    fs.mkdirSync(lectures);
    const marker = path.join(out, "crashed-once");
    // The first run's kernel exits in cell 2 (leaving a marker); the second run finds the marker and goes on.
    const crashOnce = `const fs = require("fs");\nif (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, "x"); process.exit(3); }\nconsole.log("metric survived 1");`;
    writeNotebook(path.join(lectures, "2024-02-01-crash.ipynb"), makeNotebook([{ type: "markdown", source: "# Crash once" }, { type: "code", source: 'console.log("start");' }, { type: "code", source: crashOnce }]));
    const lines: string[] = [];
    const code = await runHandouts({ lecturesDir: lectures, executedDir: path.join(out, "executed"), handoutsDir: path.join(out, "handouts"), smoke: false, log: (l) => lines.push(l) });
    const log = lines.join("\n");
    assert.equal(code, 0, log);
    assert.match(log, /2024-02-01-crash: the kernel died in cell 3 .*ran the lecture again/);
    assert.match(log, /metric survived 1/);
    assert.match(log, /run twice: the kernel died in cell 3/);
    assert.ok(fs.existsSync(marker));
  });
});
