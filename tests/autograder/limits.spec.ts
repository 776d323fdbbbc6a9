/**
 * The batch's own limits, each against the submission that once broke it: extraction that blocked
 * the grading process, a submission that sleeps just under every per-call limit, archives read all
 * at once into memory, and a notebook too slow to compile (the student's fault, not the grader's).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { readSubmissionArchive } from "../../tools/grader/archive";
import { nestedFunctions, tarHeader } from "../../tools/grader/fixtures/hostileInputs";
import { readNotebooks, replaceCells, submissionOf } from "../../tools/grader/fixtures/submissions";
import { Grader } from "../../tools/grader/grade";
import type { Submission } from "../../tools/grader/submission";

/** The worst delay of this process's event loop while `work` runs. */
async function worstLag<T>(work: () => Promise<T>): Promise<{ value: T; lagMs: number }> {
  let worst = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last - 20);
    last = now;
  }, 20);
  try {
    return { value: await work(), lagMs: worst };
  } finally {
    clearInterval(timer);
  }
}

describe("the batch's limits", function () {
  this.timeout(300_000);
  let grader: Grader;
  before(async () => {
    grader = new Grader({ hidden: true, jobs: 2, exercises: ["autoencoders"] });
    await grader.tests();
  });

  it("never blocks the grading process on a submission's notebooks: they compile on another thread", async () => {
    const nbs = readNotebooks("exercises");
    for (let i = 0; i < 40; i++) nbs.autoencoders.cells.push({ cell_type: "code", metadata: { course: { grade_id: "ae-auroc", points: 1 } }, source: nestedFunctions(450, "function auroc() { return NaN; }") });
    const { value: r, lagMs } = await worstLag(() => grader.grade(submissionOf("nested", nbs)));
    assert.deepEqual(r.graderErrors, []);
    assert.ok(lagMs < 2_000, `the grading process stood still for ${lagMs} ms while this submission was prepared`);
  });

  it("charges a notebook too slow to compile to the submission (a clear message, no retry), not to the grader", async () => {
    const slow = new Grader({ hidden: true, jobs: 1, exercises: ["autoencoders"], prepareTimeoutMs: 300 });
    await slow.tests();
    const nbs = readNotebooks("solutions");
    for (let i = 0; i < 40; i++) nbs.autoencoders.cells.push({ cell_type: "code", metadata: { course: { grade_id: "ae-auroc", points: 1 } }, source: nestedFunctions(450) });
    const r = await slow.grade(submissionOf("slow", nbs));
    assert.equal(r.status, "graded");
    assert.deepEqual(r.graderErrors, []);
    assert.equal(r.total, 0);
    assert.ok(r.problems.some((p) => /could not be compiled within/.test(p)), r.problems.join("; "));
    assert.ok(r.tests.every((t) => t.failure === "student" && /not run: /.test(t.message ?? "")));
  });

  it("bounds the time a submission's code may take in all, charging the submission (the slowest calls named)", async () => {
    const sleep = (fn: string, params: string) => `function ${fn}(${params}): any { const end = Date.now() + 2500; while (Date.now() < end) {} return NaN; }`;
    const nbs = replaceCells(readNotebooks("exercises"), {
      "ae-sparse-l1": sleep("sparseL1Penalty", "a: any, l: any"),
      "ae-masking-noise": sleep("maskingNoise", "x: any, f: any, s: any"),
      "ae-vae-reparam": sleep("reparameterize", "m: any, l: any, e: any"),
      "ae-vae-kl": sleep("vaeKlDivergence", "m: any, l: any"),
      "ae-threshold": sleep("anomalyThreshold", "s: any, r: any"),
      "ae-auroc": sleep("auroc", "s: any, l: any"),
    });
    const budgeted = new Grader({ hidden: true, jobs: 1, exercises: ["autoencoders"], callTimeoutMs: 3_000, budgetMs: 6_000 });
    await budgeted.tests();
    const r = await budgeted.grade(submissionOf("sleeper", nbs));
    assert.deepEqual(r.graderErrors, [], "a slow submission is not the grader's failure");
    assert.ok(r.durationMs < 20_000, `grading took ${(r.durationMs / 1000).toFixed(1)} s; the submission's code had 6 s`);
    assert.ok(r.tests.some((t) => /used up its 6 s in all \(slowest calls: /.test(t.message ?? "")), r.tests.map((t) => t.message).join(" | "));
  });

  it("reads each submission just before grading it: never more in memory than are being graded", async () => {
    let loaded = 0;
    let worst = 0;
    const subs = Array.from({ length: 5 }, (_, i) => async (): Promise<Submission> => {
      loaded++;
      worst = Math.max(worst, loaded);
      return submissionOf(`lazy-${i}`, readNotebooks("exercises"));
    });
    const results = await grader.gradeAll(subs, (e) => {
      if (e.type === "done") loaded--;
    });
    assert.equal(results.length, 5);
    assert.ok(worst <= 2, `${worst} submissions were in memory at once with 2 graded at a time`);
  });

  it("streams an archive: a large entry it does not keep never sits in memory whole", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-stream-"));
    try {
      // A tar entry of 150 MB of zeros (a few hundred KB compressed) next to nothing useful.
      const size = 150 * 1024 * 1024;
      const header = tarHeader("padding.bin", size);
      const gz = zlib.createGzip();
      const file = path.join(dir, "padded.tar.gz");
      const out = fs.createWriteStream(file);
      gz.pipe(out);
      gz.write(header);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 150; i++) gz.write(chunk);
      gz.end(Buffer.alloc(1024));
      await new Promise<void>((r) => out.on("close", () => r()));
      global.gc?.();
      const before = process.memoryUsage().arrayBuffers;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
      const sub = await readSubmissionArchive(file);
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      assert.ok(sub.problems.some((p) => p.includes("padding.bin")), sub.problems.join("; "));
      assert.ok(peak - before < 64 * 1024 * 1024, `reading it held ${((peak - before) / 1e6).toFixed(0)} MB at once`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
