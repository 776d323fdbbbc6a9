/**
 * Collecting a cell's iopub messages into nbformat outputs, as Jupyter front-ends do:
 *
 * - `stream`: appended to the previous output when it is the same stream (stdout/stderr);
 * - `display_data`: one output; with a `transient.display_id` it is remembered, and a later
 *   `update_display_data` with that id replaces its data in place (progress bars, live
 *   plots), in whichever cell it was shown;
 * - `clear_output` (with `wait`: at the next output);
 * - `execute_result` and `error` if a kernel does send them (tslab does not).
 *
 * tslab reports errors only as stderr text, so every stderr message is also remembered as a
 * chunk, and `takeErrorFromStderr()` cuts the error's chunks out of the stream and returns
 * them as a proper `error` output.
 */
import { Message } from "../kernel/wire";
import { ErrorOutput, errorFromStderr, isDiagnostic } from "./errors";

export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: string;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

/** display_id → the outputs showing it: shared by every cell of one run. */
export type DisplayRegistry = Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>;

interface Chunk {
  output: StreamOutput;
  start: number;
  end: number;
}

export class OutputCollector {
  outputs: Output[] = [];
  /** True when the kernel sent a real `error` message. */
  sawErrorMessage = false;
  private stderr: Chunk[] = [];
  private clearOnNext = false;

  constructor(private readonly displays: DisplayRegistry = new Map(), private readonly executionCount: number | null = null) {}

  handle(msg: Message): void {
    const c = msg.content as Record<string, any>;
    switch (msg.header.msg_type) {
      case "stream":
        return this.stream(c.name === "stderr" ? "stderr" : "stdout", String(c.text ?? ""));
      case "display_data":
        return this.display({ output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} }, c.transient?.display_id);
      case "execute_result":
        return this.display(
          { output_type: "execute_result", execution_count: this.executionCount, data: c.data ?? {}, metadata: c.metadata ?? {} },
          c.transient?.display_id,
        );
      case "update_display_data": {
        for (const out of this.displays.get(c.transient?.display_id) ?? []) {
          out.data = c.data ?? {};
          out.metadata = c.metadata ?? {};
        }
        return;
      }
      case "error":
        this.sawErrorMessage = true;
        return this.push({ output_type: "error", ename: String(c.ename ?? "Error"), evalue: String(c.evalue ?? ""), traceback: (c.traceback ?? []).map(String) });
      case "clear_output":
        if (c.wait) this.clearOnNext = true;
        else this.clear();
        return;
      default:
        return; // execute_input, comm messages, …: nothing to keep
    }
  }

  private clear(): void {
    this.outputs = [];
    this.stderr = [];
    this.clearOnNext = false;
  }

  private push(out: Output): void {
    if (this.clearOnNext) this.clear();
    this.outputs.push(out);
  }

  private stream(name: "stdout" | "stderr", text: string): void {
    if (this.clearOnNext) this.clear();
    let last = this.outputs[this.outputs.length - 1];
    if (!(last && last.output_type === "stream" && last.name === name)) {
      last = { output_type: "stream", name, text: "" };
      this.outputs.push(last);
    }
    const start = last.text.length;
    last.text += text;
    if (name === "stderr") this.stderr.push({ output: last, start, end: last.text.length });
  }

  private display(out: DisplayDataOutput | ExecuteResultOutput, displayId?: string): void {
    this.push(out);
    if (displayId) {
      const list = this.displays.get(displayId) ?? [];
      list.push(out);
      this.displays.set(displayId, list);
    }
  }

  /**
   * Cuts the error tslab printed out of stderr: the trailing run of TypeScript diagnostics,
   * or else the last stderr message, and returns it as an `error` output (not yet added).
   */
  takeErrorFromStderr(cellLines = Infinity): ErrorOutput | null {
    if (this.stderr.length === 0) return null;
    let from = this.stderr.length - 1;
    const text = (c: Chunk) => c.output.text.slice(c.start, c.end);
    if (isDiagnostic(text(this.stderr[from]))) {
      while (from > 0 && isDiagnostic(text(this.stderr[from - 1]))) from--;
    }
    const chunks = this.stderr.slice(from);
    const error = errorFromStderr(chunks.map(text), cellLines);
    // Remove from the end backwards so earlier offsets stay valid.
    for (const c of [...chunks].reverse()) c.output.text = c.output.text.slice(0, c.start) + c.output.text.slice(c.end);
    this.stderr = this.stderr.slice(0, from);
    this.outputs = this.outputs.filter((o) => !(o.output_type === "stream" && o.text === ""));
    return error;
  }

  add(out: Output): void {
    this.push(out);
  }
}

/** nbformat stores multi-line strings as a list of lines that keep their "\n". */
export function splitLines(text: string): string[] {
  const parts = text.split(/(?<=\n)/);
  return parts.length === 1 && parts[0] === "" ? [] : parts;
}

/** The outputs as they are written to the .ipynb (stream text as lines). */
export function toNotebookOutputs(outputs: Output[]): Record<string, unknown>[] {
  return outputs.map((o) => (o.output_type === "stream" ? { ...o, text: splitLines(o.text) } : { ...o }));
}
