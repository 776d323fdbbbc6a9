/**
 * Rich output for notebooks, with a plain-text fallback everywhere else.
 *
 * tslab's public `display` sends one MIME type per message, but a figure wants a bundle
 * (plotly JSON for JupyterLab, HTML for classic viewers, text for terminals) in one
 * `display_data` message (Jupyter messaging spec, "display_data"). tslab keeps the function
 * that writes such a message in `tslab/dist/jupyter`'s `lastWriteDisplayData` while a cell runs;
 * we call it with the whole bundle. Outside a kernel (mocha, scripts) the text/plain part is
 * printed, or handed to a sink that tests install.
 */
export type MimeBundle = Record<string, unknown> & { "text/plain"?: string };

export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

type Writer = (message: DisplayMessage, update: boolean) => void;

let testSink: ((message: DisplayMessage, update: boolean) => void) | null = null;

/** Routes displays to `sink` instead of the kernel or console (for tests); null restores. */
export function setDisplaySink(sink: ((message: DisplayMessage, update: boolean) => void) | null): void {
  testSink = sink;
}

function kernelWriter(): Writer | null {
  try {
    // Resolved from the project's node_modules: the same module instance the kernel runs.
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: Writer | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True where displays are rich (a tslab kernel, or a test sink), false in a terminal. */
export function hasRichDisplay(): boolean {
  return testSink != null || kernelWriter() != null;
}

let nextId = 0;
function newDisplayId(): string {
  return `course-${process.pid}-${Date.now().toString(36)}-${nextId++}`;
}

/** Shows a MIME bundle once. */
export function displayBundle(data: MimeBundle, metadata: Record<string, unknown> = {}): void {
  emit({ data, metadata, transient: {} }, false);
}

/** A display that can be replaced in place (`update_display_data`): progress, live plots. */
export class LiveDisplay {
  private readonly id = newDisplayId();
  private shown = false;

  show(data: MimeBundle, metadata: Record<string, unknown> = {}): void {
    emit({ data, metadata, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
  }
}

function emit(message: DisplayMessage, update: boolean): void {
  if (testSink) return testSink(message, update);
  const write = kernelWriter();
  if (write) return write(message, update);
  const text = message.data["text/plain"];
  if (typeof text === "string" && !update) console.log(text);
}
