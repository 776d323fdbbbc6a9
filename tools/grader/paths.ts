/** Where the grader's inputs live, relative to the repository root. */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "@ts-course/cli";

export { REPO_ROOT };

export const SOLUTIONS_DIR = path.join(REPO_ROOT, "solutions");
export const EXERCISES_DIR = path.join(REPO_ROOT, "exercises");
/** exercises/exercises.json: the list of exercises, graded cells, points and function names. */
export const REGISTRY_FILE = path.join(EXERCISES_DIR, "exercises.json");
export const PUBLIC_SPECS_DIR = path.join(REPO_ROOT, "tests", "autograder", "public");
/** Hidden specs: read only by the trusted runner, never by the sandbox, never shipped to students. */
export const HIDDEN_SPECS_DIR = path.join(REPO_ROOT, "tests", "autograder", "hidden");
/** Scratch space of the grader (gitignored): the sandbox runtime, default output folders. */
export const GRADER_BUILD_DIR = path.join(REPO_ROOT, "build", "grader");
export const NODE_MODULES_DIR = path.join(REPO_ROOT, "node_modules");

/** Every spec file here (the hidden ones only on the instructor's side). */
export function specFilesPresent(): string[] {
  return [PUBLIC_SPECS_DIR, HIDDEN_SPECS_DIR].flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith(".grade.ts")).sort().map((f) => path.join(d, f)) : []));
}

export function publicSpecFile(exercise: string): string {
  return path.join(PUBLIC_SPECS_DIR, `${exercise}.grade.ts`);
}

export function hiddenSpecFile(exercise: string): string {
  return path.join(HIDDEN_SPECS_DIR, `${exercise}.grade.ts`);
}
