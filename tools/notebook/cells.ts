/**
 * Making notebook sources (nbformat 4.5, no outputs) from a list of cells. The lecture and
 * exercise notebooks are the sources of truth; this is for scripts that create or rewrite them
 * (write them with writeNotebook from ./write).
 */
import * as crypto from "crypto";
import { courseNotebookMetadata } from "@ts-course/kernel";
import { Cell, Notebook } from "./types";

export interface CellSpec {
  type: "markdown" | "code" | "raw";
  source: string;
  metadata?: Record<string, unknown>;
}

/** nbformat stores source as lines that keep their "\n", the last without one. */
export function toSourceLines(source: string): string[] {
  const lines = source.replace(/\s+$/, "").split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? line + "\n" : line));
}

/** A notebook for the course kernel (unless `metadata` says otherwise); ids from position and source. */
export function makeNotebook(cells: CellSpec[], metadata: Record<string, unknown> = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { ...courseNotebookMetadata(), ...metadata },
    cells: cells.map((c, i): Cell => {
      const id = crypto.createHash("sha1").update(`${i}:${c.source}`).digest("hex").slice(0, 8);
      const base: Cell = { id, cell_type: c.type, metadata: c.metadata ?? {}, source: toSourceLines(c.source) };
      return c.type === "code" ? { ...base, execution_count: null, outputs: [] } : base;
    }),
  };
}
