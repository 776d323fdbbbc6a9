/**
 * Written "why" questions graded by hand: generated from the solutions without their model answers,
 * recognised by their metadata, read from a submission as text, and reported "manual, ungraded"
 * with their points (CSV, feedback page, summary, `npm run check`), never in the autograded total.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { cellSource, readNotebook } from "@ts-course/notebook";
import { formatCheck } from "../../tools/grader/check";
import { exerciseFromSolution } from "../../tools/grader/exercises";
import { ANSWER_PLACEHOLDER, BEGIN_ANSWER, END_ANSWER, manualMark } from "../../tools/grader/manual";
import { EXERCISES_DIR, SOLUTIONS_DIR } from "../../tools/grader/paths";
import { prepareNotebooks } from "../../tools/grader/prepare";
import { manualItems, readRegistry } from "../../tools/grader/registry";
import { feedbackHtml, gradesCsv, summaryMarkdown } from "../../tools/grader/report";
import { manualScores, SubmissionResult } from "../../tools/grader/result";
import { checkForSubmissionText } from "../../tools/grader/submit";

const registry = readRegistry();

function resultWith(manual: SubmissionResult["manual"]): SubmissionResult {
  return {
    student: "alice",
    source: "test",
    submittedAt: null,
    trust: { student: "caller", submittedAt: "caller" },
    scope: "all",
    status: "graded",
    total: 3,
    possible: 3,
    max: 3,
    items: [{ exercise: "autoencoders", gradeId: "ae-auroc", title: "AUROC", points: 3, possible: 3, max: 3, testsPassed: 1, testsRun: 1 }],
    tests: [],
    manual,
    manualMax: manual.reduce((s, m) => s + m.max, 0),
    problems: [],
    flags: [],
    others: [],
    graderErrors: [],
    durationMs: 0,
    sandboxStarts: 0,
    attempts: 1,
  };
}

describe("written questions graded by hand", () => {
  it("every exercise ends with one, whose points come from the solution notebook", () => {
    for (const e of registry.exercises) {
      const manual = manualItems(e);
      assert.ok(manual.length >= 1 && manual.length <= 2, `${e.name}: ${manual.length} written questions`);
      const solution = readNotebook(path.join(SOLUTIONS_DIR, e.notebook));
      const marked = solution.cells.map((c) => manualMark(c)).filter((m) => m != null);
      assert.deepEqual(manual.map((m) => [m.manualId, m.points]), marked.map((m) => [m!.manualId, m!.points]));
      assert.ok(manualMark(solution.cells[solution.cells.length - 1]), `${e.name}: the last cell is the written answer`);
    }
  });

  it("gives the student a placeholder, never the model answer", () => {
    for (const e of registry.exercises) {
      const solution = readNotebook(path.join(SOLUTIONS_DIR, e.notebook));
      const exercise = readNotebook(path.join(EXERCISES_DIR, e.notebook));
      const text = fs.readFileSync(path.join(EXERCISES_DIR, e.notebook), "utf8");
      solution.cells.forEach((cell, i) => {
        if (!manualMark(cell)) return;
        const answer = cellSource(cell).split(BEGIN_ANSWER)[1].split(END_ANSWER)[0];
        for (const sentence of answer.split(/(?<=\.)\s/).map((s) => s.trim()).filter((s) => s.length > 30)) {
          assert.ok(!text.includes(JSON.stringify(sentence).slice(1, 40)), `${e.notebook}: the model answer leaked ("${sentence.slice(0, 40)}…")`);
        }
        assert.ok(cellSource(exercise.cells[i]).includes(ANSWER_PLACEHOLDER), `${e.notebook} cell ${i}: no placeholder`);
      });
    }
  });

  it("refuses a hand-graded cell that is code, has no model answer, or no points", () => {
    const nb = (cell: object) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: { course: { grade_id: "x-a", points: 1 } }, source: "function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}" }, cell] });
    const course = (extra: object) => ({ course: { manual_id: "x-why", points: 2, title: "Why", ...extra } });
    const attempt = (cell: object) => () => exerciseFromSolution(nb(cell) as never, "x.ipynb", "solutions/x.ipynb");
    assert.throws(attempt({ cell_type: "code", metadata: course({}), source: "1" }), /is a Markdown cell/);
    assert.throws(attempt({ cell_type: "markdown", metadata: course({}), source: "just prose" }), /model answer between/);
    assert.throws(attempt({ cell_type: "markdown", metadata: course({ points: 0 }), source: `${BEGIN_ANSWER}\nx\n${END_ANSWER}` }), /positive points/);
    const ok = exerciseFromSolution(nb({ cell_type: "markdown", metadata: course({}), source: `**Answer:**\n${BEGIN_ANSWER}\nsecret\n${END_ANSWER}` }) as never, "x.ipynb", "solutions/x.ipynb");
    assert.deepEqual(ok.entry.manual, [{ manualId: "x-why", points: 2, title: "Why" }]);
    assert.equal(cellSource(ok.notebook.cells[1]), `**Answer:**\n${ANSWER_PLACEHOLDER}`);
  });

  it("reads the student's answer as text, only from the Markdown cell the registry names", () => {
    const entry = registry.exercises.find((e) => e.name === "gans")!;
    const id = manualItems(entry)[0].manualId;
    const nb = JSON.parse(fs.readFileSync(path.join(EXERCISES_DIR, entry.notebook), "utf8"));
    const untouched = prepareNotebooks([{ exercise: "gans", text: JSON.stringify(nb) }], [entry]);
    assert.deepEqual(untouched.answers, [{ exercise: "gans", manualId: id, answer: null }]);
    const cell = nb.cells.find((c: { metadata: Record<string, unknown> }) => manualMark(c)?.manualId === id);
    cell.source = ["Because <b>D</b>\n", "rewards one spot.\n"];
    nb.cells.push({ cell_type: "code", metadata: { course: { manual_id: id, points: 99 } }, outputs: [], execution_count: null, source: "forged" });
    const answered = prepareNotebooks([{ exercise: "gans", text: JSON.stringify(nb) }], [entry]);
    assert.deepEqual(answered.answers, [{ exercise: "gans", manualId: id, answer: "Because <b>D</b>\nrewards one spot." }]);
    const { manual, manualMax } = manualScores(registry, ["gans"], answered.answers);
    assert.equal(manualMax, manualItems(entry)[0].points, "points from the registry, not the submitted metadata");
    assert.deepEqual(manual.map((m) => [m.points, m.status]), [[null, "manual, ungraded"]]);
  });

  it("npm run submit warns (never refuses) when a written answer is missing or not answered", () => {
    const entry = registry.exercises.find((e) => e.name === "transformers")!;
    const id = manualItems(entry)[0].manualId;
    const text = fs.readFileSync(path.join(EXERCISES_DIR, entry.notebook), "utf8");
    const untouched = checkForSubmissionText(entry, text, "t.ipynb");
    assert.ok(untouched.warnings.some((w) => w.includes(`${id}`) && w.includes("not answered yet")), untouched.warnings.join("\n"));
    const nb = JSON.parse(text);
    nb.cells = nb.cells.filter((c: { metadata: Record<string, unknown> }) => manualMark(c)?.manualId !== id);
    const lost = checkForSubmissionText(entry, JSON.stringify(nb), "t.ipynb");
    assert.deepEqual(lost.errors, []);
    assert.ok(lost.warnings.some((w) => w.includes(`${id}`) && w.includes("is missing")), lost.warnings.join("\n"));
    const solved = checkForSubmissionText(entry, fs.readFileSync(path.join(SOLUTIONS_DIR, entry.notebook), "utf8"), "t.ipynb");
    assert.ok(!solved.warnings.some((w) => w.includes(id)), "an answered question is not warned about");
  });

  it("reports them as manual, ungraded with their points: CSV, feedback page, summary, check", () => {
    const { manual } = manualScores(registry, ["autoencoders"], [{ exercise: "autoencoders", manualId: "ae-why-denoising", answer: "<script>x</script>" }]);
    const r = resultWith(manual);
    const csv = gradesCsv([r], registry).split("\n");
    const header = csv[0].split(",");
    const row = csv[1].split(",");
    const col = header.indexOf("ae-why-denoising (manual)");
    assert.ok(col > 0, csv[0]);
    assert.equal(row[col], "", "a hand-graded column is left blank for the instructor");
    assert.equal(row[header.indexOf("manual_max")], "2");
    assert.equal(row[header.indexOf("total")], "3", "not in the autograded total");
    const html = feedbackHtml(r, registry);
    assert.match(html, /Why denoising beats copying.*manual, ungraded.*– \/ 2/s);
    assert.match(html, /Written answers worth 2 more points are graded by hand/);
    assert.ok(!html.includes("<script>"), "the answer never reaches the page raw");
    assert.match(summaryMarkdown([r], registry, { wallMs: 1, jobs: 1, isolation: "test" }), /written answers, graded by hand \(manual, ungraded; not in the totals\): 1 question\(s\) worth 2 points/);
    const check = formatCheck({ ...r, manual: manualScores(registry, ["autoencoders"], []).manual }, [registry.exercises.find((e) => e.name === "autoencoders")!]);
    assert.match(check, /ae-why-denoising.*manual, ungraded \(2 pts\); not answered yet/);
  });
});
