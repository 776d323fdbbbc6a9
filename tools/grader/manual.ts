/**
 * Written "why" questions, graded by hand. In the solution notebook a Markdown cell carries
 *
 *   "metadata": {"course": {"manual_id": "ae-why-denoising", "points": 2, "title": "…"}}
 *
 * and a model answer for the instructor between two marker lines, which `npm run exercises`
 * replaces by a placeholder. The autograder reads the student's cell as text (never runs it,
 * never scores it) and reports it as "manual, ungraded" with its points; an instructor's score is
 * stored later by the course service.
 */

import { ExerciseEntry, manualItems } from "./registry";
import { clip } from "./text";

/** A written answer, for the instructor who grades it by hand (never run, never scored here). */
export interface WrittenAnswer {
  exercise: string;
  manualId: string;
  /** The cell's text, capped; null when the cell is missing or still holds the placeholder. */
  answer: string | null;
}

/** How much of one written answer is kept (a few sentences are asked for). */
export const MAX_ANSWER_CHARS = 4_000;

/** A model answer in a hand-graded Markdown cell sits between these lines; the exercise gets the placeholder. */
export const BEGIN_ANSWER = "<!-- BEGIN SOLUTION -->";
export const END_ANSWER = "<!-- END SOLUTION -->";
export const ANSWER_PLACEHOLDER = "_Your answer here (a few sentences; graded by hand)._";

/** The course metadata of a hand-graded cell, or null. */
export function manualMark(cell: { metadata?: Record<string, unknown> }): { manualId: string; points: number; title: string } | null {
  const course = (cell.metadata ?? {})["course"] as Record<string, unknown> | undefined;
  if (course == null || typeof course !== "object" || course["manual_id"] == null) return null;
  const points = Number(course["points"] ?? 0);
  return { manualId: String(course["manual_id"]), points: Number.isFinite(points) ? points : 0, title: String(course["title"] ?? "") };
}

/** The Markdown answer cell with its model answer replaced by the placeholder. */
export function stripModelAnswer(source: string, where: string): string {
  const lines = source.split("\n");
  const begin = lines.findIndex((l) => l.trim() === BEGIN_ANSWER);
  const end = lines.findIndex((l) => l.trim() === END_ANSWER);
  if (begin < 0 || end < begin) throw new Error(`${where}: a hand-graded cell holds its model answer between "${BEGIN_ANSWER}" and "${END_ANSWER}" lines`);
  if (lines.slice(end + 1).some((l) => l.trim() === BEGIN_ANSWER)) throw new Error(`${where}: one model answer per hand-graded cell`);
  return [...lines.slice(0, begin), ANSWER_PLACEHOLDER, ...lines.slice(end + 1)].join("\n");
}

/** The answers to the registry's hand-graded questions: only ids the registry knows, only Markdown cells. */
export function writtenAnswers(cells: { cell_type: string; metadata?: Record<string, unknown>; source?: unknown }[], entry: ExerciseEntry): WrittenAnswer[] {
  return manualItems(entry).map((m) => {
    const cell = cells.find((c) => c.cell_type === "markdown" && manualMark(c)?.manualId === m.manualId);
    const text = cell ? (Array.isArray(cell.source) ? cell.source.map(String).join("") : String(cell.source ?? "")) : "";
    const answer = text.replace(ANSWER_PLACEHOLDER, "").trim();
    return { exercise: entry.name, manualId: m.manualId, answer: answer ? clip(answer, MAX_ANSWER_CHARS) : null };
  });
}

/** The written answers in a notebook's text; every answer null when the text is not a notebook. */
export function writtenAnswersInText(notebook: string, entry: ExerciseEntry): WrittenAnswer[] {
  let cells: unknown;
  try {
    cells = (JSON.parse(notebook) as { cells?: unknown }).cells;
  } catch {
    cells = null;
  }
  if (!Array.isArray(cells)) return manualItems(entry).map((m) => ({ exercise: entry.name, manualId: m.manualId, answer: null }));
  return writtenAnswers(cells.filter((c) => c && typeof c === "object"), entry);
}

/** manual id → the model answer between the markers of the solution notebook's cell (for the instructor only). */
export function modelAnswers(solutionNotebook: string): Map<string, string> {
  const out = new Map<string, string>();
  const cells = (JSON.parse(solutionNotebook) as { cells: { cell_type: string; metadata?: Record<string, unknown>; source?: unknown }[] }).cells;
  for (const cell of cells) {
    const mark = cell.cell_type === "markdown" ? manualMark(cell) : null;
    if (!mark) continue;
    const text = Array.isArray(cell.source) ? cell.source.map(String).join("") : String(cell.source ?? "");
    const lines = text.split("\n");
    const begin = lines.findIndex((l) => l.trim() === BEGIN_ANSWER);
    const end = lines.findIndex((l) => l.trim() === END_ANSWER);
    if (begin >= 0 && end > begin) out.set(mark.manualId, lines.slice(begin + 1, end).join("\n").trim());
  }
  return out;
}
