/**
 * Autograder speed, against its two targets:
 *
 * 1. one submission (three notebooks, public + hidden specs, its own runner and sandbox) is
 *    graded in ≤ 15 s on 2 cores;
 * 2. 20 submissions are graded with both cores busy: two at a time, and the child processes'
 *    CPU time over the batch's wall time close to 2 cores.
 *
 *   npm run bench -- --files autograde       the runner times both cases (each run grades for real)
 *   npx tsx bench/autograde.bench.ts         this file alone: both targets with verdicts,
 *                                            results in build/bench/autograde.json
 *
 * The 20 submissions are a class's mix: 8 solutions, 6 with wrong answers, 6 untouched exercises.
 * The machine's load average is printed: on a shared machine the times stretch with it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { childCpuSeconds } from "../tools/grader/autograde";
import { archiveOf, readArchiveAs, readNotebooks, replaceCells } from "../tools/grader/fixtures/submissions";
import { WRONG } from "../tools/grader/fixtures/wrong/index";
import { Grader } from "../tools/grader/grade";
import { REPO_ROOT } from "../tools/grader/paths";
import type { Submission } from "../tools/grader/submission";
import type { BenchSuite } from "./types";

const ONE_SUBMISSION_TARGET_S = 15;

/** Writes `n` archives (a mix of solutions, wrong answers and untouched exercises) and reads them back. */
async function makeSubmissions(n: number): Promise<Submission[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "autograde-bench-"));
  const subs: Submission[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 10 < 4 ? "solution" : i % 10 < 7 ? "wrong" : "untouched";
    const nbs = readNotebooks(kind === "untouched" ? "exercises" : "solutions");
    if (kind === "wrong") {
      const ids = [...new Set(WRONG.map((w) => w.gradeId))];
      replaceCells(nbs, Object.fromEntries(ids.map((id) => { const w = WRONG.filter((x) => x.gradeId === id); return [id, w[i % w.length].code]; })));
    }
    const student = `student-${String(i + 1).padStart(2, "0")}`;
    subs.push(await readArchiveAs(await archiveOf(nbs, work, `${student}.tar.gz`, student), student));
  }
  fs.rmSync(work, { recursive: true, force: true });
  return subs;
}

export const suite: BenchSuite = {
  title: "autograder: grading submissions (3 notebooks, public + hidden specs, sandboxed)",
  perBackend: false,
  cases: [
    {
      name: "grade one submission, alone",
      unit: "ms",
      setup: async () => {
        const grader = new Grader({ hidden: true, jobs: 1 });
        await grader.tests();
        const [sub] = await makeSubmissions(1);
        return {
          run: async () => {
            const r = await grader.grade(sub);
            if (Math.abs((r.total ?? 0) - r.max) > 1e-9 || r.graderErrors.length) throw new Error(`the solutions scored ${r.total}/${r.max}: ${r.graderErrors.join("; ")}`);
          },
        };
      },
    },
    {
      name: "grade 20 submissions, 2 at a time",
      unit: "submissions/min",
      scale: 60,
      setup: async () => {
        const grader = new Grader({ hidden: true, jobs: 2 });
        await grader.tests();
        const subs = await makeSubmissions(20);
        return {
          run: async () => {
            const results = await grader.gradeAll(subs);
            if (results.some((r) => r.graderErrors.length)) throw new Error("grader errors in the batch");
            return subs.length;
          },
        };
      },
    },
  ],
};

async function standalone(): Promise<void> {
  const cores = os.cpus().length;
  const load = () => os.loadavg()[0].toFixed(1);
  console.log(`autograder bench: ${cores} cores, ${os.cpus()[0]?.model ?? "?"}, load average ${load()}`);
  const one = new Grader({ hidden: true, jobs: 1 });
  await one.tests(); // lists the specs and compiles the sandbox runtime once, as a grading run does
  const [solution] = await makeSubmissions(1);
  const singles: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await one.grade(solution);
    if (Math.abs((r.total ?? 0) - r.max) > 1e-9) throw new Error(`the solutions scored ${r.total}/${r.max}: ${r.graderErrors.join("; ")}`);
    singles.push(r.durationMs / 1000);
    console.log(`  one submission, alone: ${(r.durationMs / 1000).toFixed(1)} s (${r.tests.length} tests, load ${load()})`);
  }
  const median = [...singles].sort((a, b) => a - b)[1];

  const batch = new Grader({ hidden: true, jobs: 2 });
  await batch.tests();
  const subs = await makeSubmissions(20);
  const cpu0 = childCpuSeconds() ?? 0;
  const t0 = Date.now();
  let running = 0;
  let maxRunning = 0;
  const results = await batch.gradeAll(subs, (e) => {
    if (e.type === "done") console.log(`  [${String(e.index).padStart(2)}/20] ${e.result.student} ${e.result.total}/${e.result.max} in ${(e.result.durationMs / 1000).toFixed(1)} s`);
  });
  const wall = (Date.now() - t0) / 1000;
  const cpu = (childCpuSeconds() ?? 0) - cpu0;
  // Two at a time: every submission's interval overlaps another one's, except at the tail.
  for (const r of results) running += r.durationMs / 1000;
  maxRunning = running / wall;
  const busyCores = cpu / wall;
  const out = {
    when: new Date().toISOString(),
    cores,
    loadAverage: os.loadavg(),
    oneSubmissionSeconds: singles,
    oneSubmissionMedianSeconds: median,
    oneSubmissionTargetSeconds: ONE_SUBMISSION_TARGET_S,
    batch: { submissions: subs.length, jobs: 2, wallSeconds: wall, childCpuSeconds: cpu, busyCores, meanParallelJobs: maxRunning, graderErrors: results.filter((r) => r.graderErrors.length).length },
  };
  console.log(`\none submission, alone: median ${median.toFixed(1)} s (target ≤ ${ONE_SUBMISSION_TARGET_S} s): ${median <= ONE_SUBMISSION_TARGET_S ? "met" : "MISSED"}`);
  console.log(`20 submissions, 2 at a time: ${wall.toFixed(1)} s wall, ${(wall / 20).toFixed(1)} s per submission; ${maxRunning.toFixed(2)} gradings in flight on average; child CPU ${cpu.toFixed(1)} s = ${busyCores.toFixed(2)} cores busy of ${cores} (load average ${load()}: other work on the machine takes its share)`);
  const file = path.join(REPO_ROOT, "build", "bench", "autograde.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) {
  standalone().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
