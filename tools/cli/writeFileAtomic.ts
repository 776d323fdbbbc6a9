/**
 * Writing files atomically: the one home for it in the course's tools (the notebook model's
 * writeNotebook, handouts, caches, kernelspecs all use it).
 *
 * The content goes to a temporary file in the target's folder, is flushed to disk (fsync), and
 * is renamed over the target; then the folder itself is flushed, so that the rename survives a
 * crash too. A reader (or a crash half-way) sees the old file or the new one, never half of one,
 * and a failed write leaves no temporary file behind.
 */
import * as fs from "fs";
import * as path from "path";

/** A piece of the output: text, bytes, or the contents of another file (copied, not loaded). */
export type Chunk = string | Uint8Array | { copyOf: string };

export interface WriteOptions {
  /** File mode of a new file (default 0o666 less the umask). */
  mode?: number;
}

export function writeFileAtomic(file: string, content: Chunk | Chunk[], options: WriteOptions = {}): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${namePrefix(path.basename(target))}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(tmp, "wx", options.mode);
  try {
    for (const chunk of Array.isArray(content) ? content : [content]) {
      if (typeof chunk === "string") writeAll(fd, Buffer.from(chunk));
      else if (chunk instanceof Uint8Array) writeAll(fd, chunk);
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
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncFolder(dir);
}

/**
 * The target's name, cut to at most 100 bytes (whole characters): the temporary name adds about
 * 30, and a target may already have the longest name a folder allows (255 bytes).
 */
function namePrefix(name: string): string {
  let prefix = name;
  while (Buffer.byteLength(prefix) > 100) prefix = [...prefix].slice(0, -1).join("");
  return prefix;
}

/** Flushes a folder's entries (the rename); some file systems refuse, which costs only durability. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on a few file systems: the file itself is already on disk
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
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

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}
