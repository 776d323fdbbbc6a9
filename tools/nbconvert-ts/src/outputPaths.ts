/**
 * Where a command may write, checked before any work starts (a lecture is not executed for ten
 * minutes to then fail on its output path):
 *
 * - an HTML export never goes over one of its inputs or into a `.ipynb` name, and an executed
 *   notebook never into a `.html` name: a file is never replaced by another format;
 * - the output's folder exists or can be made, and a file can be created in it;
 * - the output is not a folder.
 *
 * Each problem is an InputError: one line naming the path, exit code 2.
 */
import * as fs from "fs";
import * as path from "path";
import { InputError } from "@ts-course/cli";

export type OutputFormat = "html" | "ipynb";

const EXTENSIONS: Record<OutputFormat, RegExp> = { html: /\.html?$/i, ipynb: /\.ipynb$/i };

/** True when two paths name the same file (also through links), or the same path where neither exists. */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

export function checkOutput(output: string, format: OutputFormat, inputs: string[] = []): void {
  if (!EXTENSIONS[format].test(output)) {
    const want = format === "html" ? ".html" : ".ipynb";
    throw new InputError(`${output}: this output is ${format === "html" ? "HTML" : "a notebook"}; give it a name ending in ${want}`);
  }
  for (const input of inputs) {
    if (sameFile(input, output)) throw new InputError(`${output} is the input notebook itself: it would be replaced by ${format === "html" ? "HTML" : "its executed copy"}; write elsewhere`);
  }
  checkWritable(output);
}

/** The output's folder can be made and written, and the output itself is not a folder. */
export function checkWritable(output: string): void {
  const dir = path.dirname(path.resolve(output));
  try {
    if (fs.statSync(output).isDirectory()) throw new InputError(`${output} is a folder: give a file name`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    // does not exist yet: fine
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.nbconvert-ts-write-check-${process.pid}`);
    fs.closeSync(fs.openSync(probe, "wx"));
    fs.rmSync(probe, { force: true });
  } catch (e) {
    throw new InputError(`cannot write ${output}: ${describeFsError(e)}`);
  }
}

/** Runs a write, turning a file-system failure into a message that names the output, not a temporary file. */
export function writeOrExplain<T>(output: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new InputError(`cannot write ${output}: ${describeFsError(e)}`);
    throw e;
  }
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "not permitted",
    EROFS: "the file system is read-only",
    ENOTDIR: "a part of the path is a file, not a folder",
    EEXIST: "a part of the path is a file, not a folder",
    ENOSPC: "no space left on the device",
    EISDIR: "it is a folder",
  };
  return err.code ? `${what[err.code] ?? err.code} (${err.code})` : String(err.message ?? e);
}
