/**
 * Step 3: running a notebook's code cells in order on a kernel and recording their outputs.
 *
 * What tslab does not do, the executor does:
 * - execution counts: numbered here, one per executed cell (tslab's reply is ignored);
 * - errors: a reply with status "error" has its error cut out of stderr into an `error` output;
 * - "abort": tslab rejects every request that arrives within ~200 ms after a failed cell;
 *   such a reply is retried after 250 ms, so with --allow-errors no later cell is lost.
 *
 * A cell that runs longer than its timeout (`metadata.timeout` in seconds, else the default)
 * is interrupted with SIGINT; if the kernel does not answer within the grace period it is
 * killed and restarted. A kernel that dies is reported with the cell it died in. By default
 * the run stops at the first failed cell; `allowErrors` keeps going (restarting a dead kernel).
 */
import { FoundKernelSpec, findKernelSpec } from "../kernel/kernelspec";
import { delay, describeExit, KernelClient, KernelDiedError, RequestResult } from "../kernel/client";
import { Cell, cloneNotebook, joinText, Notebook, NotebookError } from "@ts-course/notebook";
import { ErrorOutput } from "./errors";
import { DisplayRegistry, OutputCollector, toNotebookOutputs } from "./outputs";

export interface ExecuteOptions {
  /** Keep going after a failed cell (the run still counts as failed). */
  allowErrors?: boolean;
  /** Seconds a cell may run unless its metadata.timeout says otherwise (default 600). */
  timeout?: number;
  /** Seconds the kernel has to stop after SIGINT before it is killed and restarted (default 10). */
  interruptGrace?: number;
  /** Seconds the kernel has to start (default 60). */
  startTimeout?: number;
  /** Use this kernel instead of the notebook's metadata.kernelspec.name. */
  kernelName?: string;
  /** Extra environment for the kernel (COURSE_TRAIN_SCALE, …). */
  env?: Record<string, string>;
  /** Name used in messages (the notebook's path). */
  file?: string;
  /** Called as cells start and finish (progress display). */
  onCellStart?: (cell: CellReport) => void;
  onCellDone?: (cell: CellReport) => void;
}

export type CellStatus = "ok" | "error" | "timeout" | "died" | "not-run";

export interface CellReport {
  /** Index in notebook.cells. */
  index: number;
  id?: string;
  executionCount: number | null;
  status: CellStatus;
  /** Wall-clock seconds from sending the request to having its reply and idle. */
  seconds: number;
  /** Seconds the kernel itself reports (busy → idle, its own clock); 0 when unknown. */
  kernelSeconds: number;
  /** How many requests tslab aborted (and were retried). */
  aborts: number;
  error?: { ename: string; evalue: string };
}

export interface ExecuteReport {
  notebook: Notebook;
  cells: CellReport[];
  /** Every code cell ran without error. */
  ok: boolean;
  /** The failed cells (error, timeout, died). */
  failures: CellReport[];
  /** Whole run, kernel start and shutdown included. */
  seconds: number;
  kernelStartSeconds: number;
  kernelRestarts: number;
}

const DEFAULT_TIMEOUT = 600;
const ABORT_RETRY_MS = 250;
const MAX_ABORT_RETRIES = 20;

/** The kernelspec a notebook asks for, with errors that name the file. */
export function resolveKernel(nb: Notebook, file: string, override?: string): FoundKernelSpec {
  const name = override ?? nb.metadata?.kernelspec?.name;
  if (!name) {
    throw new NotebookError(file, 'metadata.kernelspec is missing, so it is not known which kernel runs it (the course kernel is "ts-course"; pass --kernel ts-course)');
  }
  try {
    return findKernelSpec(String(name));
  } catch (e) {
    throw new NotebookError(file, (e as Error).message);
  }
}

/**
 * The executed notebook says what ran it: the kernelspec actually used (the course kernel when
 * the notebook asked for tslab, or --kernel chose another) and the language_info the kernel
 * reported in its kernel_info reply, as Jupyter's executor records them.
 */
function recordKernel(nb: Notebook, spec: FoundKernelSpec, info: Record<string, unknown>): void {
  const asked = nb.metadata.kernelspec?.name;
  if (asked !== spec.name) {
    nb.metadata.kernelspec = { name: spec.name, display_name: spec.spec.display_name, language: spec.spec.language };
  }
  const languageInfo = info.language_info;
  if (languageInfo && typeof languageInfo === "object" && typeof (languageInfo as { name?: unknown }).name === "string") {
    nb.metadata.language_info = { ...(nb.metadata.language_info ?? {}), ...(languageInfo as Record<string, unknown>) };
  }
}

/** The timeout of one cell in seconds: metadata.timeout when it is a positive number. */
export function cellTimeout(cell: Cell, fallback: number): number {
  const t = cell.metadata?.timeout;
  return typeof t === "number" && t > 0 ? t : fallback;
}

export function describeCell(nbCellIndex: number, cell: Cell): string {
  return `cell ${nbCellIndex + 1}${cell.id ? ` (id ${cell.id})` : ""}`;
}

/** The kernel of a run, replaced when it has to be restarted. */
interface Session {
  kernel: KernelClient;
  restart(): Promise<void>;
  restarts: number;
}

export async function executeNotebook(source: Notebook, options: ExecuteOptions = {}): Promise<ExecuteReport> {
  const file = options.file ?? "<notebook>";
  const started = Date.now();
  const nb = cloneNotebook(source);
  const spec = resolveKernel(nb, file, options.kernelName);
  const startKernel = () => KernelClient.start(spec, { env: options.env, startTimeoutMs: (options.startTimeout ?? 60) * 1000 });

  // Outputs of earlier runs go; cells not reached stay empty.
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    cell.outputs = [];
    cell.execution_count = null;
    if (cell.metadata?.execution) delete cell.metadata.execution;
  }

  let first: KernelClient;
  try {
    first = await startKernel();
  } catch (e) {
    throw new NotebookError(file, `could not start kernel "${spec.name}": ${(e as Error).message}`);
  }
  const session: Session = {
    kernel: first,
    restarts: 0,
    async restart() {
      await this.kernel.shutdown(0);
      this.kernel = await startKernel();
      this.restarts++;
    },
  };
  const kernelStartSeconds = (Date.now() - started) / 1000;
  recordKernel(nb, spec, first.info);

  const reports: CellReport[] = [];
  const collectors = new Map<Cell, OutputCollector>();
  const displays: DisplayRegistry = new Map();
  let count = 0;
  let stopped = false;
  try {
    for (let index = 0; index < nb.cells.length; index++) {
      const cell = nb.cells[index];
      if (cell.cell_type !== "code") continue;
      const code = joinText(cell.source);
      const report: CellReport = { index, id: cell.id, executionCount: null, status: "not-run", seconds: 0, kernelSeconds: 0, aborts: 0 };
      reports.push(report);
      if (stopped || code.trim() === "") continue; // Jupyter leaves empty cells unnumbered too

      report.executionCount = ++count;
      const collector = new OutputCollector(displays, count);
      collectors.set(cell, collector);
      options.onCellStart?.(report);
      const t0 = Date.now();
      const error = await runCell(session, index, cell, code, collector, report, options);
      report.seconds = (Date.now() - t0) / 1000;
      if (error) {
        collector.add(error);
        report.error = { ename: error.ename, evalue: error.evalue };
      }
      if (report.status === "died" && options.allowErrors) await session.restart();
      options.onCellDone?.(report);
      if (report.status !== "ok" && !options.allowErrors) stopped = true;
    }
  } finally {
    await session.kernel.shutdown();
  }

  // Outputs are final only now: update_display_data may change an earlier cell's display.
  for (const [cell, collector] of collectors) cell.outputs = toNotebookOutputs(collector.outputs);
  for (const r of reports) nb.cells[r.index].execution_count = r.executionCount;

  const failures = reports.filter((r) => r.status === "error" || r.status === "timeout" || r.status === "died");
  return {
    notebook: nb,
    cells: reports,
    ok: failures.length === 0,
    failures,
    seconds: (Date.now() - started) / 1000,
    kernelStartSeconds,
    kernelRestarts: session.restarts,
  };
}

/**
 * Runs one cell to its end: retries it while tslab aborts it, interrupts it at its timeout
 * (and kills the kernel if SIGINT does not stop it), notices a dead kernel. Sets
 * `report.status` and returns the error output to add, if any.
 */
async function runCell(
  session: Session,
  index: number,
  cell: Cell,
  code: string,
  collector: OutputCollector,
  report: CellReport,
  options: ExecuteOptions,
): Promise<ErrorOutput | null> {
  const timeoutMs = cellTimeout(cell, options.timeout ?? DEFAULT_TIMEOUT) * 1000;
  const graceMs = (options.interruptGrace ?? 10) * 1000;
  const t0 = Date.now();
  for (;;) {
    const kernel = session.kernel;
    if (kernel.isDead) {
      // died between cells (e.g. a timer that called process.exit)
      report.status = "died";
      return deadKernelError(kernel, index, cell);
    }
    const { msgId, done } = kernel.request(
      "shell",
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      { onIopub: (msg) => collector.handle(msg) },
    );
    const outcome = await waitFor(done, timeoutMs - (Date.now() - t0));

    if (outcome.kind === "died") {
      report.status = "died";
      return deadKernelError(kernel, index, cell);
    }

    if (outcome.kind === "done") {
      const status = (outcome.result.reply.content as { status?: string }).status;
      if (status === "abort" && report.aborts < MAX_ABORT_RETRIES) {
        // tslab refuses requests for ~200 ms after a failed cell: ask again
        report.aborts++;
        await delay(ABORT_RETRY_MS);
        continue;
      }
      report.kernelSeconds = kernelSeconds(outcome.result);
      setTimings(cell, outcome.result);
      if (status === "ok") {
        report.status = "ok";
        return null;
      }
      report.status = "error";
      if (collector.sawErrorMessage) return null; // a kernel that sends real `error` messages
      return (
        collector.takeErrorFromStderr(code.split("\n").length) ?? {
          output_type: "error",
          ename: "Error",
          evalue: status === "abort" ? `the kernel kept aborting this cell (${report.aborts} retries)` : `the kernel reported status "${status}"`,
          traceback: [],
        }
      );
    }

    // Timed out: interrupt, and kill the kernel if it does not come back.
    report.status = "timeout";
    const limit = `${describeCell(index, cell)} did not finish within ${timeoutMs / 1000} s`;
    // SIGINT again every second of the grace period: one that lands while tslab is still
    // compiling the cell is lost (its handler only cancels a cell that is already running).
    kernel.interrupt();
    const again = setInterval(() => kernel.interrupt(), 1000);
    const after = await waitFor(done, graceMs).finally(() => clearInterval(again));
    if (after.kind === "died") {
      report.status = "died";
      return deadKernelError(kernel, index, cell);
    }
    if (after.kind === "done") {
      // What SIGINT left on stderr is Node's "Script execution was interrupted" and its
      // properties: only the cell's own frames (where it was stuck) are worth keeping.
      const interrupted = collector.takeErrorFromStderr();
      const frames = (interrupted?.traceback ?? []).filter((l) => /^\s+at /.test(l));
      return { output_type: "error", ename: "CellTimeoutError", evalue: `${limit}: interrupted`, traceback: frames };
    }
    kernel.forget(msgId);
    if (options.allowErrors) await session.restart();
    else await kernel.shutdown(0);
    return {
      output_type: "error",
      ename: "CellTimeoutError",
      evalue: `${limit}, and the kernel did not stop within ${graceMs / 1000} s of SIGINT: it was killed${options.allowErrors ? " and restarted (earlier cells' state is lost)" : ""}`,
      traceback: [],
    };
  }
}

type Outcome = { kind: "done"; result: RequestResult } | { kind: "died"; error: KernelDiedError } | { kind: "timeout" };

async function waitFor(done: Promise<RequestResult>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((r) => (timer = setTimeout(() => r({ kind: "timeout" }), Math.max(0, ms))));
  try {
    return await Promise.race([
      done.then(
        (result): Outcome => ({ kind: "done", result }),
        (e): Outcome => {
          if (e instanceof KernelDiedError) return { kind: "died", error: e };
          throw e;
        },
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function deadKernelError(kernel: KernelClient, index: number, cell: Cell): ErrorOutput {
  const exit = kernel.exit ?? { code: null, signal: null };
  const log = kernel.log.trim().split("\n").filter(Boolean).slice(-10);
  return {
    output_type: "error",
    ename: "DeadKernelError",
    evalue: `the kernel died (${describeExit(exit)}) while running ${describeCell(index, cell)}`,
    traceback: log,
  };
}

function kernelSeconds(r: RequestResult): number {
  if (!r.busyDate || !r.idleDate) return 0;
  return Math.max(0, (Date.parse(r.idleDate) - Date.parse(r.busyDate)) / 1000);
}

/** nbformat's cell.metadata.execution: ISO strings (a number there makes the notebook invalid). */
function setTimings(cell: Cell, r: RequestResult): void {
  const execution: Record<string, string> = {};
  if (r.busyDate) execution["iopub.status.busy"] = r.busyDate;
  execution["shell.execute_reply"] = new Date(r.replyAt).toISOString();
  if (r.idleDate) execution["iopub.status.idle"] = r.idleDate;
  cell.metadata = { ...cell.metadata, execution };
}
