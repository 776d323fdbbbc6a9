/**
 * Writing notebook sources (nbformat 4.5, no outputs) from a list of cells. The lecture and
 * exercise notebooks are the sources of truth; this is for scripts that create or rewrite them.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { courseNotebookMetadata } from "../kernel/kernelspec";

export interface CellSpec {
  type: "markdown" | "code";
  source: string;
  metadata?: Record<string, unknown>;
}

export interface NotebookCell {
  id: string;
  cell_type: "markdown" | "code";
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** nbformat stores source as lines that keep their "\n", the last without one. */
export function toSourceLines(source: string): string[] {
  const lines = source.replace(/\s+$/, "").split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? line + "\n" : line));
}

export function makeNotebook(cells: CellSpec[], metadata: Record<string, unknown> = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { ...courseNotebookMetadata(), ...metadata },
    cells: cells.map((c, i) => {
      const id = crypto.createHash("sha1").update(`${i}:${c.source}`).digest("hex").slice(0, 8);
      const base = { id, cell_type: c.type, metadata: c.metadata ?? {}, source: toSourceLines(c.source) };
      return c.type === "code" ? { ...base, execution_count: null, outputs: [] } : base;
    }),
  };
}

/** Writes a notebook atomically, in the layout Jupyter itself writes (1-space indent). */
export function writeNotebook(file: string, notebook: Notebook): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(notebook, null, 1) + "\n");
  fs.renameSync(tmp, file);
}
