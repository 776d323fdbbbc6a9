/**
 * `npm run bench`: runs every bench/*.bench.ts on every TensorFlow.js backend present, with
 * PyTorch beside them when a Python with torch is found, and prints one table per suite plus
 * the ratios to PyTorch. Writes build/bench/bench-<time>.json and build/bench/latest.json.
 *
 * Each backend runs in its own child process (bench/child.ts), PyTorch in another
 * (bench/torch_bench.py --serve). The runs of one case are interleaved across them — run 1 on
 * every participant, then run 2… — so a change of machine load hits all columns alike.
 *
 *   npm run bench -- [--runs 5] [--seconds 1] [--only <substring>] [--backends node,wasm,cpu]
 *                    [--files training,matmul] [--no-torch] [--quick] [--threads N]   (--help: all)
 *
 * --threads N caps TensorFlow's (tfjs-node) and PyTorch's thread pools at N (default: their own
 * defaults, one thread per core). On a loaded machine, 1 is the fairer comparison: a 2-thread
 * pool whose threads wait for each other suffers far more from other processes than one thread.
 *
 * Python: $BENCH_PYTHON, else build/bench-venv/bin/python (made by bench/setup-torch.sh), else python3.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { defineCommand, positiveInt, positiveNumber, REPO_ROOT, runCommand, type ParsedValues, writeFileAtomic } from "@ts-course/cli";


interface Options {
  runs: number;
  seconds: number;
  only: string;
  backends: string[] | null;
  files: string[] | null;
  torch: boolean;
  threads: number | null;
}

const command = defineCommand({
  name: "npm run bench",
  summary: "time the course's models on every TensorFlow.js backend present, with PyTorch beside them",
  usage: "[options]",
  options: {
    runs: { type: "string", value: "n", help: "timed runs per case and participant; the median is reported (default 5)" },
    seconds: { type: "string", value: "s", help: "length of one timed run (default 1)" },
    only: { type: "string", value: "text", help: "only cases whose name contains this" },
    backends: { type: "string", value: "list", help: "only these backends, e.g. node,wasm" },
    files: { type: "string", value: "list", help: "only these bench files (name prefixes), e.g. training,matmul" },
    "no-torch": { type: "boolean", help: "leave out the PyTorch column" },
    quick: { type: "boolean", help: "3 runs of 0.4 s (a smoke test)" },
    threads: { type: "string", value: "n", help: "cap TensorFlow's and PyTorch's thread pools at n (default: their own)" },
  },
  epilog: "Python: $BENCH_PYTHON, else build/bench-venv/bin/python (npm run setup:bench-torch), else python3. See bench/README.md.",
});

function options(values: ParsedValues<typeof command.spec.options>): Options {
  const list = (v: string | undefined) => (v == null ? null : v.split(",").filter(Boolean));
  return {
    runs: positiveInt(values.runs, "runs") ?? (values.quick ? 3 : 5),
    seconds: positiveNumber(values.seconds, "seconds") ?? (values.quick ? 0.4 : 1),
    only: values.only ?? "",
    backends: list(values.backends),
    files: list(values.files),
    torch: values["no-torch"] !== true,
    threads: positiveInt(values.threads, "threads") ?? null,
  };
}

function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Backends present, fastest first (as lib/accel/backend.ts orders them). */
function presentBackends(): string[] {
  const list: string[] = [];
  if (installed("@tensorflow/tfjs-node-gpu")) list.push("gpu");
  if (installed("@tensorflow/tfjs-node")) list.push("node");
  list.push("wasm", "cpu");
  return list;
}

function findPython(): string | null {
  const candidates = [process.env.BENCH_PYTHON, path.join(REPO_ROOT, "build/bench-venv/bin/python"), "python3"].filter(Boolean) as string[];
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import torch"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// A participant: a child process speaking the "@@bench " line protocol.

interface CaseInfo {
  name: string;
  unit: string;
  pytorch?: string;
  skip?: string | null;
}

interface Ready {
  title?: string;
  perBackend?: boolean;
  meta: Record<string, unknown>;
  cases: CaseInfo[];
}

class Participant {
  private readonly waiting: ((m: Record<string, unknown>) => void)[] = [];
  private readonly proc: ChildProcess;
  ready: Promise<Ready>;
  private exited = false;

  constructor(readonly label: string, command: string, args: string[]) {
    this.proc = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" },
    });
    const stderrTail: string[] = [];
    readline.createInterface({ input: this.proc.stderr! }).on("line", (l) => {
      stderrTail.push(l);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    readline.createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      if (!line.startsWith("@@bench ")) return; // a library's own printing
      const msg = JSON.parse(line.slice(8)) as Record<string, unknown>;
      this.waiting.shift()?.(msg);
    });
    this.ready = new Promise((resolve, reject) => {
      this.waiting.push((m) => (m.fatal ? reject(new Error(`${label}: ${m.fatal}`)) : resolve(m as unknown as Ready)));
      this.proc.on("exit", (code) => {
        this.exited = true;
        const pending = this.waiting.splice(0);
        const why = { error: `${label} exited (code ${code}): ${stderrTail.slice(-5).join(" | ")}` };
        for (const w of pending) w(why);
        reject(new Error(why.error));
      });
    });
    this.ready.catch(() => undefined);
  }

  request(msg: object): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.resolve({ error: `${this.label} is not running` });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin!.write(JSON.stringify(msg) + "\n");
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await Promise.race([this.request({ op: "exit" }), new Promise((r) => setTimeout(r, 5000))]);
    if (!this.exited) this.proc.kill();
  }
}

function tfjsChild(file: string, backend: string, seconds: number): Participant {
  const args = ["--require", "tsx/cjs", path.join(__dirname, "child.ts"), file, backend, String(seconds)];
  return new Participant(backend, process.execPath, args);
}

// ---------------------------------------------------------------------------------------------

interface Row {
  suite: string;
  name: string;
  unit: string;
  pytorchCase: string;
  results: Record<string, { median?: number; values?: number[]; perCpu?: number; skipped?: string; error?: string; leaked?: number }>;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function fmt(v: number | undefined): string {
  if (v == null || !Number.isFinite(v)) return "—";
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(v >= 10 ? 1 : 2);
}

function printTable(title: string, rows: Row[], columns: string[]): void {
  const header = ["", ...columns];
  const lines = rows.map((r) => [
    r.name,
    ...columns.map((c) => {
      const x = r.results[c];
      if (x == null) return "";
      if (x.skipped) return "skip";
      if (x.error) return "error";
      return fmt(x.median) + (x.leaked ? ` (leak ${x.leaked})` : "");
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${title}`);
  console.log(pad(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(pad(l));
  for (const r of rows) for (const [c, x] of Object.entries(r.results)) if (x.error) console.log(`  ${r.name} on ${c}: ${x.error}`);
}

async function main(opts: Options): Promise<void> {
  if (opts.threads != null) {
    // Inherited by every child: TensorFlow reads these at start-up; torch_bench.py reads BENCH_THREADS.
    process.env.TF_NUM_INTRAOP_THREADS = String(opts.threads);
    process.env.TF_NUM_INTEROP_THREADS = "1";
    process.env.BENCH_THREADS = String(opts.threads);
    process.env.OMP_NUM_THREADS = String(opts.threads);
  }
  const backends = opts.backends ?? presentBackends();
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => opts.files == null || opts.files.some((x) => f.startsWith(x)))
    .sort((a, b) => (a === "training.bench.ts" ? -1 : b === "training.bench.ts" ? 1 : a.localeCompare(b)));
  const loadStart = os.loadavg();
  const started = new Date();

  let torch: Participant | null = null;
  let torchReady: Ready | null = null;
  let torchNote = "not requested (--no-torch)";
  if (opts.torch) {
    const py = findPython();
    if (py == null) torchNote = "no Python with torch found (run bench/setup-torch.sh, or set BENCH_PYTHON)";
    else {
      torch = new Participant("pytorch", py, [path.join(__dirname, "torch_bench.py"), "--serve", "--seconds", String(opts.seconds)]);
      try {
        torchReady = await torch.ready;
        torchNote = `torch ${torchReady.meta.torch}, ${torchReady.meta.threads} threads`;
      } catch (err) {
        torchNote = `failed to start: ${(err as Error).message}`;
        torch = null;
      }
    }
  }
  console.log(`bench: ${files.length} files; backends ${backends.join(", ")}; PyTorch: ${torchNote}`);
  console.log(`${os.cpus().length} × ${os.cpus()[0]?.model}; load average ${loadStart.map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`median of ${opts.runs} interleaved runs of ~${opts.seconds} s each`);

  const allRows: Row[] = [];
  const metas: Record<string, Record<string, unknown>> = {};
  if (torchReady) metas.pytorch = torchReady.meta;

  for (const file of files) {
    const full = path.join(__dirname, file);
    const first = tfjsChild(full, backends[0], opts.seconds);
    let ready: Ready;
    try {
      ready = await first.ready;
    } catch (err) {
      console.log(`\n${file}: could not start: ${(err as Error).message}`);
      continue;
    }
    const children: { label: string; p: Participant; ready: Ready }[] = [];
    if (ready.perBackend) {
      children.push({ label: backends[0], p: first, ready });
      for (const b of backends.slice(1)) {
        const p = tfjsChild(full, b, opts.seconds);
        try {
          children.push({ label: b, p, ready: await p.ready });
        } catch (err) {
          console.log(`${file} on ${b}: could not start: ${(err as Error).message}`);
        }
      }
    } else {
      children.push({ label: "result", p: first, ready });
    }
    for (const c of children) metas[c.label] = c.ready.meta;

    const columns = [...children.map((c) => c.label)];
    const torchCases = new Set((torchReady?.cases ?? []).map((c) => c.name));
    const rows: Row[] = [];
    for (const info of ready.cases) {
      if (opts.only && !info.name.includes(opts.only)) continue;
      const row: Row = { suite: file, name: info.name, unit: info.unit, pytorchCase: info.pytorch ?? info.name, results: {} };
      const active: { label: string; p: Participant; values: number[]; perCpu: number[] }[] = [];
      for (const c of children) {
        const mine = c.ready.cases.find((x) => x.name === info.name);
        if (mine?.skip) {
          row.results[c.label] = { skipped: mine.skip };
          continue;
        }
        const r = await c.p.request({ op: "setup", name: info.name });
        if (r.error) row.results[c.label] = { error: String(r.error) };
        else active.push({ label: c.label, p: c.p, values: [], perCpu: [] });
      }
      // PyTorch runs a case once even when two tfjs rows compare with it.
      const torchCase = row.pytorchCase;
      const torchDone = allRows.concat(rows).find((x) => x.pytorchCase === torchCase && x.results.pytorch?.median != null);
      if (torch && torchCases.has(torchCase) && !torchDone) {
        const r = await torch.request({ op: "setup", name: torchCase });
        if (r.error) row.results.pytorch = { error: String(r.error) };
        else active.push({ label: "pytorch", p: torch, values: [], perCpu: [] });
      } else if (torchDone) {
        row.results.pytorch = { ...torchDone.results.pytorch };
      }
      for (let run = 0; run < opts.runs; run++) {
        for (const a of active) {
          const r = await a.p.request({ op: "run" });
          if (r.error) row.results[a.label] = { error: String(r.error) };
          else {
            a.values.push(Number(r.value));
            if (r.perCpu != null) a.perCpu.push(Number(r.perCpu));
          }
        }
      }
      for (const a of active) {
        const d = await a.p.request({ op: "dispose" });
        if (row.results[a.label]?.error) continue;
        row.results[a.label] = { median: median(a.values), values: a.values, perCpu: a.perCpu.length ? median(a.perCpu) : undefined, leaked: Number(d.leaked ?? 0) };
      }
      const best = bestTfjs(row);
      process.stderr.write(`  ${info.name}: ${Object.entries(row.results).map(([k, v]) => `${k} ${fmt(v.median)}`).join(", ")}${best ? `; best/pytorch ${ratio(row)}` : ""}\n`);
      rows.push(row);
    }
    for (const c of children) await c.p.close();
    const hasTorch = rows.some((r) => r.results.pytorch);
    printTable(`${ready.title ?? file}  [${file}]`, rows, hasTorch ? [...columns, "pytorch"] : columns);
    allRows.push(...rows);
  }
  await torch?.close();

  // Ratios: the best TensorFlow.js backend against PyTorch, per case.
  const compared = allRows.filter((r) => r.results.pytorch?.median != null && bestTfjs(r));
  if (compared.length) {
    console.log("\nBest TensorFlow.js backend ÷ PyTorch (same run)");
    for (const r of compared) {
      const b = bestTfjs(r)!;
      console.log(`  ${r.name.padEnd(44)} ${b.label.padEnd(5)} ${fmt(b.value).padStart(8)} / ${fmt(r.results.pytorch.median).padStart(8)} = ${ratio(r)}`);
    }
  }
  // The same per CPU-second of each process (all its threads): what each framework gets done
  // with the CPU it was given. On a machine shared with other work this is the steadier number;
  // on an idle machine, wall-clock throughput ≈ per-CPU-second × threads used (at best).
  const cpuRows = allRows.filter((r) => r.unit !== "ms" && Object.values(r.results).some((x) => x.perCpu != null));
  if (cpuRows.length) {
    console.log("\nPer CPU-second of each process (same runs; higher is better)");
    for (const r of cpuRows) {
      const cells = Object.entries(r.results)
        .filter(([, x]) => x.perCpu != null)
        .map(([label, x]) => `${label} ${fmt(x.perCpu)}`);
      const bestCpu = Math.max(...Object.entries(r.results).filter(([l, x]) => l !== "pytorch" && x.perCpu != null).map(([, x]) => x.perCpu!));
      const torchCpu = r.results.pytorch?.perCpu;
      const q = torchCpu ? `  best/pytorch ${(bestCpu / torchCpu).toFixed(2)}` : "";
      console.log(`  ${r.name.padEnd(44)} ${cells.join(", ")}${q}`);
    }
  }
  const loadEnd = os.loadavg();
  console.log(`\nload average at the end ${loadEnd.map((l) => l.toFixed(2)).join(" ")}`);

  const report = {
    date: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    options: opts,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, node: process.version, loadStart, loadEnd },
    participants: metas,
    pytorch: torchNote,
    rows: allRows,
  };
  const dir = path.join(REPO_ROOT, "build/bench");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  writeFileAtomic(path.join(dir, `bench-${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileAtomic(path.join(dir, "latest.json"), JSON.stringify(report, null, 2));
  console.log(`wrote build/bench/bench-${stamp}.json (and latest.json)`);
}

function bestTfjs(r: Row): { label: string; value: number } | null {
  let best: { label: string; value: number } | null = null;
  for (const [label, x] of Object.entries(r.results)) {
    if (label === "pytorch" || x.median == null) continue;
    const better = r.unit === "ms" ? best == null || x.median < best.value : best == null || x.median > best.value;
    if (better) best = { label, value: x.median };
  }
  return best;
}

function ratio(r: Row): string {
  const b = bestTfjs(r);
  const t = r.results.pytorch?.median;
  if (!b || t == null) return "—";
  const q = r.unit === "ms" ? t / b.value : b.value / t;
  return q >= 1 ? `${q.toFixed(2)}×` : `${q.toFixed(2)} (1/${(1 / q).toFixed(1)})`;
}

runCommand(command, async ({ values }) => {
  await main(options(values));
  return 0;
});
