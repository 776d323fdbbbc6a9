/**
 * The class, start to finish, as its people do it in their browsers:
 *
 *   instructor logs in ─► imports a roster of three ─► releases "autoencoders", due in a few minutes
 *   alice: logs in (JupyterLab spawns) ─► Fetch ─► pastes the solution into every graded cell ─► Check ─► Submit (on time)
 *   bob:   Fetch ─► pastes half the solution, deletes a graded cell ─► Check refused with how to recover
 *          ─► "Fetch the original" (his file kept) ─► pastes into the original ─► Check (palette) ─► waits out the due date ─► Submit (keyboard): late
 *   instructor: sees bob −10 % ─► grants an extension ─► sees the penalty recomputed ─► grading runs through the queue ─► releases feedback
 *   alice and bob: see their own score and feedback in the panel, and cannot open each other's
 *   instructor: exports the Canvas CSV; its numbers equal the grader's, run here on the submitted bytes
 *
 * Each step asserts what the person would see; the first failed assertion ends the story.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Page } from "playwright-core";
import type { TestHub } from "../../tools/hub/fixtures/hubHarness";
import { gradeIndependently, parseCanvasCsv } from "./gradeCheck";
import { manualMaxPoints, maxPoints } from "../helpers/points";

const AE_POINTS = maxPoints("autoencoders");
/** With the written answer, graded by hand on the instructor's page. */
const AE_TOTAL = AE_POINTS + manualMaxPoints("autoencoders");
const ALICE_HAND_POINTS = 1.5;
import { hubSessionEnds, serviceStopsAnswering } from "./panelFaults";
import { acceptDialog, assignmentItem, deleteCell, eventually, HubBrowser, hubLogin, notebookPanel, openCoursePanel, panelScreenshot, runFromPalette, setCellSource, tableRow, wallClock } from "./labPage";

const ROOT = path.resolve(__dirname, "..", "..");
const EXERCISE = "autoencoders";
const NOTEBOOK = `${EXERCISE}.ipynb`;
const ASSIGNMENT = "ae-1";
const PASSWORD = "a-long-enough-password";

export interface StoryOptions {
  hub: TestHub;
  browser: HubBrowser;
  /** Appended to every user name, so runs never share system accounts. */
  suffix: string;
  /** How long after release the assignment is due: room for alice to finish on time. */
  dueInMs: number;
  /** Where the panel screenshot goes. */
  screenshot: string;
  /** Also freeze the service and end alice's hub session, to see the panel's errors. */
  faults: boolean;
  log: (line: string) => void;
}

export interface StoryFacts {
  users: { instructor: string; alice: string; bob: string; carol: string };
  aliceCheck: string;
  bobCheck: string;
  aliceScore: string;
  bobScore: string;
  bobPenaltyBefore: string;
  bobPenaltyAfter: string;
  csv: Record<string, string>;
  grader: Record<string, number>;
  waitedForDueS: number;
  faults: string[];
}

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { course?: { grade_id?: string } };
}
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);
const readCells = (file: string): Cell[] => JSON.parse(fs.readFileSync(file, "utf8")).cells;
const gradeIdOf = (c: Cell) => c.metadata?.course?.grade_id ?? null;
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

export async function classroomStory(o: StoryOptions): Promise<StoryFacts> {
  const u = { instructor: `prof-${o.suffix}`, alice: `alice-${o.suffix}`, bob: `bob-${o.suffix}`, carol: `carol-${o.suffix}` };
  const home = (user: string) => path.join(o.hub.dataDir, "homes", user);
  const solution = new Map(readCells(path.join(ROOT, "solutions", NOTEBOOK)).filter(gradeIdOf).map((c) => [gradeIdOf(c)!, text(c)]));
  const gradeIds = [...solution.keys()];
  const partialIds = gradeIds.slice(0, 3); // bob's half-done homework

  // --- the instructor: roster and release -----------------------------------------------------
  const staff = await (await o.browser.person("instructor")).newPage();
  await hubLogin(staff, o.hub.url, u.instructor, PASSWORD, "/services/course/instructor/");
  await staff.getByRole("heading", { name: "Gradebook" }).waitFor();
  const roster = `id,name,email\n${u.alice},Alice Liddell,alice@example.edu\n${u.bob},Bob Builder,bob@example.edu\n${u.carol},Carol Danvers,carol@example.edu\n`;
  await staff.locator('textarea[name="csv"]').fill(roster);
  await Promise.all([staff.waitForURL(/\/instructor\/$/), staff.getByRole("button", { name: "Import" }).click()]);
  for (const s of [u.alice, u.bob, u.carol]) assert.ok(await tableRow(staff, s), `the gradebook lists ${s} after the roster import`);
  o.log(`instructor ${u.instructor} imported ${u.alice}, ${u.bob}, ${u.carol}`);

  const timeZone = await staff.locator('input[name="timeZone"]').inputValue();
  const now = Date.now();
  const due = new Date(Math.ceil((now + o.dueInMs) / 60_000) * 60_000); // the form takes whole minutes
  await staff.locator('input[name="id"]').fill(ASSIGNMENT);
  await staff.locator('select[name="exercise"]').selectOption(EXERCISE);
  await staff.locator('input[name="title"]').fill("Autoencoders");
  await staff.locator('input[name="opensAt"]').fill(wallClock(new Date(now - 3600_000), timeZone));
  await staff.locator('input[name="dueAt"]').fill(wallClock(due, timeZone));
  await staff.locator('input[name="percentPerDay"]').fill("10");
  await staff.locator('input[name="capPercent"]').fill("50");
  await staff.locator('input[name="maxDaysLate"]').fill("7");
  await Promise.all([staff.waitForURL(new RegExp(`/instructor/assignments/${ASSIGNMENT}$`)), staff.getByRole("button", { name: "Release" }).click()]);
  assert.match(await staff.innerText("body"), /Released to students\./);
  o.log(`released ${ASSIGNMENT} (${EXERCISE}), due ${due.toISOString()} (${wallClock(due, timeZone)} ${timeZone})`);

  // --- alice solves it, checks, submits on time ------------------------------------------------
  const alice = await (await o.browser.person("alice")).newPage();
  await hubLogin(alice, o.hub.url, u.alice, PASSWORD);
  await openCoursePanel(alice);
  const aliceItem = assignmentItem(alice, ASSIGNMENT);
  await aliceItem.getByRole("heading", { name: "Autoencoders" }).waitFor();
  assert.match(await aliceItem.locator('[data-field="due"]').innerText(), new RegExp(`${timeZone.replace("/", "\\/")} \\(UTC[+-]\\d\\d:\\d\\d\\)[\\s\\S]*Your time: .*America\\/New_York`), "the due date names its zone, and the student's own");
  await aliceItem.getByRole("button", { name: `Fetch ${NOTEBOOK} for Autoencoders into your home folder` }).click();
  await aliceItem.locator(".jp-CourseAssignment-notice", { hasText: `Fetched ${NOTEBOOK}` }).waitFor();
  const released = readCells(path.join(home(u.alice), NOTEBOOK));
  const aliceNb = await notebookPanel(alice, NOTEBOOK);
  for (const id of gradeIds) await setCellSource(alice, aliceNb, released.findIndex((c) => gradeIdOf(c) === id), solution.get(id)!);
  // No explicit save: Check saves the notebook first.
  await aliceItem.getByRole("button", { name: `Check ${NOTEBOOK} with the public tests` }).click();
  const aliceCheck = await checkSummary(alice, ASSIGNMENT);
  const saved = readCells(path.join(home(u.alice), NOTEBOOK));
  for (const id of gradeIds) assert.equal(text(saved.find((c) => gradeIdOf(c) === id)!), solution.get(id), `alice's saved ${id} holds the solution she pasted`);
  assert.equal(aliceCheck.points, aliceCheck.max, `alice's complete solution passes every public test (${aliceCheck.line})`);
  // A last edit after checking, left unsaved: Submit must save it first. In the last code cell: the
  // notebook ends with a written question, and a rendered Markdown cell is not an editor.
  const lastCell = released.map((c) => c.cell_type).lastIndexOf("code");
  await setCellSource(alice, aliceNb, lastCell, `${text(released[lastCell])}\n// checked, now submitting`);
  await aliceItem.getByRole("button", { name: `Submit ${NOTEBOOK} for Autoencoders` }).click();
  await acceptDialog(alice, "Submit");
  const aliceReceipt = await receipt(alice, ASSIGNMENT);
  assert.match(text(readCells(path.join(home(u.alice), NOTEBOOK))[lastCell]), /checked, now submitting/, "Submit saved the notebook first");
  assert.equal(aliceReceipt.sha256, sha256(path.join(home(u.alice), NOTEBOOK)), "the receipt's SHA-256 is that of alice's file");
  assert.match(aliceReceipt.text, /matches the file you sent/);
  assert.equal(aliceReceipt.late, "No", `alice submitted before the due date (${due.toISOString()}); if this fails the machine was slower than --due-in allows`);
  o.log(`alice: check ${aliceCheck.line}; submitted at ${aliceReceipt.submittedAt}, SHA-256 ${aliceReceipt.sha256.slice(0, 16)}…`);

  // --- bob: half the work, a deleted graded cell, the recovery ---------------------------------
  const bob = await (await o.browser.person("bob")).newPage();
  await hubLogin(bob, o.hub.url, u.bob, PASSWORD);
  await openCoursePanel(bob);
  const bobItem = assignmentItem(bob, ASSIGNMENT);
  await bobItem.getByRole("button", { name: `Fetch ${NOTEBOOK} for Autoencoders into your home folder` }).click();
  const bobNb = await notebookPanel(bob, NOTEBOOK);
  for (const id of partialIds) await setCellSource(bob, bobNb, released.findIndex((c) => gradeIdOf(c) === id), solution.get(id)!);
  const lost = gradeIds[gradeIds.length - 1];
  await deleteCell(bob, bobNb, released.findIndex((c) => gradeIdOf(c) === lost));
  await bobItem.getByRole("button", { name: `Check ${NOTEBOOK} with the public tests` }).click();
  const refusal = bobItem.locator(".jp-CourseAssignment-problem");
  await refusal.waitFor();
  const refusalText = await refusal.innerText();
  assert.match(refusalText, new RegExp(`graded cell ${lost} is missing`), "the refusal names the deleted cell");
  assert.match(refusalText, /Fetch a fresh copy/, "the refusal says how to recover");
  const mangled = fs.readFileSync(path.join(home(u.bob), NOTEBOOK), "utf8");
  await refusal.getByRole("button", { name: `Fetch the original ${NOTEBOOK} again, beside yours` }).click();
  const original = NOTEBOOK.replace(".ipynb", "-original.ipynb");
  assert.match(await acceptDialog(bob, `Save as ${original}`), /never replaces it/);
  await bobItem.locator(".jp-CourseAssignment-notice", { hasText: `The original is in ${original}` }).waitFor();
  assert.equal(fs.readFileSync(path.join(home(u.bob), NOTEBOOK), "utf8"), mangled, "bob's own notebook was not touched");
  assert.deepEqual(readCells(path.join(home(u.bob), original)).map(text), released.map(text), "the re-fetched original is the released notebook");
  const bobOrig = await notebookPanel(bob, original);
  for (const id of partialIds) await setCellSource(bob, bobOrig, released.findIndex((c) => gradeIdOf(c) === id), solution.get(id)!);
  await runFromPalette(bob, "Check This Notebook (Public Tests)");
  const bobCheck = await checkSummary(bob, ASSIGNMENT);
  assert.ok(bobCheck.points > 0 && bobCheck.points < bobCheck.max, `bob's half solution earns some public points, not all (${bobCheck.line})`);
  assert.match(bobCheck.line, new RegExp(`on ${original}`), "Check used the notebook bob is working in");
  const failed = assignmentItem(bob, ASSIGNMENT).locator(".jp-CourseCheck-tests tr.jp-mod-failed");
  assert.ok((await failed.count()) > 0 && (await failed.locator(".jp-CourseCheck-message").count()) > 0, "failed public tests show their messages in the panel");

  const waitStart = Date.now();
  await eventually("the due date to pass", async () => (Date.now() > due.getTime() + 2000 ? true : null), o.dueInMs + 120_000, 1000);
  const waitedForDueS = (Date.now() - waitStart) / 1000;
  // Submit with the keyboard only: focus the button, Enter, Enter on the dialog.
  await bobItem.getByRole("button", { name: `Submit ${original} for Autoencoders` }).focus();
  await bob.keyboard.press("Enter");
  await bob.locator(".jp-Dialog").waitFor();
  await bob.keyboard.press("Enter");
  const bobReceipt = await receipt(bob, ASSIGNMENT);
  assert.equal(bobReceipt.sha256, sha256(path.join(home(u.bob), original)));
  assert.match(bobReceipt.late, /^Yes, 1 day: −10 %$/, "bob's submission after the due date is late by one started day");
  o.log(`bob: refused as mangled (${lost}), recovered into ${original}; check ${bobCheck.line}; submitted late at ${bobReceipt.submittedAt}`);

  // --- the instructor: penalty, extension, grading, release -----------------------------------
  await staff.goto(`${o.hub.url}/services/course/instructor/assignments/${ASSIGNMENT}`);
  const bobPenaltyBefore = (await tableRow(staff, u.bob))![3];
  assert.equal(bobPenaltyBefore, "1 d, −10 %");
  const bobRow = staff.locator("tr", { has: staff.locator("td", { hasText: u.bob }) }).first();
  await bobRow.locator('input[name="dueAt"]').fill(wallClock(new Date(due.getTime() + 2 * 86400_000), timeZone));
  await Promise.all([staff.waitForURL(new RegExp(`/instructor/assignments/${ASSIGNMENT}$`)), bobRow.getByRole("button", { name: "Set" }).click()]);
  const bobPenaltyAfter = (await tableRow(staff, u.bob))![3];
  assert.equal(bobPenaltyAfter, "on time", "the extension recomputed bob's penalty");
  o.log(`instructor: bob's late penalty "${bobPenaltyBefore}" → "${bobPenaltyAfter}" after a two-day extension`);

  await eventually(
    "both submissions graded through the queue",
    async () => {
      await staff.reload();
      const rows = [await tableRow(staff, u.alice), await tableRow(staff, u.bob)];
      return rows.every((r) => r && /^graded/.test(r[1])) ? rows : null;
    },
    600_000,
    3000,
  );
  // --- the instructor scores alice's written answer on its page, with the keyboard only ---------
  await Promise.all([staff.waitForURL(new RegExp(`/instructor/assignments/${ASSIGNMENT}/manual$`)), staff.getByRole("link", { name: "Grade the written answers" }).click()]);
  const aliceAnswer = staff.locator("article", { has: staff.locator("h3", { hasText: u.alice }) });
  await aliceAnswer.getByLabel("Points (0–2)").focus();
  await staff.keyboard.type(String(ALICE_HAND_POINTS));
  await staff.keyboard.press("Tab");
  await staff.keyboard.type("Your answer sits in a code comment, not in the answer cell: 1.5 of 2.");
  await staff.keyboard.press("Shift+Tab");
  await Promise.all([staff.waitForURL(new RegExp(`/manual#ae-why-denoising--${u.alice}$`)), staff.keyboard.press("Enter")]);
  assert.match(await aliceAnswer.innerText(), new RegExp(`Scored ${ALICE_HAND_POINTS} by ${u.instructor} at`));
  await staff.goto(`${o.hub.url}/services/course/instructor/assignments/${ASSIGNMENT}`);
  await Promise.all([staff.waitForURL(new RegExp(`/instructor/assignments/${ASSIGNMENT}$`)), staff.getByRole("button", { name: "Release feedback" }).click()]);
  assert.match(await staff.innerText("body"), /Feedback released\./);

  // --- the students see their own results, and only their own ----------------------------------
  const aliceScore = await ownScore(alice, ASSIGNMENT, u.alice);
  const bobScore = await ownScore(bob, ASSIGNMENT, u.bob);
  assert.match(await bobItem.locator('[data-field="due"]').innerText(), /Extended for you/);
  await panelScreenshot(alice, o.screenshot);
  const faults = o.faults ? [await serviceStopsAnswering(o.hub, alice, ASSIGNMENT), await hubSessionEnds(alice, u.alice, PASSWORD, ASSIGNMENT)] : [];
  if (faults.length) o.log(`panel errors: ${faults.map((f) => JSON.stringify(f.split("\n")[0])).join("; ")}`);
  await wallsBetweenStudents(o.hub.url, alice, u.bob, bobReceipt.id, original);
  await wallsBetweenStudents(o.hub.url, bob, u.alice, aliceReceipt.id, NOTEBOOK);

  // --- the instructor's CSV against the grader, run here on the submitted files ---------------
  const [download] = await Promise.all([staff.waitForEvent("download"), staff.getByRole("link", { name: "Export grades (Canvas CSV)" }).click()]);
  const csv = parseCanvasCsv(fs.readFileSync((await download.path())!, "utf8"), `Autoencoders (${ASSIGNMENT})`);
  const grader = await gradeIndependently(EXERCISE, { [u.alice]: path.join(home(u.alice), NOTEBOOK), [u.bob]: path.join(home(u.bob), original) });
  assert.equal(grader[u.alice], AE_POINTS, "the grader gives the full solution full marks");
  assert.ok(grader[u.bob] > 0 && grader[u.bob] < AE_POINTS, "and the half solution part of them");
  assert.equal(csv["Points Possible"], String(AE_TOTAL), "points possible include the written answer");
  assert.equal(Number(csv[u.alice]), grader[u.alice] + ALICE_HAND_POINTS, "the CSV's score for alice is the grader's plus her hand-graded answer");
  assert.equal(Number(csv[u.bob]), grader[u.bob], "the CSV's score for bob is the grader's (no penalty after the extension)");
  assert.equal(csv[u.carol], "", "carol submitted nothing");
  assert.match(aliceScore, new RegExp(`^${grader[u.alice] + ALICE_HAND_POINTS} / ${AE_TOTAL} \\(written answers ${ALICE_HAND_POINTS} / ${AE_TOTAL - AE_POINTS}\\)$`));
  assert.match(bobScore, new RegExp(`^${grader[u.bob]} / ${AE_TOTAL} \\(written answers 0 / ${AE_TOTAL - AE_POINTS}\\)$`), "bob left the written answer as released: 0 of its points, nothing awaiting");
  o.log(`CSV ${JSON.stringify(csv)}; grader ${JSON.stringify(grader)}`);
  return { users: u, aliceCheck: aliceCheck.line, bobCheck: bobCheck.line, aliceScore, bobScore, bobPenaltyBefore, bobPenaltyAfter, csv, grader, waitedForDueS, faults };
}

/** The panel's check result: "Public tests on X: p / m points." */
async function checkSummary(page: Page, id: string): Promise<{ points: number; max: number; line: string }> {
  const box = assignmentItem(page, id).locator(".jp-CourseCheck");
  await box.waitFor({ timeout: 180_000 });
  const line = (await box.locator("p").first().innerText()).trim();
  return { points: Number(await box.getAttribute("data-points")), max: Number(await box.getAttribute("data-max")), line };
}

async function receipt(page: Page, id: string): Promise<{ sha256: string; submittedAt: string; late: string; text: string; id: string }> {
  const box = assignmentItem(page, id).locator(".jp-CourseReceipt");
  await box.waitFor({ timeout: 120_000 });
  const dd = (field: string) => box.locator(`[data-field="${field}"]`).innerText();
  const rows = await box.locator("dd").allInnerTexts();
  return { sha256: (await box.getAttribute("data-sha256"))!, submittedAt: await dd("submitted-at"), late: await dd("late"), text: await box.innerText(), id: rows[rows.length - 1].trim() };
}

/** Refresh, read the score, open the feedback page from the panel and check it is theirs. */
async function ownScore(page: Page, id: string, user: string): Promise<string> {
  const item = assignmentItem(page, id);
  await page.locator("#course-panel").getByRole("button", { name: "Refresh the list of assignments" }).click();
  const score = await eventually("the score in the panel", async () => {
    const s = (await item.locator('[data-field="score"]').innerText()).trim();
    return /^\d/.test(s) ? s : null;
  }, 30_000);
  const [feedback] = await Promise.all([page.context().waitForEvent("page"), item.getByRole("link", { name: /^Open your feedback for Autoencoders/ }).click()]);
  await feedback.waitForLoadState();
  const body = await feedback.innerText("body");
  assert.match(body, new RegExp(`Feedback for ${user}`), `${user}'s feedback page is theirs`);
  assert.match(body, new RegExp(`Total: ${score.split(" ")[0]} / ${AE_TOTAL} points`), "and shows the score the panel shows");
  await feedback.close();
  return score;
}

/** From one student's browser session, nothing of the other student's opens. */
async function wallsBetweenStudents(hubUrl: string, page: Page, other: string, otherSubmission: string, otherFile: string): Promise<void> {
  const get = (url: string) => page.request.get(url, { maxRedirects: 10, failOnStatusCode: false });
  const asked = await get(`${hubUrl}/services/course/feedback/ae-1?student=${other}`);
  assert.equal(asked.status(), 400, "naming another student is refused");
  assert.doesNotMatch(await asked.text(), new RegExp(`Feedback for ${other}`));
  assert.equal((await get(`${hubUrl}/services/course/api/submissions/${otherSubmission}`)).status(), 404, "another student's submission id answers like a missing one");
  const files = await get(`${hubUrl}/user/${other}/api/contents/${otherFile}?content=1`);
  assert.ok(files.status() === 403 || files.status() === 404, `another student's JupyterLab refuses (HTTP ${files.status()})`);
  assert.doesNotMatch(await files.text(), /"cells"/);
}
