/**
 * Graded cells, nbgrader-style: a code cell whose metadata says
 *
 *   "metadata": { "course": { "grade_id": "ae-sparse-l1", "points": 2 } }
 *
 * The points written in a notebook are informative only: the grader takes points from its
 * trusted specs, never from a submitted notebook a student could edit.
 */
import { Cell, cellSource, Notebook } from "./types";

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

/** The grade mark of a cell, or null when it is not graded. */
export function gradeMark(cell: Pick<Cell, "metadata">): GradeMark | null {
  const course = (cell.metadata ?? {})["course"] as Record<string, unknown> | undefined;
  if (course == null || typeof course !== "object" || course["grade_id"] == null) return null;
  const gradeId = String(course["grade_id"]);
  const points = Number(course["points"] ?? 0);
  return { gradeId, points: Number.isFinite(points) ? points : 0 };
}

/** Graded code cells in notebook order (a grade id may span several cells). */
export function gradedCells(nb: Notebook): GradedCell[] {
  const out: GradedCell[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const mark = gradeMark(cell);
    if (mark) out.push({ ...mark, index, source: cellSource(cell) });
  });
  return out;
}

/** Every code cell's source, for collecting the notebook's imports. */
export function codeSources(nb: Notebook): string[] {
  return nb.cells.filter((c) => c.cell_type === "code").map(cellSource);
}
