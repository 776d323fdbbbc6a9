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
import { readSubmissionArchive, sha256, verifySubmission, writeSubmissionArchive } from "../../tools/grader/archive";
import { exerciseDifferences, generateExercises } from "../../tools/grader/exercises";
import { compileCell, freeNames, importBindings, scriptSource } from "../../tools/grader/extract";
import { cellSource, gradedCells, readNotebook } from "../../tools/grader/notebook";
import { EXERCISES_DIR, PUBLIC_SPECS_DIR, SOLUTIONS_DIR } from "../../tools/grader/paths";
import { readRegistry } from "../../tools/grader/registry";
import { csvField, escapeHtml } from "../../tools/grader/report";
import { decodeValue, encodeValue } from "../../tools/grader/sandbox/values";
import { findSolutionRegions, stripSolutions } from "../../tools/grader/solutionRegions";
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
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(e.type ?? "0", 156);
    if (e.link) h.write(e.link, 157, 100);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
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
      assert.ok(check.errors.some((e) => e.includes("gans.ipynb is not valid JSON")), check.errors.join("\n"));
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

  describe("reports", () => {
    it("escape HTML and defuse spreadsheet formulas", () => {
      assert.equal(escapeHtml(`<script>"x"&'y'</script>`), "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;");
      assert.equal(csvField("=HYPERLINK(1)"), "'=HYPERLINK(1)");
      assert.equal(csvField('a,"b"'), '"a,""b"""');
      assert.equal(csvField(1 / 3), "0.333");
    });
  });
});
