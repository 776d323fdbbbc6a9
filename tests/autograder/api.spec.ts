/**
 * The grader's public API (tools/grader/index.ts), as the course service uses it, and the command
 * line of its four commands (one dialect: --help on each, the same answer to an unknown flag).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkNotebooks, feedbackHtml, gradeArchive, GradeRequestError, gradeNotebooks, listExercises, studentView, validateNotebook } from "../../tools/grader";
import { archiveOf, readNotebooks } from "../../tools/grader/fixtures/submissions";
import { EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR } from "../../tools/grader/paths";

const bytesOf = (dir: string, file: string) => fs.readFileSync(path.join(dir, file));

describe("the grader's public API (tools/grader/index.ts)", function () {
  this.timeout(300_000);

  it("grades notebooks as the caller's student at the caller's time, and renders escaped feedback with the caller's notes", async () => {
    const at = new Date("2026-03-04T05:06:07Z");
    const r = await gradeNotebooks({ student: "hub-user-7", submittedAt: at, notebooks: [{ name: "gans.ipynb", bytes: bytesOf(SOLUTIONS_DIR, "gans.ipynb") }] });
    assert.equal(r.student, "hub-user-7");
    assert.equal(r.submittedAt, at.toISOString());
    assert.deepEqual(r.trust, { student: "caller", submittedAt: "caller" });
    assert.equal(r.scope, "all");
    assert.equal(r.status, "graded");
    assert.equal(r.max, listExercises().find((e) => e.name === "gans")!.graded.reduce((s, g) => s + g.points, 0));
    assert.equal(r.total, r.max);
    const html = feedbackHtml(r, { notes: ["<b>2 h late</b>: −10 %"] });
    assert.ok(html.includes("&lt;b&gt;2 h late&lt;/b&gt;") && !html.includes("<b>2 h"), "the caller's note is escaped");
    assert.ok(html.includes(`${r.max} / ${r.max} points`));
  });

  it("grades an uploaded archive as the uploader, flagging an archive that names someone else", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-api-"));
    try {
      const archive = await archiveOf(readNotebooks("solutions"), dir, "upload.tar.gz", "mallory", new Date("2099-01-01T00:00:00Z"));
      const r = await gradeArchive({ student: "carol", submittedAt: new Date("2026-03-04T00:00:00Z"), archive: fs.readFileSync(archive), exercises: ["gans"] });
      assert.equal(r.student, "carol");
      assert.equal(r.submittedAt, "2026-03-04T00:00:00.000Z", "the server's time, not the archive's");
      assert.deepEqual(r.flags.map((f) => f.kind), ["identity-mismatch"]);
      assert.equal(r.total, r.max);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks the public tests only, and shows a student only what a student may see", async () => {
    const c = await checkNotebooks({ notebooks: [{ name: "gans", bytes: bytesOf(EXERCISES_DIR, "gans.ipynb") }] });
    assert.equal(c.scope, "public");
    assert.ok(c.tests.length > 0 && c.tests.every((t) => t.visibility === "public" && !t.passed));
    assert.equal(c.total, 0);
    assert.ok(c.possible! > 0 && c.possible! < c.max, `public tests carry ${c.possible} of ${c.max} points (the hidden specs are here)`);
    const r = await gradeNotebooks({ student: "dave", submittedAt: new Date(), notebooks: [{ name: "gans", bytes: bytesOf(EXERCISES_DIR, "gans.ipynb") }] });
    const seen = studentView(r);
    for (const t of seen.tests.filter((x) => x.visibility === "hidden")) assert.equal(t.message, "a hidden test: details are not shown");
    assert.ok(seen.tests.some((t) => t.visibility === "public" && /not implemented yet/.test(t.message ?? "")), "public messages stay");
    assert.deepEqual([seen.flags, seen.others, seen.source], [[], [], ""]);
  });

  it("throws for the caller's mistakes, never for the student's", async () => {
    const nb = [{ name: "gans.ipynb", bytes: bytesOf(EXERCISES_DIR, "gans.ipynb") }];
    await assert.rejects(gradeNotebooks({ student: "", submittedAt: new Date(), notebooks: nb }), GradeRequestError);
    await assert.rejects(gradeNotebooks({ student: "x\u001b[2J", submittedAt: new Date(), notebooks: nb }), GradeRequestError);
    await assert.rejects(gradeNotebooks({ student: "x", submittedAt: new Date("nope"), notebooks: nb }), GradeRequestError);
    await assert.rejects(gradeNotebooks({ student: "x", submittedAt: new Date(), notebooks: [{ name: "nope.ipynb", bytes: "{}" }] }), /no exercise named/);
    const broken = await gradeNotebooks({ student: "x", submittedAt: new Date(), notebooks: [{ name: "gans.ipynb", bytes: "{" }] });
    assert.equal(broken.status, "graded");
    assert.equal(broken.total, 0);
    assert.ok(broken.problems.some((p) => p.includes("not valid JSON")), broken.problems.join("; "));
    const v = validateNotebook({ name: "gans.ipynb", bytes: '{"nbformat": 4, "cells": []}' });
    assert.equal(v.exercise, "gans");
    assert.ok(v.errors.some((e) => /graded cells .* are missing/.test(e)), v.errors.join("; "));
  });
});

describe("the grader's commands speak the course's one dialect", function () {
  this.timeout(120_000);
  for (const [script, name] of [["check", "npm run check"], ["submit", "npm run submit"], ["autograde", "npm run autograde"], ["exercises", "npm run exercises"]]) {
    it(`${name}: --help, and the shared answer to an unknown flag`, () => {
      const run = (...args: string[]) => spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(REPO_ROOT, "tools", "grader", `${script}.ts`), ...args], { cwd: REPO_ROOT, encoding: "utf8" });
      const help = run("--help");
      assert.equal(help.status, 0, help.stderr);
      assert.ok(help.stdout.startsWith(`${name}: `) && help.stdout.includes("-h, --help"), help.stdout);
      const bad = run("--no-such-flag");
      assert.equal(bad.status, 2);
      assert.equal(bad.stderr.trim(), `${name}: unknown option --no-such-flag (see --help)`);
    });
  }
});
