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
import { readSubmissionArchive, Submission, writeSubmissionArchive } from "../tools/grader/archive";
import { childCpuSeconds } from "../tools/grader/autograde";
import { Grader } from "../tools/grader/grade";
import { gradeMark } from "../tools/grader/notebook";
import { EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR } from "../tools/grader/paths";
import { readRegistry } from "../tools/grader/registry";
import { WRONG } from "../tests/autograder/wrong/index";
import type { BenchSuite } from "./types";

const ONE_SUBMISSION_TARGET_S = 15;

/** Writes `n` archives (a mix of solutions, wrong answers and untouched exercises) and reads them back. */
async function makeSubmissions(n: number): Promise<Submission[]> {
  const registry = readRegistry();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "autograde-bench-"));
  const subs: Submission[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 10 < 4 ? "solution" : i % 10 < 7 ? "wrong" : "untouched";
    const dir = path.join(work, `s${i}`);
    fs.mkdirSync(dir);
    const files = registry.exercises.map((e) => {
      const nb = JSON.parse(fs.readFileSync(path.join(kind === "untouched" ? EXERCISES_DIR : SOLUTIONS_DIR, e.notebook), "utf8"));
      if (kind === "wrong") {
        for (const cell of nb.cells) {
          const w = WRONG.filter((x) => x.gradeId === gradeMark(cell)?.gradeId);
          if (w.length) cell.source = w[i % w.length].code;
        }
      }
      const file = path.join(dir, e.notebook);
      fs.writeFileSync(file, JSON.stringify(nb));
      return { name: e.name, file };
    });
    const archive = path.join(work, `student-${String(i + 1).padStart(2, "0")}.tar.gz`);
    await writeSubmissionArchive(`student-${String(i + 1).padStart(2, "0")}`, files, archive);
    subs.push(await readSubmissionArchive(archive));
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
            if (r.total !== r.max || r.graderErrors.length) throw new Error(`the solutions scored ${r.total}/${r.max}: ${r.graderErrors.join("; ")}`);
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
    if (r.total !== r.max) throw new Error(`the solutions scored ${r.total}/${r.max}: ${r.graderErrors.join("; ")}`);
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
