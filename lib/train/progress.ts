/**
 * Progress for long work: a bar that updates in place in a notebook (one output that changes,
 * via `update_display_data`), and a throttled line on stderr in a terminal.
 */
import { hasRichDisplay, LiveDisplay } from "../viz/display";
import { escapeHtml } from "../viz/images";

export interface ProgressOptions {
  label?: string;
  /** Minimum milliseconds between two redraws (default 250). */
  intervalMs?: number;
}

export class Progress {
  private readonly display = new LiveDisplay();
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;
  private info = "";
  private finished = false;

  constructor(readonly total: number, private readonly options: ProgressOptions = {}) {
    this.draw(true);
  }

  /** Advances by `n` and records a status such as "loss 0.123". */
  tick(n = 1, info?: string | Record<string, number>): void {
    this.done = Math.min(this.total, this.done + n);
    if (info !== undefined) this.info = formatInfo(info);
    this.draw(this.done >= this.total);
  }

  /** Sets the absolute position. */
  set(done: number, info?: string | Record<string, number>): void {
    this.done = Math.min(this.total, done);
    if (info !== undefined) this.info = formatInfo(info);
    this.draw(this.done >= this.total);
  }

  finish(info?: string | Record<string, number>): void {
    if (info !== undefined) this.info = formatInfo(info);
    this.done = this.total;
    this.draw(true);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private draw(force: boolean): void {
    if (this.finished) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < (this.options.intervalMs ?? 250)) return;
    this.lastDraw = now;
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 && fraction < 1 ? elapsed * (1 / fraction - 1) : 0;
    const label = this.options.label ?? "progress";
    const text = `${label}: ${this.done}/${this.total} (${(100 * fraction).toFixed(0)}%) ${elapsed.toFixed(1)}s${eta ? ` eta ${eta.toFixed(0)}s` : ""}${this.info ? ` | ${this.info}` : ""}`;
    if (hasRichDisplay()) {
      const html =
        `<div style="font-family:monospace;font-size:12px"><progress value="${this.done}" max="${this.total}" style="width:240px;vertical-align:middle"></progress> ` +
        `${escapeHtml(text)}</div>`;
      this.display.show({ "text/html": html, "text/plain": text });
    } else if (process.stderr.isTTY) {
      process.stderr.write(`\r${text}\x1b[K${this.done >= this.total ? "\n" : ""}`);
    } else if (this.done >= this.total) {
      process.stderr.write(text + "\n");
    }
    if (this.done >= this.total) this.finished = true;
  }
}

function formatInfo(info: string | Record<string, number>): string {
  if (typeof info === "string") return info;
  return Object.entries(info)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(", ");
}
