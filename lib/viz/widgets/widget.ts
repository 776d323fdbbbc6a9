/**
 * A widget's display output: one MIME bundle that every viewer can show something of.
 *
 *   text/html   a <div data-course-widget> holding the static figure (an <img>, what shows with
 *               scripts off, in an untrusted notebook or a sanitised export), the payload as
 *               JSON (weights encoded by ./encoding.ts) and a one-line script that hands the
 *               div to the runtime (./runtime.ts), or queues it until the runtime arrives
 *   image/png   the same static figure, for viewers without HTML
 *   text/plain  one line saying what it is
 *
 * metadata["ts-course"].widget names the kind: the handout exporter counts widgets by it and
 * appends one runtime per page. The runtime itself, in a kernel, goes out once per session as
 * an output of its own (metadata["ts-course"].widgetRuntime), which the exporter drops and
 * JupyterLab runs (outputs made in the session are trusted; JupyterLab runs their scripts).
 */
import { displayBundle, hasRichDisplay, MimeBundle } from "../display";
import { widgetRuntime } from "./runtime";

export interface WidgetSpec {
  kind: string;
  /** What the runtime's widget of this kind reads (JSON). */
  payload: Record<string, unknown>;
  /** The static figure (an image), or for a widget that writes, a static text. */
  fallbackPng?: Buffer;
  fallbackText?: string;
  /** Says what the figure and the widget show (alt text, aria-label, text/plain). */
  label: string;
}

export const WIDGET_METADATA_KEY = "ts-course";

/** Hands the div to the runtime, or queues it (in a handout the runtime comes at the page's end). */
const BOOT =
  "(function(s){var e=s.parentElement,w=window.courseWidgets;if(w)w.mount(e);else(window.courseWidgetQueue=window.courseWidgetQueue||[]).push(e)})(document.currentScript)";

function escapeAttribute(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON that cannot end its <script> element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function widgetBundle(spec: WidgetSpec): { data: MimeBundle; metadata: Record<string, unknown> } {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.kind)) throw new Error(`widget: kind "${spec.kind}" is not a lower-case name`);
  if (!spec.fallbackPng === (spec.fallbackText === undefined)) throw new Error("widget: give a static figure (fallbackPng) or a static text (fallbackText), one of them");
  const png = spec.fallbackPng?.toString("base64");
  const label = escapeAttribute(spec.label);
  const fallback = png
    ? `<img class="course-widget-fallback" alt="${label}" src="data:image/png;base64,${png}" style="image-rendering:pixelated;max-width:100%">`
    : `<pre class="course-widget-fallback" style="white-space:pre-wrap">${escapeAttribute(spec.fallbackText!)}</pre>`;
  const html =
    `<div class="course-widget" data-course-widget="${spec.kind}" role="group" aria-label="${label}">` +
    fallback +
    `<script type="application/json" class="course-widget-payload">${jsonForScript(spec.payload)}</script>` +
    `<script>${BOOT}</script></div>`;
  return {
    data: png ? { "text/html": html, "image/png": png, "text/plain": `[live widget: ${spec.label}]` } : { "text/html": html, "text/plain": `[live widget: ${spec.label}]\n${spec.fallbackText}` },
    metadata: { [WIDGET_METADATA_KEY]: { widget: spec.kind } },
  };
}

let runtimeSent = false;

/** Shows a widget; in a kernel, the first one of the session brings the runtime with it. */
export function showWidget(spec: WidgetSpec): void {
  const { data, metadata } = widgetBundle(spec);
  if (!runtimeSent && hasRichDisplay()) {
    const runtime = widgetRuntime();
    displayBundle(
      { "text/html": `<script data-course-widget-runtime="${runtime.id}">${runtime.script}</script>`, "text/plain": "" },
      { [WIDGET_METADATA_KEY]: { widgetRuntime: runtime.id } },
    );
    runtimeSent = true;
  }
  displayBundle(data, metadata);
}

/** For tests: the next widget sends the runtime again (as after a kernel restart). */
export function resetWidgetRuntime(): void {
  runtimeSent = false;
}
