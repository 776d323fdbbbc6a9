/**
 * Preparing a student handout from an executed notebook (between execute and render):
 *
 * - cells tagged for the instructor (default tag "instructor") are left out entirely;
 * - `// BEGIN SOLUTION` … `// END SOLUTION` regions are replaced by the same stub the
 *   exercises get (tools/notebook/solutionRegions.ts), and that cell's outputs are dropped,
 *   since they were produced by the solution and would give it away.
 *
 * The executed .ipynb keeps everything; only the rendered copy is filtered.
 */
import { BEGIN_SOLUTION, Cell, cellTags, cloneNotebook, joinText, Notebook, stripSolutions } from "@ts-course/notebook";

export const INSTRUCTOR_TAG = "instructor";

export interface FilterOptions {
  /** Leave out cells carrying any of these tags. */
  dropTags?: string[];
  /** Replace solution regions by stubs. */
  stripSolutions?: boolean;
}

export interface FilterResult {
  notebook: Notebook;
  droppedCells: number;
  strippedCells: number;
}

export function filterNotebook(nb: Notebook, options: FilterOptions, file = "notebook"): FilterResult {
  const drop = new Set(options.dropTags ?? []);
  const out = cloneNotebook(nb);
  const before = out.cells.length;
  out.cells = out.cells.filter((c) => !cellTags(c).some((t) => drop.has(t)));
  let stripped = 0;
  if (options.stripSolutions) {
    out.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      const source = joinText(cell.source);
      if (!source.includes(BEGIN_SOLUTION)) return;
      cell.source = stripSolutions(source, gradeIdOf(cell), `${file} cell ${i + 1}`);
      cell.outputs = [];
      stripped++;
    });
  }
  return { notebook: out, droppedCells: before - out.cells.length, strippedCells: stripped };
}

function gradeIdOf(cell: Cell): string | null {
  // the exercises' convention: metadata.course.grade_id (tools/notebook/gradedCells.ts)
  const id = cell.metadata?.course?.grade_id ?? cell.metadata?.nbgrader?.grade_id;
  return typeof id === "string" ? id : null;
}
