/**
 * Turning tslab's error text into an nbformat `error` output.
 *
 * tslab never sends an `error` message: a failed cell gets `status: "error"` in its
 * execute_reply, and the error itself was written to stderr as text, in one of two forms:
 *
 * - TypeScript diagnostics, one stream message each: `1:5 - Type 'string' is not assignable…`
 *   (line:column in the cell; the file name first when the error is in an imported file);
 * - a runtime error as `console.error(e)` prints it: an optional code frame from the VM
 *   (`evalmachine.<anonymous>:2\n<line>\n^\n\n`), then `Name: message`, the `at` frames, and
 *   `{ extra: props }` when the error has any; or just the value for `throw "text"`.
 *
 * Frames inside node's vm and tslab itself say nothing about the student's code and are dropped.
 */
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

const DIAGNOSTIC = /^(?:(.+?) )?(\d+):(\d+) - (.*)$/s;
const ERROR_HEAD = /^([A-Za-z_$][\w$.]*(?: \[[\w-]+\])?)(?:: ([\s\S]*))?$/;
const FRAME = /^\s+at /;
const INTERNAL_FRAME = /\((?:node:|.*\/node_modules\/tslab\/)|^\s+at (?:node:|sigintHandlersWrap|Script\.runInThisContext|Object\.runInThisContext|async ZmqServer|.*\/node_modules\/tslab\/)/;

export function isDiagnostic(text: string): boolean {
  return DIAGNOSTIC.test(text.trim()) && !text.includes("\n    at ");
}

/**
 * Parses TypeScript diagnostics (one or more chunks) into one error output.
 *
 * tslab prints a chained message ("Type A is not assignable to type B" and why) as several
 * diagnostics at the same position, and drops the file name from all but the first of them
 * (its traverseDiagnosticMessageChain). Same-position lines are grouped, the first giving the
 * message and the rest indented under it; a position past the cell's last line (`cellLines`)
 * cannot be in the cell, so it is marked as being in an imported file.
 */
export function diagnosticsError(chunks: string[], cellLines = Infinity): ErrorOutput {
  const lines = chunks.flatMap((c) => c.trim().split("\n")).filter(Boolean);
  const groups: { where: string; messages: string[] }[] = [];
  let last = "";
  for (const l of lines) {
    const m = DIAGNOSTIC.exec(l);
    if (!m) {
      groups.push({ where: "", messages: [l] });
      last = "";
      continue;
    }
    const [, file, line, col, text] = m;
    const key = `${line}:${col}`;
    if (key === last && !file) {
      groups[groups.length - 1].messages.push(text);
      continue;
    }
    last = key;
    const where = file ? `${file} line ${line}, column ${col}` : Number(line) > cellLines ? `line ${line}, column ${col} of an imported file (tslab does not say which)` : `line ${line}, column ${col}`;
    groups.push({ where, messages: [text] });
  }
  const heads = groups.map((g) => (g.where ? `${g.where}: ${g.messages[0]}` : g.messages[0]));
  return {
    output_type: "error",
    ename: "TypeScriptError",
    evalue: heads.length === 1 ? heads[0] : `${heads.length} errors: ${heads.join("; ")}`,
    traceback: groups.flatMap((g, i) => [heads[i], ...g.messages.slice(1).map((t) => `    ${t}`)]),
  };
}

/** Parses what `console.error(e)` printed for a thrown value. */
export function runtimeError(text: string): ErrorOutput {
  let lines = text.replace(/\n+$/, "").split("\n");
  // The VM's code frame: "evalmachine.<anonymous>:N", the source line, a caret line, a blank line.
  const frame: string[] = [];
  if (/^evalmachine\.<anonymous>:\d+$/.test(lines[0] ?? "")) {
    const blank = lines.indexOf("");
    if (blank > 0) {
      frame.push(...lines.slice(1, blank).filter((l) => l.trim() !== "^" && !/^\s*\^+\s*$/.test(l)));
      lines = lines.slice(blank + 1);
    }
  }
  const firstFrame = lines.findIndex((l) => FRAME.test(l));
  const headEnd = firstFrame < 0 ? lines.length : firstFrame;
  const head = lines.slice(0, headEnd).join("\n");
  const m = ERROR_HEAD.exec(head);
  let ename = "Error";
  let evalue = head;
  if (m && (firstFrame >= 0 || m[2] !== undefined) && /(Error|Exception|Interrupt\w*)$|^[A-Z]\w*Error \[/.test(m[1])) {
    ename = m[1];
    evalue = m[2] ?? "";
  }
  const { frames: rest, props } = splitProperties(firstFrame < 0 ? [] : lines.slice(firstFrame));
  const frames = rest.filter((l) => !(FRAME.test(l) && INTERNAL_FRAME.test(l)));
  const traceback = [...(frame.length ? [frame.join("\n")] : []), evalue ? `${ename}: ${evalue}` : ename, ...frames, ...(props ? [props] : [])];
  return { output_type: "error", ename, evalue, traceback };
}

/**
 * Node prints an error's own properties after its last frame: "    at f (x:1:1) {", then
 * "  code: 'E'", then "}". They become one line at the end ("{ code: 'E' }"), not three stray ones.
 */
function splitProperties(lines: string[]): { frames: string[]; props: string | null } {
  const open = lines.findIndex((l) => FRAME.test(l) && / \{$/.test(l));
  if (open < 0 || lines[lines.length - 1] !== "}") return { frames: lines, props: null };
  const frames = [...lines.slice(0, open), lines[open].replace(/ \{$/, "")];
  const body = lines.slice(open + 1, -1).map((l) => l.trim()).join(" ");
  return { frames, props: body ? `{ ${body} }` : null };
}

/** The error output for the trailing stderr chunks of a failed cell (of `cellLines` lines). */
export function errorFromStderr(chunks: string[], cellLines = Infinity): ErrorOutput {
  if (chunks.length && chunks.every(isDiagnostic)) return diagnosticsError(chunks, cellLines);
  return runtimeError(chunks.join(""));
}
