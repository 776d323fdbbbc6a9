/** A plausible mistake: the solution notebook with one graded cell replaced by `code`. */
export interface WrongSolution {
  exercise: string;
  gradeId: string;
  mistake: string;
  code: string;
}

/** Graded cells that call others: a wrong variant of one must not share a submission with a wrong variant of the other. */
export const DEPENDENCIES: Record<string, string[]> = {
  "gan-step": ["gan-d-loss", "gan-g-nonsat"],
};
