/**
 * Reading a .ipynb, with an error that names the file and says what is wrong.
 *
 * The structure every tool relies on is checked here (an object with nbformat 4, a list of cells,
 * each cell an object with a known cell_type and a string or list-of-strings source), so code
 * after the reader never meets a null cell or a numeric source, whoever wrote the file. The
 * full nbformat 4.5 schema is validate.ts's job. A missing metadata object (notebook or cell)
 * reads as an empty one.
 *
 * nbformat 4.0–4.4 notebooks are upgraded in memory to 4.5 (cell ids added), as Jupyter's
 * own reader does. nbformat 3 and older are refused: their layout (worksheets) differs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { InputError } from "@ts-course/cli";
import { CELL_TYPES, Notebook } from "./types";

/**
 * A notebook that cannot be used: the message starts with the file and says what is wrong. It is
 * bad input, so a command reports it in one line and exits 2 (tools/cli/command.ts).
 */
export class NotebookError extends InputError {
  override name = "NotebookError";
  readonly problem: string;
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.problem = problem;
  }
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotebookError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a notebook" : `cannot be read (${code ?? (e as Error).message})`);
  }
  return parseNotebook(text, file);
}

export function parseNotebook(text: string, file = "<notebook>"): Notebook {
  if (text.trim() === "") throw new NotebookError(file, "the file is empty (a notebook is a JSON object)");
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(file, `not valid JSON: ${describeJsonError(e as Error, text)}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new NotebookError(file, "not a notebook: the JSON is not an object");
  }
  if (!("nbformat" in data)) throw new NotebookError(file, "not a Jupyter notebook: it has no \"nbformat\" field");
  if (data.nbformat !== 4) {
    const hint = typeof data.nbformat === "number" && data.nbformat < 4 ? " (open and save it in Jupyter, or `jupyter nbconvert --to notebook --nbformat 4`, to upgrade it)" : "";
    throw new NotebookError(file, `nbformat ${String(JSON.stringify(data.nbformat)).slice(0, 40)} is not supported: only nbformat 4 is read${hint}`);
  }
  if (!Array.isArray(data.cells)) throw new NotebookError(file, "nbformat 4 notebook without a \"cells\" list");
  if (data.metadata !== undefined && (data.metadata === null || typeof data.metadata !== "object" || Array.isArray(data.metadata))) {
    throw new NotebookError(file, "its \"metadata\" is not an object");
  }
  (data.cells as unknown[]).forEach((cell, i) => checkCell(cell, i, file));
  // A missing metadata object reads as an empty one (what every tool assumes; Jupyter writes one).
  data.metadata ??= {};
  for (const cell of data.cells) cell.metadata ??= {};
  if (typeof data.nbformat_minor === "number" && data.nbformat_minor < 5) upgradeToMinor5(data);
  return data as Notebook;
}

/** The structure every tool relies on; cells are numbered from 1, as Jupyter shows them. */
function checkCell(cell: unknown, i: number, file: string): void {
  const where = `cell ${i + 1}`;
  if (cell === null || typeof cell !== "object" || Array.isArray(cell)) throw new NotebookError(file, `${where} is not an object`);
  const c = cell as Record<string, unknown>;
  if (typeof c.cell_type !== "string") throw new NotebookError(file, `${where} has no cell_type`);
  if (!(CELL_TYPES as readonly string[]).includes(c.cell_type)) {
    throw new NotebookError(file, `${where} has cell_type ${JSON.stringify(c.cell_type).slice(0, 60)} (expected ${CELL_TYPES.join(", ")})`);
  }
  const src = c.source;
  if (!(typeof src === "string" || (Array.isArray(src) && src.every((s) => typeof s === "string")))) {
    throw new NotebookError(file, `${where} has a source that is neither a string nor a list of strings`);
  }
  if (c.metadata !== undefined && (c.metadata === null || typeof c.metadata !== "object" || Array.isArray(c.metadata))) {
    throw new NotebookError(file, `${where} has a "metadata" that is not an object`);
  }
  if (c.outputs !== undefined && !(Array.isArray(c.outputs) && c.outputs.every((o) => o !== null && typeof o === "object" && !Array.isArray(o)))) {
    throw new NotebookError(file, `${where} has "outputs" that are not a list of objects`);
  }
}

/**
 * nbformat 4.5 added cell ids: give each cell one, as Jupyter's reader does. Jupyter's are
 * random; these come from the cell's position and source, so reading a file twice gives the
 * same ids (and a notebook written from it does not change at every run).
 */
function upgradeToMinor5(nb: Notebook): void {
  const seen = new Set(nb.cells.map((c) => c.id).filter(Boolean));
  nb.cells.forEach((cell, i) => {
    if (typeof cell.id === "string" && cell.id !== "") return;
    let id = crypto.createHash("sha1").update(`${i}:${JSON.stringify(cell.source)}`).digest("hex").slice(0, 8);
    while (seen.has(id)) id = crypto.createHash("sha1").update(id).digest("hex").slice(0, 8);
    seen.add(id);
    cell.id = id;
  });
  nb.nbformat_minor = 5;
}

function describeJsonError(e: Error, text: string): string {
  let pos = -1;
  const at = /position (\d+)/.exec(e.message);
  if (at) pos = Number(at[1]);
  // Node 20 gives no position, but quotes the text around the bad token: find it.
  const around = /^(Unexpected token '(.)'|Bad control character in string literal|[^,]+?), (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(e.message);
  if (pos < 0 && around) {
    const start = text.indexOf(around[3]);
    if (start >= 0 && text.indexOf(around[3], start + 1) < 0) pos = start + Math.max(0, around[2] ? around[3].indexOf(around[2]) : 0);
  }
  const what = around ? around[1] : e.message.replace(/ in JSON at position \d+.*$/, "");
  if (pos < 0) {
    if (/end of JSON input/.test(e.message)) return `the file ends in the middle of the JSON (line ${text.split("\n").length}): truncated?`;
    return what;
  }
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `${what} at line ${line}, column ${column}`;
}
