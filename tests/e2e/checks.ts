/**
 * What the browser test asserts about a notebook run, as pure functions of what the page showed,
 * so that the rules are easy to read (and to test without a browser).
 */
import type { CellInfo, NotebookRun, OutputInfo } from "./notebookRun";

/** More progress outputs than this in one cell means progress was printed, not updated in place. */
const MAX_PROGRESS_BARS_PER_CELL = 12;

export const COURSE_KERNEL_NAME = "ts-course";

export interface Expectations {
  /** The notebook must draw at least one plotly figure. */
  figure: boolean;
  /** The notebook must show at least one HTML table (a DataFrame). */
  table: boolean;
  /** At least one progress display must change in place (this many distinct texts, at least). */
  progressUpdates: number;
  /** The run is expected to stop at an error whose text matches this (a negative control). */
  expectError?: RegExp;
  /** At least this many live widgets (lib/viz/widgets) must mount, and one must answer its slider. */
  widgets?: number;
}

export interface Summary {
  codeCells: number;
  executed: number;
  figuresDrawn: number;
  figuresNotDrawn: number;
  tables: number;
  progressDisplays: number;
  /** Most distinct texts one progress display went through. */
  maxProgressTexts: number;
  maxOutputsPerCell: number;
  errors: string[];
}

/**
 * Error text as tslab prints it: it never sends an `error` message, it writes to stderr
 * TypeScript diagnostics ("3:7 - Cannot find name 'x'") and thrown errors with their stack.
 */
const ERROR_TEXT = [
  /^\s*(\S+\.tsx? )?\d+:\d+ - /m, // a TypeScript diagnostic
  /\b[A-Z]\w*(Error|Exception)\b(:|\s+\[|$)/m, // Error: ..., TypeError: ..., RangeError [code]
  /^\s+at .+(\(|:\d+)/m, // a stack frame
  /unexpected error/i,
  /Unhandled|Uncaught/,
];

export function isErrorOutput(output: OutputInfo): boolean {
  if (output.mime === "application/vnd.jupyter.error") return true;
  if (output.mime === "application/vnd.jupyter.stderr") return ERROR_TEXT.some((re) => re.test(output.text));
  return false;
}

export function summarise(run: NotebookRun): Summary {
  const code = run.cells.filter((c) => c.source.trim() !== "");
  const outputs = run.cells.flatMap((c) => c.outputs);
  const errors = run.cells.flatMap((c) => c.outputs.filter(isErrorOutput).map((o) => `cell ${c.index + 1}: ${o.text.trim().split("\n").slice(0, 4).join(" ⏎ ")}`));
  return {
    codeCells: code.length,
    executed: code.filter(executed).length,
    figuresDrawn: outputs.filter((o) => o.isPlotly && o.plotlyDrawn).length,
    figuresNotDrawn: outputs.filter((o) => (o.isPlotly && !o.plotlyDrawn) || isFigureFallback(o)).length,
    tables: outputs.filter((o) => o.mime === "text/html" && o.hasTable).length,
    progressDisplays: run.progress.length,
    maxProgressTexts: Math.max(0, ...run.progress.map((p) => p.texts.length)),
    maxOutputsPerCell: Math.max(0, ...run.cells.map((c) => c.outputs.length)),
    errors,
  };
}

/** A cell ran when JupyterLab shows its execution count: [3]. Queued or skipped cells show [ ] or [*]. */
function executed(cell: CellInfo): boolean {
  return /^\[\d+\]/.test(cell.prompt);
}

/** The text/plain line plot.ts sends beside the figure: rendered alone, the plotly renderer is missing. */
function isFigureFallback(o: OutputInfo): boolean {
  return o.mime === "text/plain" && /^\[figure\b/.test(o.text.trim());
}

/** Returns the failed assertions (empty when the notebook passes). */
export function check(run: NotebookRun, s: Summary, expect: Expectations, externalRequests: string[]): string[] {
  const failures: string[] = [];
  if (run.kernelLabel !== "TypeScript (course)") failures.push(`the toolbar shows kernel "${run.kernelLabel}", not "TypeScript (course)"`);
  if (run.sessionKernelName !== COURSE_KERNEL_NAME) failures.push(`the session runs kernelspec "${run.sessionKernelName}", not "${COURSE_KERNEL_NAME}"`);
  for (const url of externalRequests.slice(0, 5)) failures.push(`the page requested a non-loopback URL: ${url}`);

  if (expect.expectError) {
    // Negative control: the error must be seen, which shows that the error check can fail.
    if (!s.errors.some((e) => expect.expectError!.test(e))) failures.push(`expected an error matching ${expect.expectError} but saw ${s.errors.length ? s.errors.join("; ") : "none"}`);
    return failures;
  }
  for (const e of s.errors) failures.push(`error output: ${e}`);
  if (s.executed !== s.codeCells) failures.push(`only ${s.executed} of ${s.codeCells} code cells ran`);
  if (s.figuresNotDrawn > 0) failures.push(`${s.figuresNotDrawn} plotly figure(s) were not drawn`);
  if (expect.figure && s.figuresDrawn === 0) failures.push("no plotly figure was drawn (.js-plotly-plot svg.main-svg)");
  if (expect.table && s.tables === 0) failures.push("no DataFrame table was shown");
  if (expect.progressUpdates > 0) {
    if (s.progressDisplays === 0) failures.push("no progress display was shown");
    else if (s.maxProgressTexts < expect.progressUpdates) failures.push(`no progress display changed in place ${expect.progressUpdates} times (best: ${s.maxProgressTexts} texts)`);
  }
  // In place means one output per progress bar, not a line per update. A cell may train several
  // models, each with its own bar (2022-10-29's transfer experiment: 3 seeds × 2 models), but a
  // bar printed anew at every update gives one output per update: dozens.
  if (run.maxProgressOutputsPerCell > MAX_PROGRESS_BARS_PER_CELL) failures.push(`a cell showed ${run.maxProgressOutputsPerCell} progress outputs at once (progress printed as new outputs, not updated in place)`);
  if (s.maxOutputsPerCell > 40) failures.push(`a cell has ${s.maxOutputsPerCell} outputs (runaway printing?)`);
  return failures;
}
