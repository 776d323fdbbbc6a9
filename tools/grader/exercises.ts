/**
 * `npm run exercises`: generates exercises/ from solutions/, one source for both.
 *
 *   solutions/<name>.ipynb ─► every `// BEGIN SOLUTION` … `// END SOLUTION` region replaced by a
 *                             throwing stub, outputs and execution counts cleared ─► exercises/<name>.ipynb
 *                         └─► graded cells, points, declared functions ─► exercises/exercises.json
 *
 * `npm run exercises -- --check` writes nothing and fails when exercises/ differs from what
 * solutions/ generates (CI runs it).
 */
import * as fs from "fs";
import * as path from "path";
import { defineCommand, InputError, runCommand, writeFileAtomic } from "@ts-course/cli";
import { courseNotebookMetadata } from "@ts-course/kernel";
import { toSourceLines } from "@ts-course/notebook";
import { Cell as RawCell, cellSource, findSolutionRegions, GRADE_ID_PATTERN, gradeMark, Notebook as RawNotebook, readNotebook, stripSolutions } from "@ts-course/notebook";
import { EXERCISES_DIR, REGISTRY_FILE, SOLUTIONS_DIR } from "./paths";
import { declaredNames, ExerciseEntry, GradedItem, ManualItem, Registry } from "./registry";

import { manualMark, stripModelAnswer } from "./manual";

export interface GeneratedExercises {
  /** Relative file name inside exercises/ → exact file content. */
  files: Map<string, string>;
  registry: Registry;
}

/** Builds the exercise notebooks and the registry in memory. */
export function generateExercises(solutionsDir = SOLUTIONS_DIR): GeneratedExercises {
  const files = new Map<string, string>();
  const exercises: ExerciseEntry[] = [];
  const seenIds = new Map<string, string>();
  const notebooks = fs.existsSync(solutionsDir) ? fs.readdirSync(solutionsDir).filter((f) => f.endsWith(".ipynb")).sort() : [];
  if (notebooks.length === 0) throw new Error(`no solution notebooks in ${solutionsDir}`);
  for (const file of notebooks) {
    const label = `solutions/${file}`;
    const { notebook, entry } = exerciseFromSolution(readNotebook(path.join(solutionsDir, file)), file, label);
    for (const id of [...entry.graded.map((g) => g.gradeId), ...(entry.manual ?? []).map((m) => m.manualId)]) {
      const other = seenIds.get(id);
      if (other && other !== file) throw new Error(`grade id "${id}" is used in both ${other} and ${file}`);
      seenIds.set(id, file);
    }
    files.set(file, JSON.stringify(notebook, null, 1) + "\n");
    exercises.push(entry);
  }
  // Lecture order (then name), the order students meet them.
  exercises.sort((a, b) => (a.lecture ?? "").localeCompare(b.lecture ?? "") || a.name.localeCompare(b.name));
  const registry: Registry = { format: "course-exercises/1", exercises };
  files.set(path.basename(REGISTRY_FILE), JSON.stringify(registry, null, 2) + "\n");
  return { files, registry };
}

export function exerciseFromSolution(solution: RawNotebook, file: string, label: string): { notebook: RawNotebook; entry: ExerciseEntry } {
  const name = file.replace(/\.ipynb$/, "");
  const meta = (solution.metadata["course"] ?? {}) as Record<string, unknown>;
  const graded = new Map<string, GradedItem>();
  const manual: ManualItem[] = [];
  const cells: RawCell[] = solution.cells.map((cell, i) => {
    const src = cellSource(cell);
    const base: RawCell = { id: cell.id, cell_type: cell.cell_type, metadata: cell.metadata ?? {}, source: [] };
    const written = manualMark(cell);
    if (written) {
      const where = `${label} cell ${i} [${written.manualId}]`;
      if (cell.cell_type !== "markdown") throw new Error(`${where}: a hand-graded question is a Markdown cell (the student writes prose there)`);
      if (!GRADE_ID_PATTERN.test(written.manualId)) throw new Error(`${where}: manual id "${written.manualId}" must be a lowercase slug (a-z, 0-9, -)`);
      if (!(written.points > 0)) throw new Error(`${where}: a hand-graded cell needs positive points`);
      if (manual.some((m) => m.manualId === written.manualId)) throw new Error(`${where}: manual id "${written.manualId}" is used twice`);
      manual.push({ manualId: written.manualId, points: written.points, title: written.title || written.manualId });
      return { ...base, source: toSourceLines(stripModelAnswer(src, where)) };
    }
    if (cell.cell_type !== "code") return { ...base, source: toSourceLines(src) };
    const mark = gradeMark(cell);
    const where = `${label} cell ${i}${mark ? ` [${mark.gradeId}]` : ""}`;
    if (mark) {
      if (!GRADE_ID_PATTERN.test(mark.gradeId)) throw new Error(`${where}: grade id "${mark.gradeId}" must be a lowercase slug (a-z, 0-9, -)`);
      if (!(mark.points > 0)) throw new Error(`${where}: a graded cell needs positive points`);
      if (findSolutionRegions(src, where).length === 0) throw new Error(`${where}: a graded cell without a ${"// BEGIN SOLUTION"} region would give the answer away`);
      const item = graded.get(mark.gradeId) ?? { gradeId: mark.gradeId, points: 0, title: "", functions: [] };
      item.points += mark.points;
      const title = ((cell.metadata?.["course"] as Record<string, unknown>)?.["title"] as string | undefined) ?? "";
      if (title && !item.title) item.title = title;
      item.functions.push(...declaredNames(src).filter((n) => !item.functions.includes(n)));
      graded.set(mark.gradeId, item);
    }
    return { ...base, source: toSourceLines(stripSolutions(src, mark?.gradeId ?? null, where)), execution_count: null, outputs: [] };
  });
  if (graded.size === 0) throw new Error(`${label} has no graded cells (metadata {"course": {"grade_id": ..., "points": ...}})`);
  for (const m of manual) if (graded.has(m.manualId)) throw new Error(`${label}: "${m.manualId}" names both a graded cell and a hand-graded question`);
  for (const g of graded.values()) if (!g.title) g.title = g.gradeId;
  const notebook: RawNotebook = {
    nbformat: 4,
    nbformat_minor: solution.nbformat_minor ?? 5,
    metadata: { ...solution.metadata, ...courseNotebookMetadata(), course: { ...meta, exercise: name, generated_from: `solutions/${file}` } },
    cells,
  };
  const entry: ExerciseEntry = {
    name,
    notebook: file,
    title: String(meta["title"] ?? name),
    lecture: meta["lecture"] != null ? String(meta["lecture"]) : null,
    graded: [...graded.values()],
    ...(manual.length ? { manual } : {}),
  };
  return { notebook, entry };
}

/** Differences between exercises/ on disk and what solutions/ generates; empty when up to date. */
export function exerciseDifferences(generated: GeneratedExercises, exercisesDir = EXERCISES_DIR): string[] {
  const problems: string[] = [];
  for (const [file, content] of generated.files) {
    const target = path.join(exercisesDir, file);
    if (!fs.existsSync(target)) problems.push(`exercises/${file} is missing`);
    else if (fs.readFileSync(target, "utf8") !== content) problems.push(`exercises/${file} differs from what solutions/ generates`);
  }
  if (fs.existsSync(exercisesDir)) {
    for (const file of fs.readdirSync(exercisesDir)) {
      if ((file.endsWith(".ipynb") || file.endsWith(".json")) && !generated.files.has(file)) problems.push(`exercises/${file} has no source in solutions/`);
    }
  }
  return problems;
}

export function writeExercises(generated: GeneratedExercises, exercisesDir = EXERCISES_DIR): string[] {
  fs.mkdirSync(exercisesDir, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of generated.files) {
    const target = path.join(exercisesDir, file);
    if (fs.existsSync(target) && fs.readFileSync(target, "utf8") === content) continue;
    writeFileAtomic(target, content);
    written.push(`exercises/${file}`);
  }
  for (const file of fs.readdirSync(exercisesDir)) {
    if (file.endsWith(".ipynb") && !generated.files.has(file)) {
      fs.unlinkSync(path.join(exercisesDir, file));
      written.push(`exercises/${file} (removed: no solution)`);
    }
  }
  return written;
}

export const exercisesCommand = defineCommand({
  name: "npm run exercises",
  summary: "generate exercises/ (notebooks and exercises.json) from solutions/",
  usage: "[--check]",
  options: {
    check: { type: "boolean", help: "write nothing; fail when exercises/ differs from what solutions/ generates (CI)" },
  },
  positionals: { max: 0 },
});

function main(check: boolean): number {
  let generated: GeneratedExercises;
  try {
    generated = generateExercises();
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  const total = generated.registry.exercises.reduce((s, e) => s + e.graded.reduce((t, g) => t + g.points, 0), 0);
  const manualPoints = (e: ExerciseEntry) => (e.manual ?? []).reduce((t, m) => t + m.points, 0);
  const summary = generated.registry.exercises
    .map((e) => `${e.name} (${e.graded.length} graded, ${e.graded.reduce((t, g) => t + g.points, 0)} pts${e.manual?.length ? `; ${e.manual.length} written, ${manualPoints(e)} pts by hand` : ""})`)
    .join(", ");
  if (check) {
    const problems = exerciseDifferences(generated);
    if (problems.length) {
      console.error(`exercises/ is out of date with solutions/:\n  ${problems.join("\n  ")}\nRun \`npm run exercises\` and commit the result.`);
      return 1;
    }
    console.log(`exercises/ is up to date: ${summary}; ${total} points in all`);
    return 0;
  }
  const written = writeExercises(generated);
  console.log(written.length ? `wrote ${written.join(", ")}` : "exercises/ was already up to date");
  console.log(`${summary}; ${total} points in all`);
  return 0;
}

if (require.main === module) {
  runCommand(exercisesCommand, ({ values }) => main(values.check === true));
}
