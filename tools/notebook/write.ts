/** Writing notebooks: atomically (tools/cli/writeFileAtomic.ts), in the layout Jupyter writes. */
import { writeFileAtomic } from "@ts-course/cli";
import { Notebook } from "./types";

export { writeFileAtomic };
export type { Chunk, WriteOptions } from "@ts-course/cli";

/** Jupyter's own layout: 1-space indent, a final newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Writes a notebook atomically, in the layout Jupyter itself writes. */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomic(file, serializeNotebook(nb));
}
