/**
 * Solution regions, the nbgrader way: reference code sits between two marker lines
 *
 *   // BEGIN SOLUTION
 *   return tf.tidy(() => ...);
 *   // END SOLUTION
 *
 * and the exercise gets, at the same indentation,
 *
 *   // YOUR CODE HERE
 *   throw new Error("not implemented yet: sparseL1Penalty (exercise ae-sparse-l1)");
 *
 * The stub throws, so an untouched exercise runs (its cell defines the function) but scores zero,
 * with a message that names what is missing.
 */
import type * as TS from "typescript";

/** TypeScript is loaded on the first stub made: reading or exporting a notebook does not pay for it. */
let typescript: typeof TS | null = null;
const typescriptApi = (): typeof TS => (typescript ??= require("typescript") as typeof TS);

export const BEGIN_SOLUTION = "// BEGIN SOLUTION";
export const END_SOLUTION = "// END SOLUTION";
export const STUB_PREFIX = "not implemented yet";

export interface SolutionRegion {
  /** 0-based line numbers of the two marker lines. */
  beginLine: number;
  endLine: number;
  indent: string;
}

export function findSolutionRegions(source: string, label = "cell"): SolutionRegion[] {
  const lines = source.split("\n");
  const regions: SolutionRegion[] = [];
  let open: { line: number; indent: string } | null = null;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === BEGIN_SOLUTION) {
      if (open) throw new Error(`${label}: line ${i + 1} opens a solution region inside the one opened on line ${open.line + 1}`);
      open = { line: i, indent: line.slice(0, line.length - line.trimStart().length) };
    } else if (trimmed === END_SOLUTION) {
      if (!open) throw new Error(`${label}: line ${i + 1} closes a solution region that was never opened`);
      const o: { line: number; indent: string } = open;
      regions.push({ beginLine: o.line, endLine: i, indent: o.indent });
      open = null;
    }
  });
  if (open) throw new Error(`${label}: the solution region opened on line ${(open as { line: number }).line + 1} is never closed (${END_SOLUTION})`);
  return regions;
}

/** The name of the innermost function around a position, for the stub's message. */
export function enclosingFunctionName(source: string, position: number): string | null {
  const ts = typescriptApi();
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  let best: string | null = null;
  const visit = (node: TS.Node): void => {
    if (position < node.getStart(file) || position >= node.getEnd()) return;
    let name: string | null = null;
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) name = node.name.getText(file);
    else if (ts.isVariableDeclaration(node) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      name = node.name.getText(file);
    }
    if (name) best = name;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return best;
}

export function stubMessage(name: string, gradeId: string | null): string {
  return gradeId ? `${STUB_PREFIX}: ${name} (exercise ${gradeId})` : `${STUB_PREFIX}: ${name}`;
}

/** The exercise version of a cell: every solution region replaced by a throwing stub. */
export function stripSolutions(source: string, gradeId: string | null, label = "cell"): string {
  const regions = findSolutionRegions(source, label);
  if (regions.length === 0) return source;
  const lines = source.split("\n");
  const offsets: number[] = [];
  let acc = 0;
  for (const line of lines) {
    offsets.push(acc);
    acc += line.length + 1;
  }
  const out: string[] = [];
  let next = 0;
  for (const r of regions) {
    out.push(...lines.slice(next, r.beginLine));
    const name = enclosingFunctionName(source, offsets[r.beginLine]) ?? gradeId ?? "this exercise";
    out.push(`${r.indent}// YOUR CODE HERE`);
    out.push(`${r.indent}throw new Error(${JSON.stringify(stubMessage(name, gradeId))});`);
    next = r.endLine + 1;
  }
  out.push(...lines.slice(next));
  return out.join("\n");
}
