/**
 * The notebook model: the parts of nbformat 4 that the course's tools read and write.
 * https://nbformat.readthedocs.io/en/latest/format_description.html
 *
 * One model for every tool (the executor and exporter, the grader, the scripts that write
 * notebooks): read.ts parses and checks the structure, validate.ts checks the nbformat 4.5
 * schema, write.ts writes atomically.
 */
export type MultilineString = string | string[];

export type CellType = "code" | "markdown" | "raw";
export const CELL_TYPES: readonly CellType[] = ["code", "markdown", "raw"];

/** One output of a code cell (stream, display_data, execute_result, error), as stored. */
export type Output = Record<string, any>;

export interface Cell {
  id?: string;
  cell_type: CellType;
  metadata: Record<string, any>;
  source: MultilineString;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, Record<string, MultilineString>>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, any>;
  cells: Cell[];
}

/** A multi-line string field (source, stream text, text/* data) as one string. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return value == null ? "" : String(value);
}

/** A cell's source as one string. */
export function cellSource(cell: Pick<Cell, "source">): string {
  return joinText(cell.source);
}

export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.map(String) : [];
}

export function cloneNotebook(nb: Notebook): Notebook {
  return structuredClone(nb);
}
