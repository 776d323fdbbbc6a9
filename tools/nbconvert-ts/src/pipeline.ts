/**
 * The pipeline, wired:
 *
 *   read ─► validate ─► execute ─► validate ─► write executed .ipynb (atomic)
 *                                           └► filter ─► render HTML ─► write handout (atomic)
 *
 * Each step lives in its own file (reading, validating and writing are the notebook model's,
 * @ts-course/notebook); these functions only chain them, for the CLI, `handouts` and anyone
 * using the package's API.
 */
import * as path from "path";
import { assertValidNotebook, cellSource, joinText, Notebook, readNotebook, writeFileAtomic, writeNotebook } from "@ts-course/notebook";
import { ExecuteOptions, ExecuteReport, executeNotebook } from "./execute/executor";
import { filterNotebook, FilterOptions } from "./filter";
import { stripAnsi } from "./html/ansi";
import { renderNotebook, RenderOptions, RenderResult } from "./html/render";
import { saveTexCache } from "./html/texCache";
import { checkOutput, writeOrExplain } from "./outputPaths";

/** Read and validate: the first two steps for every command. */
export function loadNotebook(file: string): Notebook {
  const nb = readNotebook(file);
  assertValidNotebook(nb, file);
  return nb;
}

export interface ExecuteFileResult extends ExecuteReport {
  /** Where the executed notebook was written. */
  output: string;
}

/**
 * Executes `file` and writes the executed notebook to `output` (also when a cell failed). The
 * output is checked before the kernel starts: a `.ipynb` name that can be written.
 */
export async function executeFile(file: string, output: string, options: ExecuteOptions = {}): Promise<ExecuteFileResult> {
  const nb = loadNotebook(file);
  checkOutput(output, "ipynb");
  const report = await executeNotebook(nb, { ...options, file });
  assertValidNotebook(report.notebook, output, "executed notebook");
  writeOrExplain(output, () => writeNotebook(output, report.notebook));
  return { ...report, output };
}

export interface ExportOptions extends RenderOptions, FilterOptions {}

export function exportNotebook(nb: Notebook, options: ExportOptions = {}, file = "notebook"): RenderResult {
  const filtered = options.dropTags?.length || options.stripSolutions ? filterNotebook(nb, options, file).notebook : nb;
  return renderNotebook(filtered, { ...options, file: options.file ?? file });
}

/** Renders an (executed) notebook file to `output`: an `.html` name, never the input itself. */
export function exportFile(file: string, output: string, options: ExportOptions = {}): RenderResult {
  const nb = loadNotebook(file);
  checkOutput(output, "html", [file]);
  const result = exportNotebook(nb, options, file);
  writeOrExplain(output, () => writeFileAtomic(output, result.chunks));
  saveTexCache();
  return result;
}

/** Each stdout stream the notebook's cells printed, as text without ANSI colours. */
function* stdoutTexts(nb: Notebook): Generator<string> {
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "stream" && o.name === "stdout") yield stripAnsi(joinText(o.text));
    }
  }
}

/** The `metric <name> <value>` lines the notebook printed (lib/metrics/report.ts). */
export function metricLines(nb: Notebook): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const text of stdoutTexts(nb)) for (const m of text.matchAll(/^metric (\S+) (\S+)[ \t]*$/gm)) out.push({ name: m[1], value: m[2] });
  return out;
}

/** The `claim <name> holds: <text>` lines the notebook printed (lib/metrics/claim.ts). */
export function claimLines(nb: Notebook): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const text of stdoutTexts(nb)) for (const m of text.matchAll(/^claim (\S+) holds: (.*?)[ \t]*$/gm)) out.push({ name: m[1], text: m[2] });
  return out;
}

/** "lectures/2022-10-29-lstm.ipynb" → "2022-10-29-lstm" */
export function notebookName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, "");
}

/** The number of non-empty code cells (what progress counts). */
export function codeCellCount(nb: Notebook): number {
  return nb.cells.filter((c) => c.cell_type === "code" && cellSource(c).trim() !== "").length;
}
