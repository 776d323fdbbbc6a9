/**
 * nbconvert-ts: the command line. It parses arguments (the course's one dialect,
 * @ts-course/cli) and wires the pipeline; nothing else.
 *
 *   nbconvert-ts execute  <nb.ipynb>… [-o out.ipynb] [--allow-errors] [--timeout s] …
 *   nbconvert-ts export   <executed.ipynb> [-o out.html] [--student] [--untrusted] …
 *   nbconvert-ts run      <nb.ipynb> [-o out.html] [--executed out.ipynb] …   (execute + export)
 *   nbconvert-ts validate <nb.ipynb>…
 *   nbconvert-ts handouts [--jobs 2] [--only name] …                          (the course's main job)
 *
 * Exit codes: 0 all good; 1 a cell failed (or a lecture did); 2 bad input or usage;
 * 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (every kernel is killed first).
 */
import * as fs from "fs";
import * as path from "path";
import { defineCommand, positiveNumber, REPO_ROOT, runCommandGroup, subcommand, UsageError } from "@ts-course/cli";
import { readNotebook, schemaErrors } from "@ts-course/notebook";
import { CellReport, ExecuteOptions } from "./execute/executor";
import { INSTRUCTOR_TAG } from "./filter";
import { runHandouts } from "./handouts";
import { killAllKernels } from "./kernel/launch";
import { checkOutput, sameFile } from "./outputPaths";
import { claimLines, codeCellCount, executeFile, exportFile, ExportOptions, metricLines, notebookName } from "./pipeline";
import { cellProgress, paint, seconds } from "./progress";

export { killAllKernels };

const EXECUTE_OPTIONS = {
  "allow-errors": { type: "boolean", help: "run every cell even after a failure (still exits 1 if any failed)" },
  timeout: { type: "string", value: "s", help: "per-cell limit in seconds (default 600; handouts 1800); a cell's metadata.timeout overrides it" },
  "interrupt-grace": { type: "string", value: "s", help: "after SIGINT, seconds before the kernel is killed and restarted (default 10)" },
  kernel: { type: "string", value: "name", help: 'run with this kernelspec instead of the notebook\'s ("tslab" runs on the course kernel)' },
  scale: { type: "string", value: "x", help: "set COURSE_TRAIN_SCALE=x for the kernel (shortened training)" },
  quiet: { type: "boolean", help: "no per-cell progress lines" },
} as const;

const EXPORT_OPTIONS = {
  student: { type: "boolean", help: `leave out cells tagged "${INSTRUCTOR_TAG}" and strip solution regions` },
  "drop-tag": { type: "string", multiple: true, value: "tag", help: "leave out cells with this tag" },
  "strip-solutions": { type: "boolean", help: "replace // BEGIN SOLUTION … // END SOLUTION regions by stubs" },
  untrusted: { type: "boolean", help: "the notebook is not yours (a student's): sanitise every piece of HTML it carries, run none of its scripts" },
  title: { type: "string", value: "text", help: "page title (default: the first heading)" },
  "no-prompts": { type: "boolean", help: "hide the [n] execution counts" },
} as const;

const EXIT_CODES = "exit codes: 0 all good, 1 a cell failed, 2 bad input or usage, 130/143 interrupted (kernels killed)";

type ExecuteValues = { [K in keyof typeof EXECUTE_OPTIONS]?: (typeof EXECUTE_OPTIONS)[K]["type"] extends "boolean" ? boolean : string };
type ExportValues = { student?: boolean; "drop-tag"?: string[]; "strip-solutions"?: boolean; untrusted?: boolean; title?: string; "no-prompts"?: boolean };

function executeOptions(v: ExecuteValues): ExecuteOptions {
  const scale = v.scale;
  if (scale !== undefined && !(Number(scale) > 0)) throw new UsageError(`--scale wants a positive number, not "${scale}"`);
  return {
    allowErrors: v["allow-errors"] === true,
    timeout: positiveNumber(v.timeout, "timeout"),
    interruptGrace: positiveNumber(v["interrupt-grace"], "interrupt-grace"),
    kernelName: v.kernel,
    env: scale ? { COURSE_TRAIN_SCALE: scale } : undefined,
  };
}

function exportOptions(v: ExportValues): ExportOptions {
  const dropTags = [...(v["drop-tag"] ?? []), ...(v.student ? [INSTRUCTOR_TAG] : [])];
  return { dropTags, stripSolutions: v.student === true || v["strip-solutions"] === true, title: v.title, prompts: v["no-prompts"] !== true, untrusted: v.untrusted === true };
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith("..") ? file : r;
}

function progressFor(file: string, quiet: boolean | undefined) {
  return quiet ? {} : cellProgress(notebookName(file), codeCellCount(readNotebook(file)));
}

function printRunSummary(file: string, r: { cells: CellReport[]; failures: CellReport[]; seconds: number; kernelStartSeconds: number; output: string; notebook: any }) {
  const ran = r.cells.filter((c) => c.status !== "not-run").length;
  const status = r.failures.length ? paint.red(`${r.failures.length} failed`) : paint.green("ok");
  console.log(`${rel(file)}: ${ran} cells in ${seconds(r.seconds)} (kernel start ${seconds(r.kernelStartSeconds)}), ${status} → ${rel(r.output)}`);
  for (const m of metricLines(r.notebook)) console.log(`  metric ${m.name} ${m.value}`);
  for (const c of claimLines(r.notebook)) console.log(`  claim ${c.name} holds: ${c.text}`);
  for (const f of r.failures) console.log(`  ${paint.red("✗")} cell ${f.index + 1}${f.id ? ` (id ${f.id})` : ""}: ${f.error?.ename}: ${f.error?.evalue.split("\n")[0]}`);
}

const defaultExecuted = (file: string) => path.join(REPO_ROOT, "build", "executed", `${notebookName(file)}.ipynb`);

const execute = defineCommand({
  name: "nbconvert-ts execute",
  summary: "run notebooks on their kernel and write the executed copies",
  usage: "<nb.ipynb>... [-o <out.ipynb>] [options]",
  options: { output: { type: "string", short: "o", value: "out.ipynb", help: "where the executed notebook goes (one notebook only; default build/executed/<name>.ipynb)" }, ...EXECUTE_OPTIONS },
  positionals: { min: 1 },
  epilog: EXIT_CODES,
});

const exportCommand = defineCommand({
  name: "nbconvert-ts export",
  summary: "render an (executed) notebook as one offline HTML page",
  usage: "<nb.ipynb> [-o <out.html>] [options]",
  options: { output: { type: "string", short: "o", value: "out.html", help: "the HTML file (default: next to the notebook, .html)" }, ...EXPORT_OPTIONS },
  positionals: { min: 1, max: 1 },
  epilog: EXIT_CODES,
});

const run = defineCommand({
  name: "nbconvert-ts run",
  summary: "execute a notebook, then export it",
  usage: "<nb.ipynb> [-o <out.html>] [--executed <out.ipynb>] [options]",
  options: {
    output: { type: "string", short: "o", value: "out.html", help: "the HTML file (default build/html/<name>.html)" },
    executed: { type: "string", value: "out.ipynb", help: "the executed notebook (default build/executed/<name>.ipynb)" },
    ...EXECUTE_OPTIONS,
    ...EXPORT_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  epilog: EXIT_CODES,
});

const validate = defineCommand({
  name: "nbconvert-ts validate",
  summary: "check notebooks against the nbformat 4.5 schema (exit 2 if any is invalid)",
  usage: "<nb.ipynb>...",
  options: {},
  positionals: { min: 1 },
});

const handouts = defineCommand({
  name: "nbconvert-ts handouts",
  summary: "the course's main job: execute every dated lecture, write handouts/ and its index",
  usage: "[options]",
  options: {
    jobs: { type: "string", short: "j", value: "n", help: "lectures run at once (default 2, at most one per core)" },
    only: { type: "string", multiple: true, value: "name", help: "only lectures whose name contains this" },
    "no-smoke": { type: "boolean", help: "leave out lectures/smoke.ipynb (the environment check)" },
    ...EXECUTE_OPTIONS,
  },
  epilog: EXIT_CODES,
});

async function cmdExecute({ values: v, positionals: files }: { values: { output?: string } & ExecuteValues; positionals: string[] }): Promise<number> {
  if (files.length > 1 && v.output) throw new UsageError("-o works with one notebook only");
  const options = executeOptions(v);
  let failed = false;
  for (const file of files) {
    const output = v.output ?? defaultExecuted(file);
    const r = await executeFile(file, output, { ...options, ...progressFor(file, v.quiet) });
    printRunSummary(file, r);
    failed ||= !r.ok;
  }
  return failed ? 1 : 0;
}

function cmdExport({ values: v, positionals: [file] }: { values: { output?: string } & ExportValues; positionals: string[] }): number {
  const output = v.output ?? file.replace(/\.ipynb$/i, "") + ".html";
  const t0 = process.hrtime.bigint();
  const r = exportFile(file, output, exportOptions(v));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const w of r.warnings) console.error(`  warning: ${w}`);
  console.log(`${rel(file)} → ${rel(output)} (${(fs.statSync(output).size / 1024).toFixed(0)} KB, ${r.plotCount} figures${r.usedMath ? ", maths" : ""}${r.sanitized ? ", sanitised" : ""}, ${ms.toFixed(0)} ms)`);
  return 0;
}

async function cmdRun({ values: v, positionals: [file] }: { values: { output?: string; executed?: string } & ExecuteValues & ExportValues; positionals: string[] }): Promise<number> {
  const executed = v.executed ?? defaultExecuted(file);
  const html = v.output ?? path.join(REPO_ROOT, "build", "html", `${notebookName(file)}.html`);
  // Both outputs are checked before the kernel starts; neither may be the input or each other.
  checkOutput(html, "html", [file]);
  if (sameFile(html, executed)) throw new UsageError("-o and --executed name the same file");
  const exportOpts = exportOptions(v);
  const r = await executeFile(file, executed, { ...executeOptions(v), ...progressFor(file, v.quiet) });
  printRunSummary(file, r);
  const page = exportFile(executed, html, exportOpts);
  for (const w of page.warnings) console.error(`  warning: ${w}`);
  console.log(`  → ${rel(html)}`);
  return r.ok ? 0 : 1;
}

function cmdValidate({ positionals: files }: { positionals: string[] }): number {
  let bad = 0;
  for (const file of files) {
    try {
      const problems = schemaErrors(readNotebook(file));
      if (problems.length) {
        bad++;
        console.log(`${file}: ${paint.red("invalid")}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      } else console.log(`${file}: ${paint.green("valid")} nbformat 4.5`);
    } catch (e) {
      bad++;
      console.log(`${(e as Error).message}`);
    }
  }
  return bad ? 2 : 0;
}

async function cmdHandouts({ values: v }: { values: { jobs?: string; only?: string[]; "no-smoke"?: boolean } & ExecuteValues }): Promise<number> {
  const jobs = positiveNumber(v.jobs, "jobs");
  if (jobs !== undefined && !Number.isInteger(jobs)) throw new UsageError(`--jobs wants a positive whole number, not "${v.jobs}"`);
  return runHandouts({ ...executeOptions(v), jobs, only: v.only, smoke: v["no-smoke"] !== true, quiet: v.quiet === true });
}

export const GROUP = {
  name: "nbconvert-ts",
  summary: "execute notebooks with the course kernel and export offline HTML",
  subcommands: {
    execute: subcommand(execute, cmdExecute),
    export: subcommand(exportCommand, cmdExport),
    run: subcommand(run, cmdRun),
    validate: subcommand(validate, cmdValidate),
    handouts: subcommand(handouts, cmdHandouts),
  },
  epilog: EXIT_CODES,
};

/** Runs the command line and resolves to the exit code (the caller exits: zeromq may hold the loop). */
export function main(argv: string[]): Promise<number> {
  return runCommandGroup(GROUP, argv);
}

/** Kernels never outlive the CLI: on a signal, kill them, then exit with 128 + signal number. */
export function installSignalHandlers(): void {
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of Object.keys(codes) as NodeJS.Signals[]) {
    process.on(sig, () => {
      killAllKernels();
      process.stderr.write(`\nnbconvert-ts: ${sig}: stopped, kernels killed\n`);
      process.exit(codes[sig]);
    });
  }
}

/** The program: signal handlers, the command line, every kernel killed, then exit. */
export function start(argv: string[] = process.argv.slice(2)): void {
  installSignalHandlers();
  main(argv).then(
    (code) => {
      killAllKernels();
      // zeromq's context can keep the loop alive a moment after sockets close: do not wait.
      process.exit(code);
    },
    (e) => {
      console.error(e);
      killAllKernels();
      process.exit(1);
    },
  );
}

if (require.main === module) start();
