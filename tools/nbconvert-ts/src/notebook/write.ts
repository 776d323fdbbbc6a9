/**
 * The last step of both branches: writing a file atomically. The content goes to a temporary
 * file in the same folder, is flushed, then renamed over the target, so a reader (or a crash
 * half-way) never sees a half-written notebook or handout.
 */
import * as fs from "fs";
import * as path from "path";
import { Notebook } from "./types";

export function writeFileAtomic(file: string, content: string | Buffer | (string | Buffer)[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    for (const chunk of Array.isArray(content) ? content : [content]) writeAll(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/** Jupyter's own layout: 1-space indent, a final newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

export function writeNotebookAtomic(file: string, nb: Notebook): void {
  writeFileAtomic(file, serializeNotebook(nb));
}
