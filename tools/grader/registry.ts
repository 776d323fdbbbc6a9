/**
 * The exercise registry, exercises/exercises.json, generated with the exercise notebooks.
 *
 * Students receive it with the notebooks, so `npm run submit` can tell which graded cells each
 * notebook must keep, and the grader knows which cell defines which function (for messages like
 * "sparseL1Penalty is not defined: cell ae-sparse-l1 failed to load").
 */
import * as fs from "fs";
import * as ts from "typescript";
import { REGISTRY_FILE } from "./paths";

export interface GradedItem {
  gradeId: string;
  /** Points as written in the solution notebook; specs must give the same total (checked in CI). */
  points: number;
  title: string;
  /** Top-level names the cell declares: what the specs call. */
  functions: string[];
}

/**
 * A written answer the instructor grades by hand: a Markdown cell with
 * `{"course": {"manual_id": "ae-why-denoising", "points": 2, "title": "…"}}`. The autograder
 * never scores it; it reports it as "manual, ungraded" with its points.
 */
export interface ManualItem {
  manualId: string;
  /** Points as written in the solution notebook. */
  points: number;
  title: string;
}

export interface ExerciseEntry {
  name: string;
  notebook: string;
  title: string;
  lecture: string | null;
  graded: GradedItem[];
  /** Written questions graded by hand (absent in registries made before they existed). */
  manual?: ManualItem[];
}

export interface Registry {
  format: "course-exercises/1";
  exercises: ExerciseEntry[];
}

export function readRegistry(file = REGISTRY_FILE): Registry {
  let data: Registry;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8")) as Registry;
  } catch (err) {
    throw new Error(`cannot read the exercise registry ${file} (${(err as Error).message}); run \`npm run exercises\``);
  }
  if (data.format !== "course-exercises/1" || !Array.isArray(data.exercises)) throw new Error(`${file} is not a course exercise registry`);
  return data;
}

export function findExercise(registry: Registry, nameOrFile: string): ExerciseEntry {
  const base = nameOrFile.replace(/\\/g, "/").split("/").pop()!.replace(/\.ipynb$/, "");
  const hit = registry.exercises.find((e) => e.name === base || e.notebook === `${base}.ipynb`);
  if (!hit) throw new Error(`no exercise named "${nameOrFile}"; the exercises are: ${registry.exercises.map((e) => e.name).join(", ")}`);
  return hit;
}

/** The hand-graded questions of an exercise ([] when it has none). */
export function manualItems(entry: ExerciseEntry): ManualItem[] {
  return Array.isArray(entry.manual) ? entry.manual : [];
}

/** Which grade id declares a function, for messages. */
export function gradeIdOfFunction(entry: ExerciseEntry, fn: string): string | null {
  return entry.graded.find((g) => g.functions.includes(fn))?.gradeId ?? null;
}

/** Top-level declarations of a cell: functions, classes, const/let/var names. */
export function declaredNames(source: string): string[] {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  for (const st of file.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.push(st.name.text);
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    }
  }
  return names;
}
