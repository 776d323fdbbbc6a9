/**
 * nbconvert-ts: the command line. It parses arguments and wires the pipeline; nothing else.
 *
 *   nbconvert-ts execute  <nb.ipynb>… [-o out.ipynb] [--allow-errors] [--timeout s] …
 *   nbconvert-ts export   <executed.ipynb> [-o out.html] [--student] …
 *   nbconvert-ts run      <nb.ipynb> [-o out.html] [--executed out.ipynb] …   (execute + export)
 *   nbconvert-ts validate <nb.ipynb>…
 *   nbconvert-ts handouts [--jobs 2] [--only name] …                          (the course's main job)
 *
 * Exit codes: 0 all good; 1 a cell failed (or a lecture did); 2 bad input or usage;
 * 130/143 interrupted by SIGINT/SIGTERM (every kernel is killed first).
 */
import * as fs from "fs";
import * as path from "path";
import { CellReport, ExecuteOptions } from "./execute/executor";
import { killAllKernels } from "./kernel/launch";
export { killAllKernels };
import { runHandouts } from "./handouts";
import { NotebookError, readNotebook } from "./notebook/read";
import { INSTRUCTOR_TAG } from "./notebook/filter";
import { joinText } from "./notebook/types";
import { schemaErrors } from "./notebook/validate";
import { ROOT_DIR } from "./paths";
import { executeFile, exportFile, loadNotebook, metricLines, notebookName } from "./pipeline";
import { cellProgress, paint, seconds } from "./progress";

const USAGE = `nbconvert-ts: execute notebooks with the course kernel and export offline HTML

usage:
  nbconvert-ts execute <nb.ipynb>... [-o <out.ipynb>] [options]   default out: build/executed/<name>.ipynb
  nbconvert-ts export <nb.ipynb> [-o <out.html>] [export options]  default out: next to the input
  nbconvert-ts run <nb.ipynb> [-o <out.html>] [--executed <out.ipynb>] [options]
  nbconvert-ts validate <nb.ipynb>...
  nbconvert-ts handouts [--jobs <n>] [--only <name>] [--no-smoke] [options]

execute options:
  --allow-errors          run every cell even after a failure (still exits 1 if any failed)
  --timeout <s>           per-cell limit in seconds (default 600; handouts 1800); a cell's
                          metadata.timeout overrides it
  --interrupt-grace <s>   after SIGINT, seconds before the kernel is killed and restarted (default 10)
  --kernel <name>         run with this kernelspec instead of the notebook's
  --scale <x>             set COURSE_TRAIN_SCALE=x for the kernel (shortened training)
  --quiet                 no per-cell progress lines

export options:
  --student               leave out cells tagged "${INSTRUCTOR_TAG}" and strip solution regions
  --drop-tag <tag>        leave out cells with this tag (repeatable)
  --strip-solutions       replace // BEGIN SOLUTION … // END SOLUTION regions by stubs
  --title <text>          page title (default: the first heading)
  --no-prompts            hide the [n] execution counts
`;

interface Args {
  command: string;
  files: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN = new Set(["allow-errors", "student", "strip-solutions", "no-prompts", "quiet", "help", "no-smoke", "keep-going"]);
const SHORT: Record<string, string> = { o: "output", h: "help", j: "jobs" };

export function parseArgs(argv: string[]): Args {
  const [command = "help", ...rest] = argv;
  const files: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--") {
      files.push(...rest.slice(i + 1));
      break;
    }
    const long = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const short = /^-([a-z])$/.exec(a);
    if (!long && !short) {
      files.push(a);
      continue;
    }
    const name = long ? long[1] : SHORT[short![1]];
    if (!name) throw new UsageError(`unknown option ${a}`);
    let value = long?.[2];
    if (value === undefined && !BOOLEAN.has(name)) {
      value = rest[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value ?? "true"]);
  }
  return { command, files, flags };
}

class UsageError extends Error {}

const flag = (a: Args, name: string) => a.flags.get(name)?.slice(-1)[0];
const has = (a: Args, name: string) => a.flags.has(name);

function number(a: Args, name: string): number | undefined {
  const v = flag(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, not "${v}"`);
  return n;
}

function executeOptions(a: Args): ExecuteOptions {
  const scale = flag(a, "scale");
  return {
    allowErrors: has(a, "allow-errors"),
    timeout: number(a, "timeout"),
    interruptGrace: number(a, "interrupt-grace"),
    kernelName: flag(a, "kernel"),
    env: scale ? { COURSE_TRAIN_SCALE: scale } : undefined,
  };
}

function exportOptions(a: Args) {
  const student = has(a, "student");
  const dropTags = [...(a.flags.get("drop-tag") ?? []), ...(student ? [INSTRUCTOR_TAG] : [])];
  return { dropTags, stripSolutions: student || has(a, "strip-solutions"), title: flag(a, "title"), prompts: !has(a, "no-prompts") };
}

function codeCellCount(file: string): number {
  return readNotebook(file).cells.filter((c) => c.cell_type === "code" && joinText(c.source).trim() !== "").length;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith("..") ? file : r;
}

function printRunSummary(file: string, r: { cells: CellReport[]; failures: CellReport[]; seconds: number; kernelStartSeconds: number; output: string; notebook: any }) {
  const ran = r.cells.filter((c) => c.status !== "not-run").length;
  const status = r.failures.length ? paint.red(`${r.failures.length} failed`) : paint.green("ok");
  console.log(`${rel(file)}: ${ran} cells in ${seconds(r.seconds)} (kernel start ${seconds(r.kernelStartSeconds)}), ${status} → ${rel(r.output)}`);
  for (const m of metricLines(r.notebook)) console.log(`  metric ${m.name} ${m.value}`);
  for (const f of r.failures) console.log(`  ${paint.red("✗")} cell ${f.index + 1}${f.id ? ` (id ${f.id})` : ""}: ${f.error?.ename}: ${f.error?.evalue}`);
}

async function cmdExecute(a: Args): Promise<number> {
  if (a.files.length === 0) throw new UsageError("execute: which notebook?");
  if (a.files.length > 1 && has(a, "output")) throw new UsageError("execute: -o works with one notebook only");
  let failed = false;
  for (const file of a.files) {
    const output = flag(a, "output") ?? path.join(ROOT_DIR, "build", "executed", `${notebookName(file)}.ipynb`);
    const progress = has(a, "quiet") ? {} : cellProgress(notebookName(file), codeCellCount(file));
    const r = await executeFile(file, output, { ...executeOptions(a), ...progress });
    printRunSummary(file, r);
    failed ||= !r.ok;
  }
  return failed ? 1 : 0;
}

function cmdExport(a: Args): number {
  if (a.files.length !== 1) throw new UsageError("export: give one notebook");
  const file = a.files[0];
  const output = flag(a, "output") ?? file.replace(/\.ipynb$/i, "") + ".html";
  const t0 = process.hrtime.bigint();
  const r = exportFile(file, output, exportOptions(a));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const w of r.warnings) console.error(`  warning: ${w}`);
  console.log(`${rel(file)} → ${rel(output)} (${(fs.statSync(output).size / 1024).toFixed(0)} KB, ${r.plotCount} figures${r.usedMath ? ", maths" : ""}, ${ms.toFixed(0)} ms)`);
  return 0;
}

async function cmdRun(a: Args): Promise<number> {
  if (a.files.length !== 1) throw new UsageError("run: give one notebook");
  const file = a.files[0];
  const executed = flag(a, "executed") ?? path.join(ROOT_DIR, "build", "executed", `${notebookName(file)}.ipynb`);
  const html = flag(a, "output") ?? path.join(ROOT_DIR, "build", "html", `${notebookName(file)}.html`);
  const progress = has(a, "quiet") ? {} : cellProgress(notebookName(file), codeCellCount(file));
  const r = await executeFile(file, executed, { ...executeOptions(a), ...progress });
  printRunSummary(file, r);
  exportFile(executed, html, exportOptions(a));
  console.log(`  → ${rel(html)}`);
  return r.ok ? 0 : 1;
}

function cmdValidate(a: Args): number {
  if (a.files.length === 0) throw new UsageError("validate: which notebook?");
  let bad = 0;
  for (const file of a.files) {
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

export async function main(argv: string[]): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (e) {
    console.error(`nbconvert-ts: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (a.command === "help" || a.command === "--help" || a.command === "-h" || has(a, "help")) {
    console.log(USAGE);
    return 0;
  }
  try {
    switch (a.command) {
      case "execute":
        return await cmdExecute(a);
      case "export":
        return cmdExport(a);
      case "run":
        return await cmdRun(a);
      case "validate":
        return cmdValidate(a);
      case "handouts":
        return await runHandouts({
          ...executeOptions(a),
          jobs: number(a, "jobs"),
          only: a.flags.get("only"),
          smoke: !has(a, "no-smoke"),
          quiet: has(a, "quiet"),
        });
      default:
        throw new UsageError(`unknown command "${a.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`nbconvert-ts: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof NotebookError) {
      console.error(`nbconvert-ts: ${e.message}`);
      return 2;
    }
    console.error(`nbconvert-ts: ${(e as Error).stack ?? e}`);
    return 1;
  }
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

if (require.main === module) {
  installSignalHandlers();
  main(process.argv.slice(2)).then(
    (code) => {
      killAllKernels();
      process.exitCode = code;
      // zeromq's context can keep the loop alive a moment after sockets close: do not wait.
      setImmediate(() => process.exit(code));
    },
    (e) => {
      console.error(e);
      killAllKernels();
      process.exit(1);
    },
  );
}
