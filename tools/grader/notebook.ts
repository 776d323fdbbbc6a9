/**
 * Reading exercise notebooks and finding their graded cells.
 *
 * A graded cell is a code cell whose metadata says so, nbgrader-style:
 *
 *   "metadata": { "course": { "grade_id": "ae-sparse-l1", "points": 2 } }
 *
 * The points written in a notebook are informative only: the grader takes points from the trusted
 * specs (tests/autograder/{public,hidden}), never from a submitted notebook a student could edit.
 */
import * as fs from "fs";

export interface RawCell {
  id?: string;
  cell_type: string;
  metadata?: Record<string, unknown>;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  attachments?: unknown;
}

export interface RawNotebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: RawCell[];
}

export interface GradeMark {
  gradeId: string;
  points: number;
}

export interface GradedCell extends GradeMark {
  /** Index of the cell in the notebook. */
  index: number;
  source: string;
}

/** Grade ids are short slugs: they name CSV columns and appear in messages. */
export const GRADE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class NotebookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotebookError";
  }
}

export function cellSource(cell: RawCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "");
}

/** Parses notebook JSON and checks the little we rely on; the message says what is wrong. */
export function parseNotebook(text: string, label = "notebook"): RawNotebook {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new NotebookError(`${label} is not valid JSON (${(err as Error).message}); was it saved completely?`);
  }
  if (data == null || typeof data !== "object" || Array.isArray(data)) throw new NotebookError(`${label} is not a Jupyter notebook (not a JSON object)`);
  const nb = data as Partial<RawNotebook>;
  if (nb.nbformat !== 4) throw new NotebookError(`${label} is not an nbformat 4 notebook (nbformat: ${JSON.stringify(nb.nbformat)})`);
  if (!Array.isArray(nb.cells)) throw new NotebookError(`${label} has no list of cells`);
  nb.cells.forEach((cell, i) => {
    if (cell == null || typeof cell !== "object") throw new NotebookError(`${label}: cell ${i} is not an object`);
    if (typeof cell.cell_type !== "string") throw new NotebookError(`${label}: cell ${i} has no cell_type`);
    const src = cell.source as unknown;
    const ok = typeof src === "string" || (Array.isArray(src) && src.every((s) => typeof s === "string"));
    if (!ok) throw new NotebookError(`${label}: cell ${i} has a source that is neither a string nor a list of strings`);
  });
  return { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 0, metadata: (nb.metadata as Record<string, unknown>) ?? {}, cells: nb.cells as RawCell[] };
}

export function readNotebook(file: string): RawNotebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new NotebookError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseNotebook(text, file);
}

/** The grade mark of a cell, or null when it is not graded. */
export function gradeMark(cell: RawCell): GradeMark | null {
  const course = (cell.metadata ?? {})["course"] as Record<string, unknown> | undefined;
  if (course == null || typeof course !== "object" || course["grade_id"] == null) return null;
  const gradeId = String(course["grade_id"]);
  const points = Number(course["points"] ?? 0);
  return { gradeId, points: Number.isFinite(points) ? points : 0 };
}

/** Graded code cells in notebook order (a grade id may span several cells). */
export function gradedCells(nb: RawNotebook): GradedCell[] {
  const out: GradedCell[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const mark = gradeMark(cell);
    if (mark) out.push({ ...mark, index, source: cellSource(cell) });
  });
  return out;
}

/** Every code cell's source, for collecting the notebook's imports. */
export function codeSources(nb: RawNotebook): string[] {
  return nb.cells.filter((c) => c.cell_type === "code").map(cellSource);
}
