/** An exercise's points as the grader counts them (the solution notebook's graded cells), so that specs follow the course as it grows. */
import { listExercises } from "../../tools/grader/index";

export function maxPoints(exercise: string): number {
  const entry = listExercises().find((e) => e.name === exercise);
  if (!entry) throw new Error(`no exercise named ${exercise} in exercises/exercises.json`);
  return entry.graded.reduce((sum, cell) => sum + cell.points, 0);
}

/** The points of an exercise's written answers, graded by hand (outside the grader's total). */
export function manualMaxPoints(exercise: string): number {
  const entry = listExercises().find((e) => e.name === exercise);
  if (!entry) throw new Error(`no exercise named ${exercise} in exercises/exercises.json`);
  return (entry.manual ?? []).reduce((sum, q) => sum + q.points, 0);
}
