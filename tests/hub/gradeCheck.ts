/**
 * The classroom test's referee: the course's grader (tools/grader), run here, in the test's own
 * process, on the files the students submitted, and the Canvas CSV the instructor downloads,
 * read back column by column. The gradebook must agree with the first in the second.
 */
import * as fs from "fs";
import { gradeNotebooks } from "../../tools/grader/index";
import { parseCsv } from "../../tools/course-service/csv";

/** Public + hidden tests on each student's notebook file: student → total points. */
export async function gradeIndependently(exercise: string, files: Record<string, string>): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const [student, file] of Object.entries(files)) {
    const result = await gradeNotebooks({ student, submittedAt: new Date(), notebooks: [{ name: exercise, bytes: fs.readFileSync(file) }], exercises: [exercise], source: file });
    if (result.graderErrors.length || result.total == null) throw new Error(`the grader itself failed on ${student}'s ${file}: ${result.graderErrors.join("; ")}`);
    totals[student] = result.total;
  }
  return totals;
}

/**
 * One assignment's column of a Canvas gradebook CSV, keyed by "SIS User ID" (the roster id), plus
 * "Points Possible". Throws if the header is not Canvas's.
 */
export function parseCanvasCsv(text: string, column: string): Record<string, string> {
  const [header, ...rows] = parseCsv(text);
  const expected = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"];
  if (expected.some((h, i) => header[i] !== h)) throw new Error(`not a Canvas gradebook CSV: header ${JSON.stringify(header)}`);
  const col = header.indexOf(column);
  if (col < 0) throw new Error(`no column "${column}" in ${JSON.stringify(header)}`);
  const out: Record<string, string> = {};
  for (const r of rows) out[r[0] === "Points Possible" ? "Points Possible" : r[2]] = r[col] ?? "";
  return out;
}
