/**
 * The parts of nbformat 4 that the pipeline reads and writes.
 * https://nbformat.readthedocs.io/en/latest/format_description.html
 */
export type MultilineString = string | string[];

export interface Cell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  metadata: Record<string, any>;
  source: MultilineString;
  outputs?: Record<string, any>[];
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

export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.map(String) : [];
}

export function cloneNotebook(nb: Notebook): Notebook {
  return structuredClone(nb);
}
