/** Deadlines, time zones, penalties, counting, mangled notebooks and CSV: the course service's pure parts. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { canvasCsv, parseRoster } from "../../tools/course-service/csv";
import { gradedCellSpecs, notebookProblems } from "../../tools/course-service/notebookCheck";
import { countedSubmission, formatInZone, lateness, parseCourseTime, parseLatePolicy } from "../../tools/course-service/policy";

const DAY = 86_400_000;

describe("course service: time zones", () => {
  it("reads a local time in the assignment's zone, across daylight saving", () => {
    assert.equal(parseCourseTime("2026-12-10T23:59", "Europe/Berlin").toISOString(), "2026-12-10T22:59:00.000Z");
    assert.equal(parseCourseTime("2026-07-10T23:59", "Europe/Berlin").toISOString(), "2026-07-10T21:59:00.000Z");
    assert.equal(parseCourseTime("2026-12-10T23:59", "America/New_York").toISOString(), "2026-12-11T04:59:00.000Z");
    assert.equal(parseCourseTime("2026-12-10T23:59+01:00", "America/New_York").toISOString(), "2026-12-10T22:59:00.000Z");
    assert.equal(formatInZone(new Date("2026-12-10T22:59:00Z"), "Europe/Berlin"), "2026-12-10 23:59 (Europe/Berlin, UTC+01:00)");
  });
  it("names what is wrong with a time", () => {
    assert.throws(() => parseCourseTime("10/12/2026", "UTC"), /is not a time: write "YYYY-MM-DDTHH:MM"/);
    assert.throws(() => parseCourseTime("2026-02-30T10:00", "UTC"), /not a valid date/);
  });
});

describe("course service: late policies", () => {
  const due = new Date("2026-12-10T22:59:00Z");
  const perDay = parseLatePolicy({ kind: "per-day", percentPerDay: 10, capPercent: 25, maxDaysLate: 5 });
  it("charges per started day, capped, and refuses past the last day", () => {
    assert.deepEqual(lateness(new Date(due.getTime() - 1000), due, perDay), { late: false, lateDays: 0, penaltyPercent: 0, accepted: true });
    assert.deepEqual(lateness(new Date(due.getTime() + 1000), due, perDay), { late: true, lateDays: 1, penaltyPercent: 10, accepted: true });
    assert.equal(lateness(new Date(due.getTime() + DAY + 1), due, perDay).penaltyPercent, 20);
    assert.equal(lateness(new Date(due.getTime() + 4 * DAY), due, perDay).penaltyPercent, 25);
    assert.equal(lateness(new Date(due.getTime() + 5 * DAY + 1), due, perDay).accepted, false);
    assert.equal(lateness(new Date(due.getTime() + 1), due, { kind: "none" }).accepted, false);
  });
  it("refuses malformed policies with a message naming the field", () => {
    assert.throws(() => parseLatePolicy({ kind: "per-day", percentPerDay: 150 }), /percentPerDay must be a number from 0 to 100/);
    assert.throws(() => parseLatePolicy({ kind: "weekly" }), /kind must be "none" or "per-day"/);
  });
});

describe("course service: which submission counts", () => {
  const at = (d: number) => new Date(Date.UTC(2026, 11, d));
  const subs = [
    { id: "a", submittedAt: at(1), late: false, final: 8 },
    { id: "b", submittedAt: at(2), late: false, final: 5 },
    { id: "c", submittedAt: at(12), late: true, final: 9 },
  ];
  it("last: the latest; best: the best on time, else the best late", () => {
    assert.equal(countedSubmission(subs, "last")!.id, "c");
    assert.equal(countedSubmission(subs, "best")!.id, "a");
    assert.equal(countedSubmission(subs.filter((s) => s.late), "best")!.id, "c");
    assert.equal(countedSubmission([{ id: "q", submittedAt: at(1), late: false, final: null }], "best")!.id, "q");
  });
});

describe("course service: mangled notebooks are refused with the cell named", () => {
  const text = fs.readFileSync(path.join(__dirname, "../../exercises/autoencoders.ipynb"), "utf8");
  const expected = gradedCellSpecs(text);
  const nb = () => JSON.parse(text);
  const graded = (n: { cells: { metadata?: { course?: { grade_id?: string } } }[] }, id: string) => n.cells.findIndex((c) => c.metadata?.course?.grade_id === id);
  it("accepts the exercise as released", () => assert.deepEqual(notebookProblems(text, expected, "autoencoders.ipynb"), []));
  it("deleted, duplicated, changed metadata, not a notebook", () => {
    const del = nb();
    del.cells.splice(graded(del, "ae-vae-kl"), 1);
    assert.match(notebookProblems(JSON.stringify(del), expected, "x.ipynb").join(), /graded cell ae-vae-kl is missing/);
    const dup = nb();
    const i = graded(dup, "ae-auroc");
    dup.cells.splice(i, 0, dup.cells[i]);
    assert.match(notebookProblems(JSON.stringify(dup), expected, "x.ipynb").join(), /ae-auroc appears 2 times .*duplicated/);
    const pts = nb();
    pts.cells[graded(pts, "ae-threshold")].metadata.course.points = 50;
    assert.match(notebookProblems(JSON.stringify(pts), expected, "x.ipynb").join(), /metadata of graded cell ae-threshold .* was changed \(points 2 → 50\)/);
    assert.match(notebookProblems("{not json", expected, "x.ipynb").join(), /not valid JSON/);
  });
});

describe("course service: CSV", () => {
  it("reads a roster and names each bad line", () => {
    const r = parseRoster('email,id,name\r\na@x.edu,Alice,"Liddell, Alice"\nb@x.edu,bob smith,Bob\n,carol,Carol\n');
    assert.deepEqual(r.students, [{ id: "alice", name: "Liddell, Alice", email: "a@x.edu" }, { id: "carol", name: "Carol", email: "" }]);
    assert.equal(r.errors[0].line, 3);
    assert.throws(() => parseRoster("student,mail\nx,y"), /missing: id, name, email/);
  });
  it("writes Canvas's import form, formulas defused", () => {
    const csv = canvasCsv([{ id: "eve", name: "=HYPERLINK(\"http://x\")", email: "e@x.edu" }], [{ title: "AE (ae-1)", maxPoints: 13, scores: new Map([["eve", 9.9]]) }]);
    const lines = csv.split("\r\n");
    assert.equal(lines[0], "Student,ID,SIS User ID,SIS Login ID,Section,AE (ae-1)");
    assert.equal(lines[1], "Points Possible,,,,,13");
    assert.equal(lines[2], `"'=HYPERLINK(""http://x"")",,eve,e@x.edu,,9.9`);
  });
});
