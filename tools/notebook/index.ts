/**
 * @ts-course/notebook: the one notebook model of the course's tools. Read (with errors that name
 * the file and the problem), validate against nbformat 4.5, write atomically; make notebooks
 * from cells; find graded cells and solution regions.
 */
export { CELL_TYPES, cellSource, cellTags, cloneNotebook, joinText } from "./types";
export type { Cell, CellType, MultilineString, Notebook, Output } from "./types";
export { NotebookError, parseNotebook, readNotebook } from "./read";
export { assertValidNotebook, schemaErrors, SCHEMA_FILE } from "./validate";
export { serializeNotebook, writeFileAtomic, writeNotebook } from "./write";
export type { Chunk, WriteOptions } from "./write";
export { makeNotebook, toSourceLines } from "./cells";
export type { CellSpec } from "./cells";
export { codeSources, GRADE_ID_PATTERN, gradedCells, gradeMark } from "./gradedCells";
export type { GradedCell, GradeMark } from "./gradedCells";
export { BEGIN_SOLUTION, END_SOLUTION, findSolutionRegions, STUB_PREFIX, stripSolutions } from "./solutionRegions";
export type { SolutionRegion } from "./solutionRegions";
