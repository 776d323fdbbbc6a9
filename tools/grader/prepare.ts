/**
 * From submitted notebook texts to what the sandbox loads: parse, find the graded cells, compile
 * each one (extract.ts). It runs in a worker thread (preparePool.ts), never on the thread that
 * grades the whole batch: a notebook built to make parsing slow costs only its own deadline.
 *
 * Sizes a student controls are capped here, each with a note: graded cells per notebook, the
 * source of one graded cell, and the length of grade ids quoted back in messages.
 */
import { extractModule, SandboxModule } from "./extract";
import { parseNotebook } from "@ts-course/notebook";
import { WrittenAnswer, writtenAnswers } from "./manual";
import type { ExerciseEntry } from "./registry";
import { clip, printableLine } from "./text";

export const MAX_GRADED_CELLS = 100;
export const MAX_CELL_SOURCE_CHARS = 100_000;
/** All graded cells of one notebook together (the course's own are about 10 000 characters). */
export const MAX_GRADED_SOURCE_CHARS = 500_000;

export interface SubmittedNotebook {
  exercise: string;
  text: string;
}

export type { WrittenAnswer } from "./manual";

export interface Prepared {
  modules: SandboxModule[];
  answers: WrittenAnswer[];
  /** exercise → why its notebook is not in `modules` (absent, unreadable). */
  absent: Record<string, string>;
  problems: string[];
}

/** Compiles the graded cells of each notebook; a notebook that is absent or unreadable is named in `absent`. */
export function prepareNotebooks(notebooks: SubmittedNotebook[], entries: ExerciseEntry[]): Prepared {
  const modules: SandboxModule[] = [];
  const answers: WrittenAnswer[] = [];
  const problems: string[] = [];
  const why: Record<string, string> = {};
  for (const entry of entries) {
    const nb = notebooks.find((n) => n.exercise === entry.name);
    if (!nb) {
      why[entry.name] = `the submission has no ${entry.notebook}`;
      continue;
    }
    try {
      const parsed = parseNotebook(nb.text, entry.notebook);
      const graded = parsed.cells.filter((c) => c.cell_type === "code" && (c.metadata as { course?: { grade_id?: unknown } } | undefined)?.course?.grade_id != null);
      if (graded.length > MAX_GRADED_CELLS) {
        problems.push(`${entry.notebook}: ${graded.length} cells are marked as graded; only the first ${MAX_GRADED_CELLS} are read`);
        const drop = new Set(graded.slice(MAX_GRADED_CELLS));
        parsed.cells = parsed.cells.map((c) => (drop.has(c) ? { ...c, metadata: {} } : c));
      }
      let total = 0;
      for (const c of graded.slice(0, MAX_GRADED_CELLS)) {
        const chars = Array.isArray(c.source) ? c.source.reduce((n, l) => n + String(l).length, 0) : String(c.source ?? "").length;
        total += chars;
        const over = chars > MAX_CELL_SOURCE_CHARS ? `its ${chars} characters exceed the limit of ${MAX_CELL_SOURCE_CHARS} per cell` : total > MAX_GRADED_SOURCE_CHARS ? `the graded cells exceed ${MAX_GRADED_SOURCE_CHARS} characters in all` : null;
        if (over) {
          c.source = `throw new Error(${JSON.stringify(`this cell was not run: ${over}`)});`;
          problems.push(`${entry.notebook}: a graded cell was not run: ${over}`);
        }
      }
      answers.push(...writtenAnswers(parsed.cells, entry));
      const module = extractModule(parsed, entry);
      const ids = (xs: string[]) => xs.slice(0, 10).map((id) => printableLine(id, 64)).join(", ") + (xs.length > 10 ? `, and ${xs.length - 10} more` : "");
      if (module.unknownGradeIds.length) problems.push(`${entry.notebook}: cells marked ${ids(module.unknownGradeIds)} are not graded cells of this exercise (ignored)`);
      if (module.missingGradeIds.length) problems.push(`${entry.notebook}: no cell is marked ${ids(module.missingGradeIds)}`);
      modules.push(module);
    } catch (err) {
      why[entry.name] = `your ${entry.notebook} could not be read: ${clip(String((err as Error)?.message ?? err), 500)}`;
      problems.push(why[entry.name]);
    }
  }
  return { modules, answers, absent: why, problems };
}
