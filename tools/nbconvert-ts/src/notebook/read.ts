/**
 * Step 1: reading a .ipynb, with an error that names the file and says what is wrong.
 *
 * nbformat 4.0–4.4 notebooks are upgraded in memory to 4.5 (cell ids added), as Jupyter's
 * own reader does. nbformat 3 and older are refused: their layout (worksheets) differs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { Notebook } from "./types";

export class NotebookError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "NotebookError";
  }
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotebookError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a notebook" : (e as Error).message);
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
    throw new NotebookError(file, `nbformat ${JSON.stringify(data.nbformat)} is not supported: nbconvert-ts reads nbformat 4${hint}`);
  }
  if (!Array.isArray(data.cells)) throw new NotebookError(file, "nbformat 4 notebook without a \"cells\" list");
  if (typeof data.nbformat_minor === "number" && data.nbformat_minor < 5) upgradeToMinor5(data);
  return data as Notebook;
}

/** nbformat 4.5 added cell ids: give each cell a random one, as nbformat.validator does. */
function upgradeToMinor5(nb: Notebook): void {
  for (const cell of nb.cells) if (cell && typeof cell === "object" && !cell.id) cell.id = crypto.randomBytes(4).toString("hex");
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
