/**
 * Submission archives: what `npm run submit` writes and the grader's first step reads.
 *
 *   <student>-<stamp>.tar.gz
 *     manifest.json                {format, student, createdAt, files: [{path, sha256, bytes}]}
 *     exercises/<name>.ipynb       one per exercise
 *
 * Reading treats the archive as hostile: it is streamed (gunzip → tar) with every size capped
 * (the archive, what it expands to, each kept file, the number of entries), only regular files with
 * expected names are kept (no links, no paths outside, nothing is ever written to disk), and each
 * notebook must match its SHA-256 in the manifest. What the manifest says about who made it and
 * when is a claim, kept as such: identity.ts decides whose submission it is.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import * as zlib from "zlib";
import * as tar from "tar";
import { capList, printableLine } from "./text";
import { writeFileAtomic } from "@ts-course/cli";

export const MANIFEST = "manifest.json";
export const SUBMISSION_FORMAT = "course-submission/1";
export const STUDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
export const MAX_EXPANDED_BYTES = 200 * 1024 * 1024;
export const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;
/** Entries read from one archive (the course's have four). */
export const MAX_ENTRIES = 200;
const NOTEBOOK_PATH = /^(?:exercises\/)?([A-Za-z0-9][A-Za-z0-9._-]{0,80})\.ipynb$/;

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: typeof SUBMISSION_FORMAT;
  student: string;
  createdAt: string;
  files: ManifestFile[];
}

/** An archive or folder after unpacking and verification: the notebooks, and what it claims. */
export interface Unpacked {
  /** The archive or folder it came from. */
  source: string;
  /** What the manifest says: a claim of the submitter, never identity or time by itself. */
  claimed: { student: string | null; createdAt: string | null };
  /** exercise name → notebook text (only files that match the manifest). */
  notebooks: Map<string, string>;
  /** What was wrong with it (refused files, manifest mismatches): shown in the feedback. */
  problems: string[];
}

export function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

export function validStudentId(id: string): boolean {
  return STUDENT_ID_PATTERN.test(id);
}

/** Writes the archive: the given notebooks under exercises/ plus the manifest. Returns the manifest. */
export async function writeSubmissionArchive(student: string, notebooks: { name: string; file: string }[], out: string, now = new Date()): Promise<Manifest> {
  if (!validStudentId(student)) throw new Error(`student id "${student}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "course-submit-"));
  try {
    fs.mkdirSync(path.join(staging, "exercises"));
    const files: ManifestFile[] = [];
    for (const nb of notebooks) {
      const data = fs.readFileSync(nb.file);
      const rel = `exercises/${nb.name}.ipynb`;
      fs.writeFileSync(path.join(staging, rel), data);
      files.push({ path: rel, sha256: sha256(data), bytes: data.length });
    }
    const manifest: Manifest = { format: SUBMISSION_FORMAT, student, createdAt: now.toISOString(), files };
    fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    // Packed in memory (an archive is capped at MAX_ARCHIVE_BYTES), then written atomically.
    const packed: Buffer[] = [];
    for await (const chunk of tar.c({ gzip: true, cwd: staging, portable: true }, [MANIFEST, ...files.map((f) => f.path)])) packed.push(Buffer.from(chunk as Uint8Array));
    writeFileAtomic(out, packed);
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The regular files of a .tar.gz that `keep` wants, streamed, with every size capped. */
async function readTarGz(archive: string | Buffer, maxExpandedBytes: number, keep: (name: string) => boolean): Promise<{ entries: Map<string, Buffer>; skipped: string[] }> {
  const size = typeof archive === "string" ? fs.statSync(archive).size : archive.length;
  if (size > MAX_ARCHIVE_BYTES) throw new Error(`the archive is ${(size / 1e6).toFixed(1)} MB; the limit is ${MAX_ARCHIVE_BYTES / 1e6} MB`);
  const entries = new Map<string, Buffer>();
  const skipped: string[] = [];
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    const input = typeof archive === "string" ? fs.createReadStream(archive) : Readable.from([archive]);
    const gunzip = zlib.createGunzip();
    let expanded = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      input.destroy();
      gunzip.destroy();
      reject(err);
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const name = String(entry.path).replace(/^\.\//, "");
        if (++count > MAX_ENTRIES) {
          if (count === MAX_ENTRIES + 1) skipped.push(`entries after the first ${MAX_ENTRIES} (not read)`);
          entry.resume();
          return;
        }
        if (entry.type !== "File" && entry.type !== "OldFile") {
          if (entry.type !== "Directory") skipped.push(`${printableLine(name, 200)} (${entry.type}: only regular files are read)`);
          entry.resume();
          return;
        }
        if (!keep(name)) {
          skipped.push(`${printableLine(name, 200)}: not an exercise notebook`);
          entry.resume();
          return;
        }
        if (entry.size > MAX_NOTEBOOK_BYTES) {
          skipped.push(`${printableLine(name, 200)} (${entry.size} bytes: too large)`);
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => entries.set(name, Buffer.concat(chunks)));
      },
    });
    parser.on("error", (err: Error) => fail(err));
    gunzip.on("data", (chunk: Buffer) => {
      expanded += chunk.length;
      if (expanded > maxExpandedBytes) return fail(new RangeError(`the archive expands beyond ${maxExpandedBytes / 1e6} MB`));
      parser.write(chunk);
    });
    gunzip.on("end", () => {
      if (failed) return;
      parser.end();
    });
    parser.on("end", () => (failed ? undefined : resolve()));
    gunzip.on("error", (err: Error) => fail(new Error(`the archive is not a gzip file (${err.message})`)));
    input.on("error", (err: Error) => fail(err));
    input.pipe(gunzip);
  });
  return { entries, skipped };
}

/** Verifies a manifest against the files; never throws for bad content. */
export function verifySubmission(source: string, files: Map<string, Buffer>, extraProblems: string[] = []): Unpacked {
  const problems = [...extraProblems];
  const notebooks = new Map<string, string>();
  const claimed: Unpacked["claimed"] = { student: null, createdAt: null };
  const manifestData = files.get(MANIFEST);
  let manifest: Partial<Manifest> | null = null;
  if (!manifestData) problems.push("no manifest.json: the archive was not made by `npm run submit`");
  else {
    try {
      manifest = JSON.parse(manifestData.toString("utf8")) as Partial<Manifest>;
    } catch {
      problems.push("manifest.json is not valid JSON");
    }
  }
  if (manifest && typeof manifest === "object") {
    if (manifest.format !== SUBMISSION_FORMAT) problems.push(`manifest.json has format ${printableLine(JSON.stringify(manifest.format) ?? "none", 80)}, expected ${SUBMISSION_FORMAT}`);
    if (typeof manifest.student === "string" && validStudentId(manifest.student)) claimed.student = manifest.student;
    else problems.push(`manifest.json has no valid student id (${printableLine(JSON.stringify(manifest.student) ?? "none", 80)})`);
    if (typeof manifest.createdAt === "string" && !Number.isNaN(Date.parse(manifest.createdAt))) claimed.createdAt = new Date(manifest.createdAt).toISOString();
    const listed = new Map<string, ManifestFile>();
    for (const f of Array.isArray(manifest.files) ? manifest.files.slice(0, MAX_ENTRIES) : []) {
      if (f && typeof f.path === "string" && typeof f.sha256 === "string") listed.set(f.path, f);
    }
    for (const [name, data] of files) {
      if (name === MANIFEST) continue;
      const shown = printableLine(name, 200);
      const m = NOTEBOOK_PATH.exec(name);
      if (!m) {
        problems.push(`ignored ${shown}: not an exercise notebook`);
        continue;
      }
      const entry = listed.get(name);
      if (!entry) {
        problems.push(`ignored ${shown}: not listed in manifest.json`);
        continue;
      }
      if (sha256(data) !== entry.sha256.toLowerCase()) {
        problems.push(`refused ${shown}: it does not match its SHA-256 in manifest.json (changed or corrupted after submit)`);
        continue;
      }
      notebooks.set(m[1], data.toString("utf8"));
    }
    for (const p of listed.keys()) if (!files.has(p)) problems.push(`manifest.json lists ${printableLine(p, 200)}, which is not in the archive`);
  }
  return { source, claimed, notebooks, problems: capList(problems, 30, 400) };
}

const wanted = (name: string) => name === MANIFEST || NOTEBOOK_PATH.test(name);

/** Unpacks and verifies one archive; a broken archive becomes a submission with problems and no notebooks. */
export async function readSubmissionArchive(file: string, maxExpandedBytes = MAX_EXPANDED_BYTES): Promise<Unpacked> {
  try {
    const { entries, skipped } = await readTarGz(file, maxExpandedBytes, wanted);
    return verifySubmission(file, entries, skipped.map((s) => `ignored ${s}`));
  } catch (err) {
    return verifySubmission(file, new Map(), [`unreadable archive: ${printableLine((err as Error).message, 300)}`]);
  }
}

/** The same for an archive in memory (an upload), named `source` in messages. */
export async function readSubmissionBuffer(archive: Buffer, source: string, maxExpandedBytes = MAX_EXPANDED_BYTES): Promise<Unpacked> {
  try {
    const { entries, skipped } = await readTarGz(archive, maxExpandedBytes, wanted);
    return verifySubmission(source, entries, skipped.map((s) => `ignored ${s}`));
  } catch (err) {
    return verifySubmission(source, new Map(), [`unreadable archive: ${printableLine((err as Error).message, 300)}`]);
  }
}

/** An unpacked submission folder (manifest.json + notebooks), verified the same way. */
export function readSubmissionFolder(dir: string): Unpacked {
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  const add = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    if (!st.isFile()) problems.push(`ignored ${printableLine(rel, 200)}: not a regular file`);
    else if (st.size > MAX_NOTEBOOK_BYTES) problems.push(`ignored ${printableLine(rel, 200)} (${st.size} bytes: too large)`);
    else files.set(rel, fs.readFileSync(full));
  };
  if (fs.existsSync(path.join(dir, MANIFEST))) add(MANIFEST);
  for (const sub of ["", "exercises"]) {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d) || !fs.lstatSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d).filter((f) => f.endsWith(".ipynb")).slice(0, MAX_ENTRIES)) add(sub ? `${sub}/${f}` : f);
  }
  return verifySubmission(dir, files, problems);
}

/**
 * Archives and submission folders named on the command line. A folder of archives is expanded,
 * and so is a folder of folders each holding a student's archives (an LMS export by student).
 */
export function findSubmissionSources(inputs: string[]): string[] {
  const out: string[] = [];
  const isArchive = (f: string) => /\.(tar\.gz|tgz)$/.test(f);
  const hasManifest = (d: string) => fs.existsSync(path.join(d, MANIFEST));
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`${input} does not exist`);
    if (fs.statSync(input).isFile() || hasManifest(input)) {
      out.push(input);
      continue;
    }
    for (const f of fs.readdirSync(input).sort()) {
      const full = path.join(input, f);
      const st = fs.statSync(full);
      if (st.isFile() && isArchive(f)) out.push(full);
      else if (st.isDirectory() && hasManifest(full)) out.push(full);
      else if (st.isDirectory()) for (const g of fs.readdirSync(full).sort()) if (isArchive(g) && fs.statSync(path.join(full, g)).isFile()) out.push(path.join(full, g));
    }
  }
  return out;
}

export async function readSubmission(source: string): Promise<Unpacked> {
  return fs.statSync(source).isDirectory() ? readSubmissionFolder(source) : readSubmissionArchive(source);
}
