/**
 * One bench participant: imports a bench file, starts one TensorFlow.js backend, then obeys
 * bench/run.ts over stdin/stdout, one JSON message per line ("@@bench " + JSON on stdout;
 * anything else a library prints is passed through as a log line).
 *
 *   → {op: "setup", name}   builds the case, warms up, picks how many calls make one timed run
 *   → {op: "run"}           one timed run → {value}
 *   → {op: "dispose"}       frees the case; reports tensors that piled up during the timed runs
 *   → {op: "exit"}
 *
 * Usage (by the runner): tsx bench/child.ts <file.bench.ts> <backend|none> <seconds>
 */
import * as path from "path";
import * as readline from "readline";
import type { BenchCase, BenchSuite, Timed } from "./types";

const [file, backendArg, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? "1");

function send(message: object): void {
  process.stdout.write(`@@bench ${JSON.stringify(message)}\n`);
}

async function backendMeta(choice: string): Promise<Record<string, unknown>> {
  // Loaded only here, so that suites which do not use TensorFlow.js never load it.
  const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  const { initBackend } = require("../lib/accel/backend") as typeof import("../lib/accel/backend");
  const info = await initBackend({ quiet: true, force: choice as "node" | "wasm" | "cpu" | "gpu" });
  const meta: Record<string, unknown> = { backend: choice, tfName: info.tfName, tfjs: info.tfjsVersion, summary: info.summary };
  if (choice === "wasm") {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    meta.threads = wasm.getThreadsCount();
    meta.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    meta.threadsNote = "Node: the wasm backend runs single-threaded (setThreadsCount is ignored; see docs/backends.md)";
  } else if (choice === "node" || choice === "gpu") {
    const binding = (tf.backend() as unknown as { binding: { TF_Version: string; isUsingGpuDevice(): boolean } }).binding;
    meta.tensorflow = binding.TF_Version;
    meta.gpu = binding.isUsingGpuDevice();
    meta.threads = process.env.TF_NUM_INTRAOP_THREADS ?? `TensorFlow default (intra-op = ${require("os").cpus().length} cores)`;
  } else {
    meta.threads = 1;
  }
  return meta;
}

async function numTensors(): Promise<number | null> {
  if (backendArg === "none") return null;
  const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  return tf.memory().numTensors;
}

async function main(): Promise<void> {
  // require, not import(): the child runs under tsx's CommonJS hook (node --require tsx/cjs).
  const mod = require(path.resolve(file)) as { suite?: BenchSuite };
  const suite = mod.suite;
  if (suite == null) throw new Error(`${file} exports no \`suite\` (see bench/README.md)`);
  const meta = suite.perBackend ? await backendMeta(backendArg) : { backend: "none" };
  const backend = suite.perBackend ? backendArg : "none";
  send({
    ready: true,
    title: suite.title,
    perBackend: suite.perBackend,
    meta,
    cases: suite.cases.map((c) => ({ name: c.name, unit: c.unit, pytorch: c.pytorch ?? c.name, skip: c.skip?.(backend) ?? null })),
  });

  let current: { c: BenchCase; timed: Timed; calls: number; tensorsBefore: number | null } | null = null;
  const cpuSeconds = () => {
    const u = process.cpuUsage(); // this process, all its threads (TensorFlow's pool included)
    return (u.user + u.system) / 1e6;
  };
  const timeCalls = async (calls: number): Promise<{ work: number; elapsed: number; cpu: number }> => {
    let work = 0;
    const cpu0 = cpuSeconds();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) work += Number((await current!.timed.run()) ?? 0);
    return { work, elapsed: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds() - cpu0 };
  };

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const msg = JSON.parse(line) as { op: string; name?: string };
    try {
      if (msg.op === "setup") {
        const c = suite.cases.find((x) => x.name === msg.name);
        if (c == null) throw new Error(`no case "${msg.name}"`);
        const tensorsBefore = await numTensors();
        const timed = await c.setup();
        current = { c, timed, calls: 1, tensorsBefore };
        // Warm-up: at least 2 calls and 0.3 s (kernels compile, operator caches fill).
        let calls = 0;
        let spent = 0;
        while (calls < 2 || spent < Math.min(0.3, seconds)) {
          spent += (await timeCalls(1)).elapsed;
          calls++;
        }
        current.calls = Math.max(1, Math.ceil(seconds / (spent / calls)));
        current.tensorsBefore = await numTensors(); // after warm-up: optimiser slots exist by now
        send({ ok: true, calls: current.calls });
      } else if (msg.op === "run") {
        if (current == null) throw new Error("run before setup");
        const { work, elapsed, cpu } = await timeCalls(current.calls);
        const scale = current.c.scale ?? 1;
        const value = current.c.unit === "ms" ? (elapsed / current.calls) * 1000 : (work / elapsed) * scale;
        // The same per CPU-second: less sensitive to other processes on a shared machine.
        const perCpu = current.c.unit === "ms" ? (cpu / current.calls) * 1000 : (work / Math.max(cpu, 1e-9)) * scale;
        send({ value, perCpu });
      } else if (msg.op === "dispose") {
        // Tensors that piled up during the timed runs (a leak per step), before the case frees its model.
        let leaked = 0;
        if (current) {
          const after = await numTensors();
          if (after != null && current.tensorsBefore != null) leaked = after - current.tensorsBefore;
          current.timed.dispose?.();
        }
        current = null;
        send({ ok: true, leaked });
      } else if (msg.op === "exit") {
        send({ ok: true });
        process.exit(0);
      }
    } catch (err) {
      send({ error: (err as Error).message.split("\n")[0] });
    }
  }
}

main().catch((err) => {
  send({ fatal: (err as Error).stack ?? String(err) });
  process.exit(1);
});
