/**
 * Capacity (c): what one active student's kernel holds. The autoencoder lecture is run on the
 * course kernel (the same tslab kernel every student's JupyterLab starts) up to and including its
 * first training cell, and the kernel then reports its own resident memory and CPU time.
 *
 *   npx tsx bench/kernelMemory.ts            the backend a kernel picks here, and wasm
 *
 * bench/class.bench.ts runs it as part of its table; the idle JupyterLab server's share is
 * measured by tests/class/spawn.class.ts.
 */
import * as path from "path";
import { REPO_ROOT } from "@ts-course/cli";
import { cellSource, makeNotebook, readNotebook } from "@ts-course/notebook";
import { executeNotebook } from "nbconvert-ts";

const LECTURE = path.join(REPO_ROOT, "lectures", "2022-10-28-autoencoders.ipynb");
const PROBE = 'console.log("kernel-probe " + JSON.stringify({ rss: process.memoryUsage().rss, cpu: process.cpuUsage(), backend: tf.getBackend() }));';

export interface KernelFootprint {
  backend: string;
  /** Resident memory of the kernel process after the cell, MB. */
  rssMB: number;
  /** The kernel's CPU time from its start to the end of the cell, s. */
  cpuSeconds: number;
  /** Wall time of the whole run (kernel start included), s. */
  seconds: number;
}

export async function kernelAfterFirstTraining(env: Record<string, string> = {}): Promise<KernelFootprint> {
  const code = readNotebook(LECTURE).cells.filter((c) => c.cell_type === "code").map(cellSource);
  const firstTraining = code.findIndex((s) => /await train\w*\(/.test(s));
  if (firstTraining < 0) throw new Error(`${LECTURE}: no training cell (await train…()) found`);
  const nb = makeNotebook([...code.slice(0, firstTraining + 1), PROBE].map((source) => ({ type: "code" as const, source })));
  const report = await executeNotebook(nb, { env, timeout: 1800, file: `${path.basename(LECTURE)} up to its first training cell` });
  if (!report.ok) throw new Error(`the lecture's first cells failed: ${report.failures.map((f) => f.error ? `${f.error.ename}: ${f.error.evalue}` : f.status).join("; ")}`);
  const printed = JSON.stringify(report.notebook.cells.at(-1)!.outputs);
  const match = /kernel-probe (\{.*?\})\\n/.exec(printed);
  if (!match) throw new Error(`the probe cell printed no figures: ${printed.slice(0, 300)}`);
  const probe = JSON.parse(match[1].replace(/\\"/g, '"')) as { rss: number; cpu: { user: number; system: number }; backend: string };
  return { backend: probe.backend, rssMB: probe.rss / 2 ** 20, cpuSeconds: (probe.cpu.user + probe.cpu.system) / 1e6, seconds: report.seconds };
}

if (require.main === module) {
  (async () => {
    const backends: Record<string, string>[] = [{}, { COURSE_BACKEND: "wasm" }];
    for (const env of backends) {
      const f = await kernelAfterFirstTraining(env);
      console.log(`course kernel after the autoencoder lecture's first training cell (${f.backend}): ${f.rssMB.toFixed(0)} MB resident, ${f.cpuSeconds.toFixed(0)} s CPU, ${f.seconds.toFixed(0)} s wall`);
    }
  })().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
}
