import * as fs from "fs";

/**
 * Puts `src` at `dst` for other users to read (the grader's sandbox user, students' servers):
 * a hard link when the source is already readable by others and not writable by them (no bytes
 * copied, and no one can change it through the link), else a copy with `mode` plus the source's
 * execute bits. A link fails across file systems; then it copies too.
 */
export function placeFile(src: string, dst: string, st: fs.Stats = fs.statSync(src), mode = 0o644): void {
  if ((st.mode & 0o004) !== 0 && (st.mode & 0o002) === 0) {
    try {
      fs.linkSync(src, dst);
      return;
    } catch {
      /* another file system: copy */
    }
  }
  fs.copyFileSync(src, dst);
  fs.chmodSync(dst, mode | (st.mode & 0o111 ? 0o111 : 0));
}
