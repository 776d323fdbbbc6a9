/**
 * The course panel's words for dates, scores and file names (tools/labextension/src/format.ts):
 * due dates name their zone and offset, penalties are spelled out, and the files Check and
 * Submit may send are the assignment's notebook or a copy the panel made, nothing else.
 */
import { strict as assert } from "assert";
import {
  describeDue,
  describeLatePolicy,
  describeScore,
  formatInstant,
  freeOriginalName,
  isAssignmentFile,
  relativeTime,
} from "../../tools/labextension/src/format";
import type { Assignment } from "../../tools/labextension/src/types";

const assignment = (over: Partial<Assignment> = {}): Assignment => ({
  id: "ae-1",
  title: "Autoencoders",
  exercise: "autoencoders",
  notebook: "autoencoders.ipynb",
  opensAt: "2026-12-01T08:00:00.000Z",
  dueAt: "2026-12-10T22:59:00.000Z",
  timeZone: "Europe/Berlin",
  dueLocal: "2026-12-10 23:59 (Europe/Berlin, UTC+01:00)",
  extensionDueAt: null,
  effectiveDueAt: "2026-12-10T22:59:00.000Z",
  latePolicy: { kind: "per-day", percentPerDay: 10, capPercent: 50, maxDaysLate: 7 },
  resubmission: "last",
  maxPoints: 13,
  status: "open",
  submission: null,
  score: null,
  feedbackReleased: false,
  feedbackUrl: null,
  ...over,
});

describe("course panel wording (labextension format)", () => {
  it("writes a due date in the assignment's zone with its UTC offset, summer and winter", () => {
    assert.equal(formatInstant("2026-12-10T22:59:00.000Z", "Europe/Berlin"), "2026-12-10 23:59 Europe/Berlin (UTC+01:00)");
    assert.equal(formatInstant("2026-07-10T21:59:00.000Z", "Europe/Berlin"), "2026-07-10 23:59 Europe/Berlin (UTC+02:00)");
    assert.equal(formatInstant("2026-12-10T22:59:00.000Z", "UTC"), "2026-12-10 22:59 UTC");
    assert.equal(formatInstant("2026-12-10T22:59:07.300Z", "Europe/London", { seconds: true }), "2026-12-10 22:59:07 Europe/London (UTC+00:00)");
    assert.equal(formatInstant("2026-12-11T04:29:00.000Z", "Asia/Kolkata"), "2026-12-11 09:59 Asia/Kolkata (UTC+05:30)");
  });

  it("says how far the due date is, before and after", () => {
    const due = Date.parse("2026-12-10T22:59:00.000Z");
    assert.equal(relativeTime(due, due - (2 * 24 + 3) * 3600_000), "in 2 days 3 h");
    assert.equal(relativeTime(due, due + 90 * 60_000), "1 h 30 min ago");
    assert.equal(relativeTime(due, due - 20_000), "in 1 min");
  });

  it("shows the extended due date, the student's own zone, and the class's date beside an extension", () => {
    const now = Date.parse("2026-12-09T22:59:00.000Z");
    const plain = describeDue(assignment(), now, "America/New_York");
    assert.equal(plain.due, "2026-12-10 23:59 Europe/Berlin (UTC+01:00)");
    assert.equal(plain.yourTime, "2026-12-10 17:59 America/New_York (UTC-05:00)");
    assert.equal(plain.extension, null);
    assert.equal(plain.relative, "in 1 day");
    assert.equal(describeDue(assignment(), now, "Europe/Berlin").yourTime, null);
    const extended = describeDue(assignment({ extensionDueAt: "2026-12-12T22:59:00.000Z", effectiveDueAt: "2026-12-12T22:59:00.000Z" }), now, "Europe/Berlin");
    assert.equal(extended.due, "2026-12-12 23:59 Europe/Berlin (UTC+01:00)");
    assert.match(extended.extension ?? "", /class's due date is 2026-12-10 23:59 Europe\/Berlin/);
  });

  it("spells out late policies and penalised scores", () => {
    assert.equal(describeLatePolicy({ kind: "none" }), "No late work: submissions after the due date are refused.");
    assert.equal(describeLatePolicy({ kind: "per-day", percentPerDay: 10, capPercent: 50, maxDaysLate: 7 }), "Late work loses 10 % per started day, at most 50 %; refused after 7 days.");
    assert.equal(describeLatePolicy({ kind: "per-day", percentPerDay: 5, capPercent: 100, maxDaysLate: null }), "Late work loses 5 % per started day.");
    assert.equal(describeScore({ points: 11, max: 13, penaltyPercent: 10, final: 9.9, late: true, lateDays: 1 }), "9.9 / 13 (11 points, −10 % for 1 day late)");
    assert.equal(describeScore({ points: 13, max: 13, penaltyPercent: 0, final: 13, late: false, lateDays: 0 }), "13 / 13");
    assert.equal(describeScore({ points: 2, max: 3, penaltyPercent: 0, final: 2 / 3, late: false, lateDays: 0 }), "0.67 / 3");
    // Written answers graded by hand: the maximum includes them; answers not scored yet are named.
    const written = { points: 16, max: 16, manualMax: 2, totalMax: 18, penaltyPercent: 0, late: false, lateDays: 0 };
    assert.equal(describeScore({ ...written, manualPoints: 0, awaitingHandGrading: ["ae-why-denoising"], total: 16, final: 16 }), "16 / 18 (written answer awaiting hand grading)");
    assert.equal(describeScore({ ...written, manualPoints: 1.5, awaitingHandGrading: [], total: 17.5, final: 17.5 }), "17.5 / 18 (written answers 1.5 / 2)");
    assert.equal(describeScore({ ...written, manualPoints: 2, awaitingHandGrading: [], total: 18, final: 16.2, late: true, lateDays: 1, penaltyPercent: 10 }), "16.2 / 18 (18 points, −10 % for 1 day late; written answers 2 / 2)");
  });

  it("sends only the assignment's notebook or a copy the panel saved beside it", () => {
    assert.ok(isAssignmentFile("autoencoders.ipynb", "autoencoders.ipynb"));
    assert.ok(isAssignmentFile("autoencoders-original.ipynb", "autoencoders.ipynb"));
    assert.ok(isAssignmentFile("sub/autoencoders-original-3.ipynb", "autoencoders.ipynb"));
    assert.ok(!isAssignmentFile("autoencoders-notes.ipynb", "autoencoders.ipynb"));
    assert.ok(!isAssignmentFile("gans.ipynb", "autoencoders.ipynb"));
    assert.ok(!isAssignmentFile("autoencoders.py", "autoencoders.ipynb"));
    // A notebook name with regular-expression characters matches only itself.
    assert.ok(!isAssignmentFile("ab-original.ipynb", "a+b.ipynb"));
    assert.ok(isAssignmentFile("a+b-original.ipynb", "a+b.ipynb"));
  });

  it("picks a free name for the original, never one that exists", () => {
    const taken = new Set(["autoencoders.ipynb", "autoencoders-original.ipynb", "autoencoders-original-2.ipynb"]);
    assert.equal(freeOriginalName("autoencoders.ipynb", (n) => taken.has(n)), "autoencoders-original-3.ipynb");
    assert.equal(freeOriginalName("gans.ipynb", (n) => taken.has(n)), "gans-original.ipynb");
  });
});
