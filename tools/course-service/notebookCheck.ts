/**
 * Refuses mangled notebooks at check and submit time, before anything is stored: a graded cell
 * deleted, duplicated or with changed metadata, or a file that is not a notebook. Each problem is
 * one sentence naming the cell; RECOVER says what the student does next.
 */
import { gradedCells, parseNotebook } from "@ts-course/notebook";

export interface GradedCellSpec {
  gradeId: string;
  points: number;
}

export const RECOVER =
  "Fetch a fresh copy of the assignment (the panel's \"Fetch\" keeps your file and saves the original beside it), " +
  "copy your code into its graded cells, and check or submit that notebook. Do not delete, duplicate or edit the metadata of graded cells.";

/** The graded cells of a released exercise notebook. */
export function gradedCellSpecs(notebookText: string): GradedCellSpec[] {
  return gradedCells(parseNotebook(notebookText, "the exercise notebook")).map((c) => ({ gradeId: c.gradeId, points: c.points }));
}

/** Problems with a submitted notebook (empty: fine). */
export function notebookProblems(text: string, expected: GradedCellSpec[], label: string): string[] {
  let cells;
  try {
    cells = gradedCells(parseNotebook(text, label));
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  const known = new Map(expected.map((e) => [e.gradeId, e]));
  for (const e of expected) {
    const mine = cells.filter((c) => c.gradeId === e.gradeId);
    if (mine.length === 0) problems.push(`${label}: the graded cell ${e.gradeId} is missing (deleted, or its metadata {"course": {"grade_id": "${e.gradeId}"}} was removed or changed)`);
    else if (mine.length > 1) problems.push(`${label}: the graded cell ${e.gradeId} appears ${mine.length} times (cells ${mine.map((c) => c.index + 1).join(", ")}): it was duplicated`);
    else if (mine[0].points !== e.points) problems.push(`${label}: the metadata of graded cell ${e.gradeId} (cell ${mine[0].index + 1}) was changed (points ${e.points} → ${mine[0].points})`);
  }
  for (const c of cells) if (!known.has(c.gradeId)) problems.push(`${label}: cell ${c.index + 1} is marked as graded cell "${c.gradeId}", which this assignment does not have (changed metadata)`);
  return problems;
}
