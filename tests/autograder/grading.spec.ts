/**
 * The proof, run in CI: the whole grading pipeline (archive → unpack → extract → sandbox → specs
 * → scores → reports) on
 *   - the solutions: full marks;
 *   - the untouched exercises: zero;
 *   - deliberately wrong solutions (./wrong): each loses points on its own cell, only there;
 *   - hostile submissions (./hostile), one per threat: none gains a point it did not earn, and
 *     none leaves a trace (no file written, no connection made, no other submission disturbed).
 * All of them are graded in one batch, two at a time, as `npm run autograde` would.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { readSubmissionArchive } from "../../tools/grader/archive";
import { archiveOf, Notebooks, readNotebooks, replaceCells, solutionSource } from "../../tools/grader/fixtures/submissions";
import { WRONG } from "../../tools/grader/fixtures/wrong/index";
import { DEPENDENCIES, WrongSolution } from "../../tools/grader/fixtures/wrong/types";
import { Grader } from "../../tools/grader/grade";
import { progressLine } from "../../tools/grader/autograde";
import { ALTERNATIVE } from "../../tools/grader/fixtures/alternative";
import { SECOND, THIRD } from "../../tools/grader/fixtures/alternativeTasks";
import { identify, latestPerStudent } from "../../tools/grader/identity";
import { detectIsolation, fullyIsolated } from "../../tools/grader/isolation";
import { EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR } from "../../tools/grader/paths";
import { readRegistry } from "../../tools/grader/registry";
import { writeReports } from "../../tools/grader/report";
import type { SubmissionResult } from "../../tools/grader/result";
import type { Submission } from "../../tools/grader/submission";
import { HOSTILE } from "./hostile/index";
import type { HostileSubmission } from "./hostile/types";

const registry = readRegistry();
const maxOf = (gradeId: string) => registry.exercises.flatMap((e) => e.graded).find((g) => g.gradeId === gradeId)!.points;
const TOTAL = registry.exercises.flatMap((e) => e.graded).reduce((s, g) => s + g.points, 0);
const close = (a: number | null, b: number) => a != null && Math.abs(a - b) < 1e-9;

/** Wrong variants packed into few submissions: one per grade id each, none next to one it depends on. */
export function packWrong(variants: WrongSolution[]): WrongSolution[][] {
  const groups: WrongSolution[][] = [];
  for (const v of variants) {
    const fits = (g: WrongSolution[]) =>
      !g.some((w) => w.gradeId === v.gradeId || (DEPENDENCIES[v.gradeId] ?? []).includes(w.gradeId) || (DEPENDENCIES[w.gradeId] ?? []).includes(v.gradeId));
    const group = groups.find(fits);
    if (group) group.push(v);
    else groups.push([v]);
  }
  return groups;
}

function sha(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe("autograder proof: solutions, exercises, wrong and hostile submissions", function () {
  this.timeout(900_000);
  let work = "";
  let marker = "";
  const results = new Map<string, SubmissionResult>();
  const wrongGroups = packWrong(WRONG);
  const connections: string[] = [];
  let honeypot: net.Server;
  const protectedFiles = [
    ...listFiles(path.join(REPO_ROOT, "tests", "autograder")),
    ...listFiles(SOLUTIONS_DIR),
    ...listFiles(EXERCISES_DIR),
    ...listFiles(path.join(REPO_ROOT, "tools", "grader")),
  ];
  const digests = new Map<string, string>();
  let wallMs = 0;
  let listed: Awaited<ReturnType<Grader["tests"]>> = [];
  const nameOf = new Map<string, string>();
  const progress: string[] = [];
  let reports: ReturnType<typeof writeReports>;

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "course-grading-proof-"));
    marker = path.join(work, "marker");
    fs.mkdirSync(marker);
    fs.chmodSync(marker, 0o777); // only the sandbox's walls may stop a write here, not file modes
    fs.rmSync("/tmp/pwned-write.txt", { force: true });
    for (const f of protectedFiles) digests.set(f, sha(f));
    honeypot = net.createServer((socket) => {
      connections.push(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.end("-1.4100376\n"); // the public answer of the cell the network attack replaces
    });
    await new Promise<void>((resolve) => honeypot.listen(0, "127.0.0.1", resolve));
    const port = (honeypot.address() as net.AddressInfo).port;

    const subs: { name: string; nbs: Notebooks; file?: string; claims?: { student: string; at: Date } }[] = [
      { name: "solutions", nbs: readNotebooks("solutions") },
      { name: "untouched", nbs: readNotebooks("exercises") },
      { name: "alternative", nbs: replaceCells(readNotebooks("solutions"), Object.fromEntries(ALTERNATIVE.map((a) => [a.gradeId, a.code]))) },
      // Two more ways to write the tasks that train or measure (the first is in ALTERNATIVE).
      { name: "alternative-2", nbs: replaceCells(readNotebooks("solutions"), Object.fromEntries(SECOND.map((a) => [a.gradeId, a.code]))) },
      { name: "alternative-3", nbs: replaceCells(readNotebooks("solutions"), Object.fromEntries(THIRD.map((a) => [a.gradeId, a.code]))) },
      ...wrongGroups.map((g, i) => ({ name: `wrong-${i + 1}`, nbs: replaceCells(readNotebooks("solutions"), Object.fromEntries(g.map((w) => [w.gradeId, w.code]))) })),
      ...HOSTILE.map((h) => {
        const fill = (code: string) => code.replace(/__PORT__/g, String(port)).replace(/__MARKER__/g, marker).replace(/__VICTIM__/g, String(process.pid));
        const sources: Record<string, string> = {};
        for (const id of h.honest) sources[id] = solutionSource(id);
        for (const [id, code] of Object.entries({ ...h.cells, ...h.instrumented })) sources[id] = fill(code);
        const nbs = replaceCells(readNotebooks("exercises"), sources);
        h.edit?.(nbs as Parameters<NonNullable<HostileSubmission["edit"]>>[0]);
        // The control-character attack names its archive with some too (the LMS export would keep them).
        return { name: `hostile-${h.name}`, nbs, file: h.name === "control-characters" ? "hostile-control-characters\u001b[2J\u001b]0;owned\u0007\u202e.tar.gz" : undefined };
      }),
      // Identity: an archive named for mallory that claims to be the solutions' student, made in 2099 ...
      { name: "mallory", nbs: readNotebooks("exercises"), claims: { student: "solutions", at: new Date("2099-01-01T00:00:00Z") } },
      // ... an older archive of "untouched" (its name carries submit's stamp) holding full marks, claiming 2020 ...
      { name: "untouched-old", file: "untouched-20200101-000000.tar.gz", nbs: readNotebooks("solutions"), claims: { student: "untouched", at: new Date("2020-01-01T00:00:00Z") } },
      // ... and a name of 250 characters (once too long for a temporary file name, so nobody got feedback).
      { name: "long-name", file: `${"L".repeat(243)}.tar.gz`, nbs: readNotebooks("solutions") },
    ];
    const scanned: Submission[] = [];
    for (const s of subs) {
      const file = s.file ?? `${s.name}.tar.gz`;
      const archive = await archiveOf(s.nbs, path.join(work, "archives"), file, s.claims?.student ?? s.name, s.claims?.at);
      nameOf.set(archive, s.name);
      scanned.push(identify(await readSubmissionArchive(archive), { from: "file-name" }));
    }
    const submissions = latestPerStudent(scanned);
    const grader = new Grader({ hidden: true, jobs: 2, callTimeoutMs: 6_000 });
    listed = await grader.tests();
    const t0 = Date.now();
    const graded = await grader.gradeAll(submissions, (e) => {
      progress.push(progressLine(e));
      if (e.type === "done") console.log(`      graded ${nameOf.get(e.result.source)}: ${e.result.total}/${e.result.max} in ${(e.result.durationMs / 1000).toFixed(1)} s (${e.result.sandboxStarts} sandbox start(s))`);
      if (e.type === "retry") console.log(`      grading ${e.student} again: ${e.reason}`);
    });
    wallMs = Date.now() - t0;
    for (const r of graded) results.set(nameOf.get(r.source)!, r);
    reports = writeReports(path.join(work, "out"), graded, registry, { wallMs, jobs: 2, isolation: detectIsolation().summary, identity: "archive file names" });
    console.log(`      ${graded.length} submissions graded in ${(wallMs / 1000).toFixed(1)} s, 2 at a time (load average ${os.loadavg()[0].toFixed(1)})`);
  });

  after(() => {
    honeypot?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const get = (name: string) => {
    const r = results.get(name);
    assert.ok(r, `no result for ${name}`);
    return r;
  };
  const item = (r: SubmissionResult, gradeId: string) => r.items.find((i) => i.gradeId === gradeId)!;

  it("the solutions get full marks", () => {
    const r = get("solutions");
    const failed = r.tests.filter((t) => !t.passed).map((t) => `${t.fullTitle}: ${t.message}`);
    assert.deepEqual(failed, []);
    assert.ok(close(r.total, TOTAL), `total ${r.total}`);
    assert.equal(r.max, TOTAL);
    assert.deepEqual(r.graderErrors, []);
  });

  it("the untouched exercises get zero, each test saying what is not implemented", () => {
    const r = get("untouched");
    assert.equal(r.total, 0);
    for (const t of r.tests) assert.match(t.message ?? "", /not implemented yet/, t.fullTitle);
  });

  it("gives every graded cell public and hidden tests, which share exactly the solution notebook's points", () => {
    for (const e of registry.exercises) {
      for (const g of e.graded) {
        const mine = listed.filter((t) => t.gradeId === g.gradeId);
        assert.ok(mine.some((t) => t.visibility === "public"), `${g.gradeId}: no public test`);
        assert.ok(mine.some((t) => t.visibility === "hidden"), `${g.gradeId}: no hidden test`);
        const shared = mine.reduce((s, t) => s + (t.points ?? NaN), 0);
        assert.ok(close(shared, g.points), `${g.gradeId}: its tests share ${shared} points, the notebook gives ${g.points}`);
      }
    }
    for (const i of get("solutions").items) assert.equal(i.max, maxOf(i.gradeId), i.gradeId);
  });

  it("each deliberately wrong solution loses points on its own cell, and only there", () => {
    assert.ok(WRONG.length >= 15, "a wrong solution for most graded cells");
    wrongGroups.forEach((group, k) => {
      const r = get(`wrong-${k + 1}`);
      assert.deepEqual(r.graderErrors, [], `wrong-${k + 1}`);
      const touched = new Set(group.map((w) => w.gradeId));
      for (const w of group) {
        const i = item(r, w.gradeId);
        assert.ok(i.points! < i.max, `${w.gradeId} "${w.mistake}" scored ${i.points}/${i.max}: the specs do not catch it`);
      }
      for (const i of r.items) {
        const dependsOnTouched = (DEPENDENCIES[i.gradeId] ?? []).some((d) => touched.has(d));
        if (!touched.has(i.gradeId) && !dependsOnTouched) assert.ok(close(i.points, i.max), `${i.gradeId} should keep full marks in wrong-${k + 1} (it has ${i.points})`);
      }
    });
  });

  it("gives a training task partial credit for partial progress", () => {
    const partial = WRONG.filter((w) => w.partial);
    assert.ok(partial.length >= 1);
    wrongGroups.forEach((group, k) => {
      for (const w of group.filter((x) => x.partial)) {
        const i = item(get(`wrong-${k + 1}`), w.gradeId);
        assert.ok(i.points! > 0 && i.points! < i.max, `${w.gradeId} "${w.mistake}" scored ${i.points}/${i.max}: expected part of the points`);
      }
    });
  });

  it("reports the written questions as manual, ungraded with their points, outside the total, in the CSV and the pages", () => {
    const manual = registry.exercises.flatMap((e) => e.manual ?? []);
    assert.ok(manual.length >= registry.exercises.length, "a written question per exercise");
    const r = get("solutions");
    assert.deepEqual(r.manual.map((m) => [m.manualId, m.max, m.points, m.status]), manual.map((m) => [m.manualId, m.points, null, "manual, ungraded"]));
    assert.ok(r.manual.every((m) => m.answer && m.answer.length > 100), "the solutions' model answers are read");
    assert.ok(get("untouched").manual.every((m) => m.answer === null), "a placeholder is no answer");
    assert.ok(close(r.manualMax, manual.reduce((s, m) => s + m.points, 0)));
    const csv = fs.readFileSync(reports.csv, "utf8").split("\n");
    const header = csv[0].split(",");
    for (const m of manual) assert.ok(header.includes(`${m.manualId} (manual)`), `no CSV column for ${m.manualId}`);
    const page = fs.readFileSync(path.join(reports.feedbackDir, "solutions.html"), "utf8");
    for (const m of manual) assert.ok(page.includes(m.manualId), `the page does not list ${m.manualId}`);
    assert.equal((page.match(/<tr class="manual">/g) ?? []).length, manual.length, "one row per written question");
  });

  it("correct answers written differently keep full marks (three ways for each task that trains or measures)", () => {
    assert.equal(ALTERNATIVE.length, registry.exercises.flatMap((e) => e.graded).length, "one alternative per graded cell");
    for (const tasks of [SECOND, THIRD]) assert.deepEqual(tasks.map((a) => a.gradeId).sort(), ["ae-denoising", "gan-discriminator", "gan-modes", "tr-classifier"]);
    for (const name of ["alternative", "alternative-2", "alternative-3"]) {
      const r = get(name);
      const failed = r.tests.filter((t) => !t.passed).map((t) => `${t.fullTitle}: ${t.message}`);
      assert.deepEqual(failed, [], name);
      assert.ok(close(r.total, TOTAL), `${name}: total ${r.total}`);
    }
  });

  for (const h of HOSTILE) {
    it(`hostile "${h.name}" (${h.threat}) gains no point it did not earn, and costs no other cell a point`, () => {
      const r = get(`hostile-${h.name}`);
      assert.deepEqual(r.graderErrors, [], `grader errors for ${h.name}`);
      for (const id of Object.keys(h.cells)) assert.equal(item(r, id).points, 0, `${h.name}: the attack cell ${id} scored`);
      for (const id of Object.keys(h.instrumented ?? {})) assert.ok(close(item(r, id).points, maxOf(id)), `${h.name}: the correct (instrumented) cell ${id} lost points`);
      h.check?.(r);
      const earned = [...h.honest, ...Object.keys(h.instrumented ?? {})].reduce((s, id) => s + maxOf(id), 0);
      assert.ok(close(r.total, earned), `${h.name}: ${r.total} points, its honest cells are worth ${earned}`);
      for (const id of h.honest) assert.ok(close(item(r, id).points, maxOf(id)), `${h.name}: honest cell ${id} lost points`);
      for (const [id, words] of Object.entries(h.messages ?? {})) {
        const t = r.tests.find((x) => x.gradeId === id && !x.passed);
        assert.ok(t?.message?.includes(words), `${h.name}/${id}: message "${t?.message}" should mention "${words}"`);
      }
    });
  }

  it("no attack left a trace: no file changed or created, no connection made", () => {
    for (const [f, digest] of digests) assert.equal(fs.existsSync(f) ? sha(f) : "deleted", digest, `${path.relative(REPO_ROOT, f)} changed during grading`);
    assert.deepEqual(fs.readdirSync(marker), [], "files appeared in the marker folder");
    assert.ok(!fs.existsSync("/tmp/pwned-write.txt"), "/tmp/pwned-write.txt was written");
    assert.deepEqual(connections, [], "the honeypot received connections");
  });

  it("no submission needed a second attempt: nobody disturbed anyone else's grading", () => {
    for (const r of results.values()) assert.equal(r.attempts, 1, `${r.student} was graded again`);
  });

  it("points come from the solution notebooks (the registry), not from the submitted notebook's metadata", () => {
    const r = get("hostile-broken");
    assert.equal(item(r, "ae-auroc").max, maxOf("ae-auroc"));
    assert.ok(!r.items.some((i) => i.gradeId === "bonus"));
    assert.ok(r.problems.some((p) => p.includes("bonus")), "the unknown graded cell is reported");
    assert.equal(r.max, TOTAL);
  });

  it("feedback pages escape what student code controls", () => {
    const html = fs.readdirSync(path.join(work, "out", "feedback")).map((f) => fs.readFileSync(path.join(work, "out", "feedback", f), "utf8")).join("\n");
    assert.ok(!/<script|<img/i.test(html), "raw markup from a submission in a feedback page");
    assert.ok(html.includes("&lt;img src=x"), "the hostile message is shown, escaped");
  });

  it("takes identity from the archive's name, not its manifest: a forged id and time in 2099 replace nobody, and are flagged", () => {
    const real = get("solutions");
    assert.equal(real.student, "solutions");
    assert.equal(path.basename(real.source), "solutions.tar.gz");
    assert.deepEqual(real.others, []);
    const forged = get("mallory");
    assert.equal(forged.student, "mallory");
    assert.equal(forged.total, 0);
    assert.deepEqual(forged.flags.map((f) => f.kind).sort(), ["identity-mismatch", "time-future"]);
    assert.equal(forged.trust.student, "file-name");
  });

  it("lists every submission that does not count with the one that does, and flags an order that rests on implausible times", () => {
    const r = get("untouched");
    assert.equal(path.basename(r.source), "untouched.tar.gz");
    assert.equal(r.total, 0, "the later submission counts");
    assert.deepEqual(r.others.map((o) => path.basename(o.source)), ["untouched-20200101-000000.tar.gz"]);
    assert.ok(r.flags.some((f) => f.kind === "superseded-others") && r.flags.some((f) => f.kind === "order-uncertain"), r.flags.map((f) => f.kind).join(", "));
    const csv = fs.readFileSync(reports.csv, "utf8");
    const row = csv.split("\n").find((l) => l.startsWith("untouched,"))!;
    assert.match(row, /untouched-20200101-000000\.tar\.gz/, "the superseded archive is not in its CSV row");
    assert.match(csv.split("\n").find((l) => l.startsWith("mallory,"))!, /identity-mismatch.*time-future|time-future.*identity-mismatch/);
    const summary = fs.readFileSync(reports.summary, "utf8");
    assert.match(summary, /## Identity and time/);
    assert.match(summary, /not counted: untouched-20200101-000000\.tar\.gz/);
    assert.match(summary, /mallory.*says it is solutions/);
    const json = JSON.parse(fs.readFileSync(path.join(path.dirname(reports.csv), "results.json"), "utf8")) as { results: SubmissionResult[] };
    const u = json.results.find((x) => x.student === "untouched")!;
    assert.equal(u.others.length, 1);
  });

  it("writes feedback for everyone, whatever their name (250 characters, control characters)", () => {
    const long = get("long-name");
    assert.ok(close(long.total, TOTAL));
    const pages = fs.readdirSync(reports.feedbackDir);
    assert.equal(pages.length, results.size, `${pages.length} feedback pages for ${results.size} students`);
    assert.ok(pages.every((p) => Buffer.byteLength(p) <= 120 && /^[A-Za-z0-9._-]+\.html$/.test(p)), pages.filter((p) => !/^[A-Za-z0-9._-]+\.html$/.test(p)).join(", "));
    assert.deepEqual(reports.failed, []);
  });

  it("shows control characters from students as escapes, never raw, in the terminal, the CSV, the summary and the pages", () => {
    const r = get("hostile-control-characters");
    assert.ok(r.student.includes("\\x1b"), `the student id is shown as ${JSON.stringify(r.student)}`);
    const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    const out = path.dirname(reports.csv);
    const texts: [string, string][] = [
      ["progress", progress.join("\n")],
      ["grades.csv", fs.readFileSync(reports.csv, "utf8").replace(/\r?\n/g, "\n")],
      ["summary.md", fs.readFileSync(reports.summary, "utf8")],
      ...fs.readdirSync(reports.feedbackDir).map((f) => [f, fs.readFileSync(path.join(reports.feedbackDir, f), "utf8")] as [string, string]),
    ];
    for (const [name, text] of texts) assert.ok(!raw.test(text), `${name} holds a raw control character: ${JSON.stringify(text.match(new RegExp(".{0,40}" + raw.source + ".{0,40}"))?.[0])}`);
    assert.ok(fs.readFileSync(path.join(out, "results.json"), "utf8").includes("\\\\x1b[2J"), "the escapes are kept, visibly, in results.json");
    assert.ok(r.problems.some((p) => p.includes("\\x1b[2J")), "the unknown grade id is reported, escaped");
  });

  it("runs every sandbox behind the machine's walls (Linux: namespaces, rlimits, permissions)", function () {
    if (process.platform !== "linux" || process.env.COURSE_GRADER_ALLOW_WEAK_ISOLATION === "1") this.skip();
    const iso = detectIsolation();
    assert.ok(fullyIsolated(iso), `isolation: ${iso.summary}`);
    for (const r of results.values()) assert.ok(r.sandboxStarts >= 1, `${r.student} never started a sandbox`);
  });
});
