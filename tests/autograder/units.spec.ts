/**
 * The grader's small steps, one by one (no sandbox, fast): exercises generated from solutions,
 * solution regions, extraction of graded cells, archives and their manifest, submit's refusals,
 * value encoding, and the escaping of reports.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { findSubmissionSources, readSubmissionArchive, sha256, verifySubmission, writeSubmissionArchive } from "../../tools/grader/archive";
import { exerciseDifferences, generateExercises } from "../../tools/grader/exercises";
import { compileCell, freeNames, importBindings, scriptSource } from "../../tools/grader/extract";
import { nestedFunctions, tarHeader } from "../../tools/grader/fixtures/hostileInputs";
import { cellSource, findSolutionRegions, gradedCells, readNotebook, stripSolutions } from "@ts-course/notebook";
import { EXERCISES_DIR, PUBLIC_SPECS_DIR, SOLUTIONS_DIR } from "../../tools/grader/paths";
import { readRegistry } from "../../tools/grader/registry";
import { channelName, DEFAULT_FILE_PATTERN, idFromName, identify, latestPerStudent } from "../../tools/grader/identity";
import { csvField, escapeHtml, feedbackFileName } from "../../tools/grader/report";
import { decodeResult } from "../../tools/grader/spec";
import { printable, printableLine } from "../../tools/grader/text";
import { decodeValue, encodeValue } from "../../tools/grader/sandbox/values";
import { checkForSubmission } from "../../tools/grader/submit";

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-grader-unit-"));
  made.push(dir);
  return dir;
};
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A raw ustar archive, to build entries node-tar would refuse to write (../, links). */
function rawTar(entries: { name: string; type?: string; data?: string; link?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    blocks.push(tarHeader(e.name, data.length, e.type, e.link), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

describe("grader steps", () => {
  describe("exercises from solutions", () => {
    it("exercises/ is exactly what solutions/ generates (CI: npm run exercises -- --check)", () => {
      assert.deepEqual(exerciseDifferences(generateExercises()), []);
    });

    it("has at least three graded cells with points per lecture", () => {
      const reg = readRegistry();
      assert.deepEqual(reg.exercises.map((e) => e.lecture), ["2022-10-28", "2022-10-29", "2022-11-14"]);
      for (const e of reg.exercises) {
        assert.ok(e.graded.length >= 3, e.name);
        for (const g of e.graded) assert.ok(g.points > 0 && g.functions.length > 0, g.gradeId);
      }
    });

    it("leaves no line of reference code in the exercises, and every stub throws", () => {
      for (const file of fs.readdirSync(SOLUTIONS_DIR).filter((f) => f.endsWith(".ipynb"))) {
        const exerciseText = fs.readFileSync(path.join(EXERCISES_DIR, file), "utf8");
        const exercise = readNotebook(path.join(EXERCISES_DIR, file));
        for (const cell of readNotebook(path.join(SOLUTIONS_DIR, file)).cells) {
          const src = cellSource(cell);
          const lines = src.split("\n");
          for (const r of findSolutionRegions(src)) {
            for (const line of lines.slice(r.beginLine + 1, r.endLine)) {
              const t = line.trim();
              if (t.length >= 24) assert.ok(!exerciseText.includes(JSON.stringify(t).slice(1, -1)), `${file}: "${t}" leaked into the exercise`);
            }
          }
        }
        for (const g of gradedCells(exercise)) assert.match(g.source, /throw new Error\("not implemented yet: \w+ \(exercise [a-z0-9-]+\)"\)/, g.gradeId);
      }
    });

    it("ships no hidden test: nothing in exercises/ or the public specs refers to them", () => {
      for (const dir of [EXERCISES_DIR, PUBLIC_SPECS_DIR]) {
        for (const f of fs.readdirSync(dir)) assert.ok(!/hidden\//.test(fs.readFileSync(path.join(dir, f), "utf8")), `${f} mentions hidden/`);
      }
    });
  });

  describe("solution regions", () => {
    it("replaces each region by a stub naming the function, at the same indentation", () => {
      const src = "function f(x: number): number {\n  // BEGIN SOLUTION\n  return x + 1;\n  // END SOLUTION\n}";
      assert.equal(stripSolutions(src, "ex-a"), 'function f(x: number): number {\n  // YOUR CODE HERE\n  throw new Error("not implemented yet: f (exercise ex-a)");\n}');
    });
    it("refuses unbalanced markers with the line", () => {
      assert.throws(() => findSolutionRegions("// BEGIN SOLUTION\nx", "c"), /line 1 is never closed/);
      assert.throws(() => findSolutionRegions("x\n// END SOLUTION", "c"), /line 2 closes/);
      assert.throws(() => findSolutionRegions("// BEGIN SOLUTION\n// BEGIN SOLUTION", "c"), /inside/);
    });
  });

  describe("extracting graded cells", () => {
    it("binds only the imports graded code reads (a parameter named like an import does not count)", () => {
      const cell = "function noise(x: tf.Tensor, seed?: number) { return tf.mul(x, seed ?? 1); }";
      const names = freeNames(cell);
      assert.ok(names.has("tf"));
      assert.ok(!names.has("seed") && !names.has("x"));
      assert.ok(freeNames("const y = seed(3);").has("seed"));
    });
    it("places names by their real scope: a local in a nested function or a block hides nothing outside it", () => {
      assert.ok(freeNames("function f(x: number) { const g = () => { const tf = 1; return tf; }; return tf.add(x, g()); }").has("tf"), "a nested function's local hid the outer tf");
      assert.ok(freeNames("function f() { { const tf = 1; } return tf.zeros([1]); }").has("tf"), "a block's local hid the tf after it");
      assert.ok(!freeNames("function f() { var tf = 1; if (tf) { return tf; } }").has("tf"), "a var is function-scoped");
      assert.ok(!freeNames("function f() { try { g(); } catch (tf) { return tf; } for (const seed of [1]) seed; }").has("seed"));
      assert.ok(freeNames("function f() { try { g(); } catch (tf) { } return tf.ones([1]); }").has("tf"), "a catch variable hid the tf after it");
    });
    it("finds the free names of deeply nested code in time linear in its size (it was quadratic)", () => {
      const src = nestedFunctions(650);
      const t0 = Date.now();
      const names = freeNames(src);
      assert.ok(names.has("tf") && names.has("Math") && !names.has("a10"));
      assert.ok(Date.now() - t0 < 1_000, `${Date.now() - t0} ms for ${src.length} characters nested 650 deep`);
    });
    it("reads every kind of import", () => {
      const b = importBindings('import * as tf from "@tensorflow/tfjs";\nimport d, { a, b as c } from "./lib/index";\nimport type { T } from "x";');
      assert.deepEqual(b.map((x) => `${x.kind}:${x.local}:${x.imported ?? ""}:${x.module}`), [
        "namespace:tf::@tensorflow/tfjs",
        "default:d::./lib/index",
        "named:a:a:./lib/index",
        "named:c:b:./lib/index",
      ]);
    });
    it("turns a cell into a script with the same line numbers, and names a syntax error's line", () => {
      const src = 'import * as tf from "x";\nexport function f() {\n  return 1;\n}';
      const script = scriptSource(src);
      assert.equal(script.split("\n").length, 4);
      assert.ok(!script.includes("import") && !script.includes("export"));
      assert.ok(compileCell(src).js?.includes("function f()"));
      assert.match(compileCell("const a = 1;\nfunction (x {\n}").error ?? "", /syntax error at line 2/);
    });
  });

  describe("archives and manifests", () => {
    const registryNotebooks = () => readRegistry().exercises.map((e) => ({ name: e.name, file: path.join(EXERCISES_DIR, e.notebook) }));

    it("round-trips notebooks with their SHA-256 in the manifest", async () => {
      const dir = tmp();
      const file = path.join(dir, "a.tar.gz");
      const manifest = await writeSubmissionArchive("alice_01", registryNotebooks(), file, new Date("2026-01-02T03:04:05Z"));
      const sub = await readSubmissionArchive(file);
      assert.equal(sub.claimed.student, "alice_01");
      assert.equal(sub.claimed.createdAt, "2026-01-02T03:04:05.000Z");
      assert.deepEqual(sub.problems, []);
      assert.equal(sub.notebooks.size, manifest.files.length);
      for (const f of manifest.files) assert.equal(sha256(fs.readFileSync(path.join(EXERCISES_DIR, path.basename(f.path)))), f.sha256);
    });

    it("refuses a notebook changed after submit, and ignores paths outside, links and strangers", () => {
      const nb = '{"nbformat": 4, "cells": []}';
      const manifest = JSON.stringify({ format: "course-submission/1", student: "bob", createdAt: "2026-01-01T00:00:00Z", files: [{ path: "exercises/gans.ipynb", sha256: sha256("something else"), bytes: 5 }] });
      const files = new Map([["manifest.json", Buffer.from(manifest)], ["exercises/gans.ipynb", Buffer.from(nb)], ["../../etc/evil.ipynb", Buffer.from(nb)], ["notes.txt", Buffer.from("x")]]);
      const sub = verifySubmission("x", files);
      assert.equal(sub.notebooks.size, 0);
      assert.ok(sub.problems.some((p) => p.includes("does not match its SHA-256")));
      assert.ok(sub.problems.some((p) => p.includes("../../etc/evil.ipynb")));
      assert.ok(sub.problems.some((p) => p.includes("notes.txt")));
    });

    it("reads hostile tar files without writing anything: traversal, symlinks, bad ids, gzip bombs", async () => {
      const dir = tmp();
      const nb = '{"nbformat": 4, "cells": []}';
      const manifest = JSON.stringify({ format: "course-submission/1", student: "=HYPERLINK(1)", createdAt: "2026-01-01T00:00:00Z", files: [{ path: "exercises/gans.ipynb", sha256: sha256(nb), bytes: nb.length }] });
      const evil = path.join(dir, "evil.tar.gz");
      fs.writeFileSync(evil, rawTar([{ name: "manifest.json", data: manifest }, { name: "exercises/gans.ipynb", data: nb }, { name: "../escaped.ipynb", data: nb }, { name: "exercises/link.ipynb", type: "2", link: "/etc/passwd" }]));
      const sub = await readSubmissionArchive(evil);
      assert.ok(!fs.existsSync(path.join(dir, "..", "escaped.ipynb")));
      assert.deepEqual([...sub.notebooks.keys()], ["gans"]);
      assert.ok(sub.problems.some((p) => p.includes("no valid student id")));
      assert.ok(sub.problems.some((p) => p.includes("SymbolicLink")));
      const bomb = path.join(dir, "bomb.tar.gz");
      fs.writeFileSync(bomb, zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024))); // 20 KB that expand to 20 MB
      const b = await readSubmissionArchive(bomb, 4 * 1024 * 1024);
      assert.ok(b.problems.some((p) => p.includes("expands beyond")), b.problems.join("; "));
      fs.writeFileSync(path.join(dir, "junk.tar.gz"), "not gzip");
      const j = await readSubmissionArchive(path.join(dir, "junk.tar.gz"));
      assert.ok(j.problems.some((p) => p.includes("unreadable archive")));
    });
  });

  describe("identity and time", () => {
    const unpacked = (source: string, student: string | null, createdAt: string | null) => ({ source, claimed: { student, createdAt }, notebooks: new Map<string, string>(), problems: [] });
    const now = new Date("2026-06-01T12:00:00Z");
    it("takes the id from the file name the collection channel gives, and flags what the archive claims otherwise", () => {
      assert.equal(idFromName("alice-20260102-030405.tar.gz", undefined, false), "alice");
      assert.equal(idFromName("alice-20260102-030405 (1).tar.gz", undefined, false), "alice");
      assert.ok(DEFAULT_FILE_PATTERN.test("bob.tgz"));
      assert.equal(idFromName("smith_12345_678_alice-2026.tar.gz", /^[a-z]+_(\d+)_/, false), "12345");
      assert.equal(channelName("/x/Alice Smith_123_assignsubmission_file_/a.tar.gz", "folder-name", false), "Alice Smith_123_assignsubmission_file_");
      const s = identify(unpacked("/in/alice.tar.gz", "bob", "2099-01-01T00:00:00.000Z"), { from: "file-name", now });
      assert.equal(s.student, "alice");
      assert.equal(s.claimedStudent, "bob");
      assert.deepEqual(s.flags.map((f) => f.kind), ["identity-mismatch", "time-future"]);
      assert.deepEqual(identify(unpacked("/in/carol.tar.gz", "carol", "2020-01-01T00:00:00.000Z"), { from: "file-name", now }).flags.map((f) => f.kind), ["time-far-past"]);
      assert.deepEqual(identify(unpacked("/in/dan.tar.gz", "dan", null), { from: "file-name", now }).flags.map((f) => f.kind), ["time-missing"]);
      const esc = identify(unpacked("/in/eve\u001b[2J.tar.gz", null, now.toISOString()), { from: "file-name", now });
      assert.equal(esc.student, "eve\\x1b[2J");
      assert.ok(esc.flags.some((f) => f.kind === "identity-unclear"));
      assert.equal(identify(unpacked("/in/x.tar.gz", "frank", now.toISOString()), { from: "manifest", now }).student, "frank");
    });
    it("finds archives in an LMS export by student (one folder each) and takes the id from the folder's name", async () => {
      const dir = tmp();
      for (const [folder, file] of [["Alice Smith_101_assignsubmission_file_", "a.tar.gz"], ["Bob Jones_102_assignsubmission_file_", "mine (1).tgz"]]) {
        fs.mkdirSync(path.join(dir, folder));
        fs.writeFileSync(path.join(dir, folder, file), "not really an archive");
      }
      const sources = findSubmissionSources([dir]);
      assert.equal(sources.length, 2);
      const ids = await Promise.all(sources.map(async (s) => identify(await readSubmissionArchive(s), { from: "folder-name", pattern: /_(\d+)_assignsubmission/, now }).student));
      assert.deepEqual(ids, ["101", "102"]);
    });
    it("keeps the latest of a student's submissions, lists the others with it, and flags an uncertain order", () => {
      const a = identify(unpacked("/in/alice-20260101-000000.tar.gz", "alice", "2026-05-01T00:00:00.000Z"), { from: "file-name", now });
      const b = identify(unpacked("/in/alice-20260102-000000.tar.gz", "alice", "2026-05-02T00:00:00.000Z"), { from: "file-name", now });
      const c = identify(unpacked("/in/bob.tar.gz", "bob", "2026-05-02T00:00:00.000Z"), { from: "file-name", now });
      const kept = latestPerStudent([b, c, a]);
      assert.deepEqual(kept.map((k) => k.source), ["/in/alice-20260102-000000.tar.gz", "/in/bob.tar.gz"]);
      assert.deepEqual(kept[0].others.map((o) => o.source), ["/in/alice-20260101-000000.tar.gz"]);
      assert.deepEqual(kept[0].flags.map((f) => f.kind), ["superseded-others"]);
      const future = identify(unpacked("/in/alice-old.tar.gz", "alice", "2099-01-01T00:00:00.000Z"), { from: "file-name", pattern: /^(alice)/, now });
      const [k] = latestPerStudent([a, future]);
      assert.equal(k.source, "/in/alice-old.tar.gz");
      assert.ok(k.flags.some((f) => f.kind === "order-uncertain"), "a future claim decided the order unflagged");
    });
  });

  describe("npm run submit's checks", () => {
    it("refuses a notebook that does not parse or lost a graded cell, warns about stubs", () => {
      const dir = tmp();
      const reg = readRegistry();
      for (const e of reg.exercises) fs.copyFileSync(path.join(EXERCISES_DIR, e.notebook), path.join(dir, e.notebook));
      let check = checkForSubmission(reg, dir);
      assert.deepEqual(check.errors, []);
      assert.ok(check.warnings.some((w) => w.includes("not implemented yet")));
      fs.writeFileSync(path.join(dir, "gans.ipynb"), '{"nbformat": 4, "cells": [');
      const ae = JSON.parse(fs.readFileSync(path.join(dir, "autoencoders.ipynb"), "utf8"));
      ae.cells = ae.cells.filter((c: { metadata: { course?: { grade_id?: string } } }) => c.metadata.course?.grade_id !== "ae-auroc");
      fs.writeFileSync(path.join(dir, "autoencoders.ipynb"), JSON.stringify(ae));
      check = checkForSubmission(reg, dir);
      assert.ok(check.errors.some((e) => e.includes("gans.ipynb: not valid JSON")), check.errors.join("\n"));
      assert.ok(check.errors.some((e) => e.includes("ae-auroc is missing")), check.errors.join("\n"));
    });
  });

  describe("values across the sandbox boundary", () => {
    it("round-trips NaN, infinities, undefined, maps, sets, typed arrays; bounds cycles", () => {
      const v = { a: [NaN, Infinity, -Infinity, 1.5], b: undefined, m: new Map([["k", 1]]), s: new Set([2]), t: new Float32Array([1, 2]), $weird: 1 };
      const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v)))) as typeof v;
      assert.ok(Number.isNaN(back.a[0]) && back.a[1] === Infinity && back.a[2] === -Infinity && back.a[3] === 1.5);
      assert.ok("b" in back && back.b === undefined);
      assert.equal(back.m.get("k"), 1);
      assert.ok(back.s.has(2));
      assert.deepEqual(Array.from(back.t), [1, 2]);
      assert.equal(back.$weird, 1);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      assert.deepEqual(encodeValue(cyclic), { self: { $unsupported: "a cycle" } });
      const sneaky = decodeValue(JSON.parse('{"__proto__": {"passed": true}, "x": 1}')) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(sneaky), Object.prototype);
      assert.equal(({} as Record<string, unknown>).passed, undefined);
    });
  });

  describe("values from the sandbox", () => {
    it("refuses a tensor whose data does not fill its shape, or whose shape is not whole numbers", () => {
      const ok = decodeResult({ $tensor: { shape: [2, 2], dtype: "float32", data: [1, 2, 3, 4] } });
      assert.equal((ok as { shape: number[] }).shape.join(), "2,2");
      for (const bad of [
        { shape: [100, 200], dtype: "float32", data: [0, 1, 0, 1, 1, 1, 0, 1, 1, 1] },
        { shape: [2, -2], dtype: "float32", data: [] },
        { shape: [1.5], dtype: "float32", data: [1] },
        { shape: [1], dtype: "evil", data: [1] },
        { shape: "nope", dtype: "float32", data: [1] },
      ]) {
        const v = decodeResult({ $tensor: bad }) as { $unsupported?: string };
        assert.match(String(v.$unsupported), /malformed tensor/, JSON.stringify(bad).slice(0, 80));
      }
    });
  });

  describe("reports", () => {
    it("show control characters as escapes and cap the length of what students shape", () => {
      assert.equal(printableLine("a\u001b[31mb\r\nc\u202ed"), "a\\x1b[31mb\\x0d\\nc\\u202ed");
      assert.equal(printable("line 1\nline 2\u0007"), "line 1\nline 2\\x07");
      assert.equal(printable("x".repeat(10_000), 100).length, 100);
      assert.equal(csvField("\u001b[2J=1"), "\\x1b[2J=1");
      assert.equal(csvField("=\u001b"), "'=\\x1b");
    });
    it("names feedback pages safely whatever the student id (long, odd characters, dots)", () => {
      assert.equal(feedbackFileName("alice_01"), "alice_01.html");
      for (const id of ["L".repeat(250), "eve\u001b[2J/../x", "..", "bob smith"]) {
        const f = feedbackFileName(id);
        assert.match(f, /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}\.html$/, f);
      }
      assert.notEqual(feedbackFileName("a b"), feedbackFileName("a_b"));
    });
    it("escape HTML and defuse spreadsheet formulas", () => {
      assert.equal(escapeHtml(`<script>"x"&'y'</script>`), "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;");
      assert.equal(csvField("=HYPERLINK(1)"), "'=HYPERLINK(1)");
      assert.equal(csvField('a,"b"'), '"a,""b"""');
      assert.equal(csvField(1 / 3), "0.333");
    });
  });
});
