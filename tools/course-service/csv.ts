/**
 * CSV in (the roster) and out (grades in Canvas's gradebook import form). Output fields go
 * through the grader's csvField: quoted, and defused against spreadsheet formulas.
 */
import { csvField } from "../grader/report";
import { STUDENT_ID, Student } from "./gradebook";

/** RFC 4180 rows: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new Error("the CSV ends inside a quoted field (a \" is not closed)");
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

export interface RosterParse {
  students: Student[];
  errors: { line: number; message: string }[];
}

/** A roster CSV with a header naming id, name and email (any order; other columns ignored). */
export function parseRoster(text: string): RosterParse {
  const rows = parseCsv(text.replace(/^\uFEFF/, ""));
  if (!rows.length) throw new Error("the roster is empty: the first row must name the columns id, name, email");
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const missing = ["id", "name", "email"].filter((n) => col(n) < 0);
  if (missing.length) throw new Error(`the roster's first row must name the columns id, name, email; missing: ${missing.join(", ")} (found: ${header.join(", ")})`);
  const students: Student[] = [];
  const errors: { line: number; message: string }[] = [];
  const seen = new Set<string>();
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const id = (r[col("id")] ?? "").trim().toLowerCase();
    const name = (r[col("name")] ?? "").trim();
    const email = (r[col("email")] ?? "").trim();
    if (!STUDENT_ID.test(id)) errors.push({ line, message: `id "${id.slice(0, 80)}" must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit` });
    else if (seen.has(id)) errors.push({ line, message: `id "${id}" appears twice` });
    else if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) errors.push({ line, message: `email "${email.slice(0, 80)}" of ${id} is not an email address` });
    else if (name.length > 200 || email.length > 200) errors.push({ line, message: `name or email of ${id} is longer than 200 characters` });
    else {
      seen.add(id);
      students.push({ id, name, email });
    }
  });
  return { students, errors };
}

export interface CanvasColumn {
  title: string;
  maxPoints: number;
  /** student id → final score (after penalty); missing: not submitted. */
  scores: Map<string, number | null>;
}

/** Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment. */
export function canvasCsv(students: Student[], columns: CanvasColumn[]): string {
  const header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ...columns.map((c) => c.title)];
  const points = ["Points Possible", "", "", "", "", ...columns.map((c) => c.maxPoints)];
  const rows = students.map((s) => [s.name || s.id, "", s.id, s.email, "", ...columns.map((c) => c.scores.get(s.id) ?? null)]);
  return [header, points, ...rows].map((r) => r.map((v) => csvField(v as string | number | null)).join(",")).join("\r\n") + "\r\n";
}
