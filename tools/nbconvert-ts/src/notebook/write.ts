/**
 * The last step of both branches: writing a file atomically. The content goes to a temporary
 * file in the same folder, is flushed, then renamed over the target, so a reader (or a crash
 * half-way) never sees a half-written notebook or handout.
 */
import * as fs from "fs";
import * as path from "path";
import { Notebook } from "./types";

/** A piece of the output: text, bytes, or the contents of another file (copied, not loaded). */
export type Chunk = string | Buffer | { copyOf: string };

export function writeFileAtomic(file: string, content: Chunk | Chunk[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    for (const chunk of Array.isArray(content) ? content : [content]) {
      if (typeof chunk === "string") writeAll(fd, Buffer.from(chunk));
      else if (Buffer.isBuffer(chunk)) writeAll(fd, chunk);
      else copyInto(fd, chunk.copyOf);
    }
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

/** Appends a file's bytes through a small buffer (plotly.js is 4.8 MB: no need to hold it). */
function copyInto(fd: number, source: string): void {
  const src = fs.openSync(source, "r");
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n = fs.readSync(src, buffer); n > 0; n = fs.readSync(src, buffer)) writeAll(fd, buffer.subarray(0, n));
  } finally {
    fs.closeSync(src);
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
