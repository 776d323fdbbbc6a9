/**
 * Submission archives: what `npm run submit` writes and the grader's first step reads.
 *
 *   <student>-<stamp>.tar.gz
 *     manifest.json                {format, student, createdAt, files: [{path, sha256, bytes}]}
 *     exercises/<name>.ipynb       one per exercise
 *
 * Reading treats the archive as hostile: it is decompressed in memory with a size cap (no gzip
 * bomb), only regular files with expected names are taken (no links, no paths outside, nothing
 * else is ever written to disk), and each notebook must match its SHA-256 in the manifest.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import * as tar from "tar";

export const MANIFEST = "manifest.json";
export const SUBMISSION_FORMAT = "course-submission/1";
export const STUDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
const MAX_EXPANDED_BYTES = 200 * 1024 * 1024;
const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;
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

/** A submission after unpacking and verification. */
export interface Submission {
  student: string;
  /** The archive or folder it came from. */
  source: string;
  submittedAt: string | null;
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
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await tar.c({ gzip: true, file: tmp, cwd: staging, portable: true }, [MANIFEST, ...files.map((f) => f.path)]);
    fs.renameSync(tmp, out);
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The regular files of a .tar.gz, in memory, with sizes capped. */
async function readTarGz(file: string, maxExpandedBytes: number): Promise<{ entries: Map<string, Buffer>; skipped: string[] }> {
  const size = fs.statSync(file).size;
  if (size > MAX_ARCHIVE_BYTES) throw new Error(`the archive is ${(size / 1e6).toFixed(1)} MB; the limit is ${MAX_ARCHIVE_BYTES / 1e6} MB`);
  let raw: Buffer;
  try {
    raw = zlib.gunzipSync(fs.readFileSync(file), { maxOutputLength: maxExpandedBytes });
  } catch (err) {
    if (err instanceof RangeError) throw new Error(`the archive expands beyond ${maxExpandedBytes / 1e6} MB`);
    throw new Error(`the archive is not a gzip file (${(err as Error).message})`);
  }
  const entries = new Map<string, Buffer>();
  const skipped: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const name = String(entry.path).replace(/^\.\//, "");
        if (entry.type !== "File" && entry.type !== "OldFile") {
          if (entry.type !== "Directory") skipped.push(`${name} (${entry.type}: only regular files are read)`);
          entry.resume();
          return;
        }
        if (entry.size > MAX_NOTEBOOK_BYTES) {
          skipped.push(`${name} (${entry.size} bytes: too large)`);
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => entries.set(name, Buffer.concat(chunks)));
      },
    });
    parser.on("error", reject);
    parser.on("end", () => resolve());
    parser.end(raw);
  });
  return { entries, skipped };
}

/** Verifies a manifest against the files and returns the submission; never throws for bad content. */
export function verifySubmission(source: string, files: Map<string, Buffer>, extraProblems: string[] = []): Submission {
  const problems = [...extraProblems];
  const notebooks = new Map<string, string>();
  let student = "";
  let submittedAt: string | null = null;
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
  if (manifest) {
    if (manifest.format !== SUBMISSION_FORMAT) problems.push(`manifest.json has format ${JSON.stringify(manifest.format)}, expected ${SUBMISSION_FORMAT}`);
    if (typeof manifest.student === "string" && validStudentId(manifest.student)) student = manifest.student;
    else problems.push(`manifest.json has no valid student id (${JSON.stringify(manifest.student)?.slice(0, 80)})`);
    if (typeof manifest.createdAt === "string" && !Number.isNaN(Date.parse(manifest.createdAt))) submittedAt = new Date(manifest.createdAt).toISOString();
    const listed = new Map<string, ManifestFile>();
    for (const f of Array.isArray(manifest.files) ? manifest.files : []) {
      if (f && typeof f.path === "string" && typeof f.sha256 === "string") listed.set(f.path, f);
    }
    for (const [name, data] of files) {
      if (name === MANIFEST) continue;
      const m = NOTEBOOK_PATH.exec(name);
      if (!m) {
        problems.push(`ignored ${name}: not an exercise notebook`);
        continue;
      }
      const entry = listed.get(name);
      if (!entry) {
        problems.push(`ignored ${name}: not listed in manifest.json`);
        continue;
      }
      if (sha256(data) !== entry.sha256.toLowerCase()) {
        problems.push(`refused ${name}: it does not match its SHA-256 in manifest.json (changed or corrupted after submit)`);
        continue;
      }
      notebooks.set(m[1], data.toString("utf8"));
    }
    for (const p of listed.keys()) if (!files.has(p)) problems.push(`manifest.json lists ${p}, which is not in the archive`);
  }
  return { student: student || path.basename(source).replace(/\.tar\.gz$|\.tgz$/, ""), source, submittedAt, notebooks, problems };
}

/** Unpacks and verifies one archive; a broken archive becomes a submission with problems and no notebooks. */
export async function readSubmissionArchive(file: string, maxExpandedBytes = MAX_EXPANDED_BYTES): Promise<Submission> {
  try {
    const { entries, skipped } = await readTarGz(file, maxExpandedBytes);
    return verifySubmission(file, entries, skipped.map((s) => `ignored ${s}`));
  } catch (err) {
    return verifySubmission(file, new Map(), [`unreadable archive: ${(err as Error).message}`]);
  }
}

/** An unpacked submission folder (manifest.json + notebooks), verified the same way. */
export function readSubmissionFolder(dir: string): Submission {
  const files = new Map<string, Buffer>();
  const add = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    if (st.isFile() && st.size <= MAX_NOTEBOOK_BYTES) files.set(rel, fs.readFileSync(full));
  };
  if (fs.existsSync(path.join(dir, MANIFEST))) add(MANIFEST);
  for (const sub of ["", "exercises"]) {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d) || !fs.lstatSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d)) if (f.endsWith(".ipynb")) add(sub ? `${sub}/${f}` : f);
  }
  return verifySubmission(dir, files);
}

/** Archives and submission folders named on the command line (a folder of archives is expanded). */
export function findSubmissionSources(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`${input} does not exist`);
    const st = fs.statSync(input);
    if (st.isFile()) out.push(input);
    else if (fs.existsSync(path.join(input, MANIFEST))) out.push(input);
    else {
      for (const f of fs.readdirSync(input).sort()) {
        const full = path.join(input, f);
        if (/\.(tar\.gz|tgz)$/.test(f)) out.push(full);
        else if (fs.statSync(full).isDirectory() && fs.existsSync(path.join(full, MANIFEST))) out.push(full);
      }
    }
  }
  return out;
}

export async function readSubmission(source: string): Promise<Submission> {
  return fs.statSync(source).isDirectory() ? readSubmissionFolder(source) : readSubmissionArchive(source);
}
