/**
 * Live widgets (lib/viz/widgets) in JupyterLab: outputs made in the session are trusted, so
 * JupyterLab re-creates their <script> elements (rendermime's evalInnerHTMLScriptTags) and the
 * runtime the first widget brought mounts every widget. Checked here: that they went live, and
 * that one answers its control (a slider's input event changes the drawn digit).
 */
import type { Page } from "playwright-core";

const PROBE = `(() => {
  const all = Array.from(document.querySelectorAll(".jp-OutputArea-output [data-course-widget]"));
  const live = all.filter((w) => w.dataset.courseWidgetMounted === "live");
  const failed = all.filter((w) => w.dataset.courseWidgetMounted !== "live").map((w) => w.dataset.courseWidget + ": " + (w.dataset.courseWidgetMounted || "not mounted") + " " + w.innerText.slice(0, 120));
  // The first live widget with a slider: move it near its end and see what the widget drew change.
  let responded = false;
  for (const w of live) {
    const range = w.querySelector(".course-widget-live input[type=range]");
    const canvases = Array.from(w.querySelectorAll(".course-widget-live canvas"));
    if (!range || canvases.length === 0) continue;
    const before = canvases.map((c) => c.toDataURL()).join();
    range.value = String(Number(range.max) - Number(range.step));
    range.dispatchEvent(new Event("input", { bubbles: true }));
    responded = canvases.map((c) => c.toDataURL()).join() !== before;
    break;
  }
  return { count: all.length, live: live.length, failed, responded };
})()`;

export async function checkWidgets(page: Page, expected: number): Promise<string[]> {
  // A string, not a function: tsx's keepNames would wrap the inner functions in a __name() the page lacks.
  const report = (await page.evaluate(PROBE)) as { count: number; live: number; failed: string[]; responded: boolean };
  const failures: string[] = [];
  if (report.live < expected) failures.push(`${report.live} of ${report.count} widgets live, expected ${expected}${report.failed.length ? `: ${report.failed.join("; ")}` : ""}`);
  if (expected > 0 && !report.responded) failures.push("no widget redrew after its slider moved");
  return failures;
}
