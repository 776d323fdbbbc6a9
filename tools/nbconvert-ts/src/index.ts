/**
 * nbconvert-ts, the package's public API: execute notebooks on the course kernel and export them
 * as offline HTML, with Node alone. What the course (npm run handouts, the grader's feedback pages,
 * the course service, the benches) uses; everything else in src/ is internal.
 *
 *   import { executeFile, exportFile, renderNotebook, sanitizeHtml } from "nbconvert-ts";
 *
 * The notebook model (read, validate, write) is @ts-course/notebook's, re-exported here.
 */
export { claimLines, codeCellCount, executeFile, exportFile, exportNotebook, loadNotebook, metricLines, notebookName } from "./pipeline";
export type { ExecuteFileResult, ExportOptions } from "./pipeline";
export { executeNotebook } from "./execute/executor";
export type { CellReport, CellStatus, ExecuteOptions, ExecuteReport } from "./execute/executor";
export { filterNotebook, INSTRUCTOR_TAG } from "./filter";
export type { FilterOptions } from "./filter";
export { CONTENT_SECURITY_POLICY, renderNotebook, untrustedContentSecurityPolicy } from "./html/render";
export type { RenderOptions, RenderResult } from "./html/render";
export { sanitizeHtml } from "./html/sanitize";
export { escapeHtml } from "./html/escape";
export { runHandouts, listLectures } from "./handouts";
export type { HandoutOptions, Lecture, LectureResult } from "./handouts";
export { killAllKernels, liveKernelCount } from "./kernel/launch";
export { checkOutput } from "./outputPaths";
export { main } from "./cli";
export * from "@ts-course/notebook";
