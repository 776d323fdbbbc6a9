/**
 * Drives one notebook in JupyterLab as a student would: open it, pick the course kernel in the
 * kernel dialog, Run > Run All Cells, wait, and read back what the page shows. While the cells
 * run, the page is sampled to see progress displays change in place.
 */
import type { Page } from "playwright-core";
import type { LabServer } from "./jupyterServer";

export interface OutputInfo {
  /** `data-mime-type` of the rendered output (the MIME type JupyterLab chose to render). */
  mime: string;
  text: string;
  /** The output is a plotly figure (JupyterLab's plotly renderer made it). */
  isPlotly: boolean;
  /** The output holds a drawn plotly figure (.js-plotly-plot with svg.main-svg). */
  plotlyDrawn: boolean;
  hasTable: boolean;
  hasProgress: boolean;
}

export interface CellInfo {
  index: number;
  prompt: string;
  source: string;
  outputs: OutputInfo[];
}

export interface ProgressTrace {
  /** `cell:output` position of a progress display. */
  key: string;
  /** The distinct texts it showed, in order. */
  texts: string[];
}

export interface NotebookRun {
  kernelLabel: string;
  sessionKernelName: string;
  cells: CellInfo[];
  /** Largest number of progress outputs seen at once in any one cell. */
  maxProgressOutputsPerCell: number;
  progress: ProgressTrace[];
  /** Seconds from Run All to the last cell finishing. */
  runSeconds: number;
}

export const COURSE_KERNEL_LABEL = "TypeScript (course)";

export async function openNotebook(page: Page, server: LabServer, notebookPath: string): Promise<void> {
  const url = `${server.url}/lab/tree/${notebookPath.split("/").map(encodeURIComponent).join("/")}?reset&token=${server.token}`;
  await page.goto(url);
  await page.waitForSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell", { timeout: 120_000 });
  await waitForKernelIdle(page, 120_000);
}

/** Opens the kernel dialog from the toolbar and starts a fresh "TypeScript (course)" kernel. */
export async function selectCourseKernel(page: Page): Promise<void> {
  await page.locator(".jp-NotebookPanel .jp-Toolbar-kernelName").first().click();
  const dialog = page.locator(".jp-Dialog");
  await dialog.waitFor({ timeout: 30_000 });
  const select = dialog.locator("select");
  // The option that *starts* the course kernel (other options connect to running kernels).
  const value = await select.locator("option").evaluateAll(
    (options, label) => (options as HTMLOptionElement[]).find((o) => o.textContent === label && o.value.includes('"name"'))?.value ?? null,
    COURSE_KERNEL_LABEL,
  );
  if (!value) {
    const offered = await select.locator("option").allTextContents();
    throw new Error(`the kernel dialog does not offer "${COURSE_KERNEL_LABEL}"; it offers: ${offered.join(" | ")}`);
  }
  await select.selectOption(value);
  await dialog.locator(".jp-Dialog-button.jp-mod-accept").click();
  await dialog.waitFor({ state: "detached", timeout: 30_000 });
  await page.waitForTimeout(500);
  await waitForKernelIdle(page, 120_000);
}

export async function kernelLabel(page: Page): Promise<string> {
  return ((await page.locator(".jp-NotebookPanel .jp-Toolbar-kernelName").first().textContent()) ?? "").trim();
}

/** The kernelspec name of the session the server holds for this notebook. */
export async function sessionKernelName(server: LabServer, notebookPath: string): Promise<string> {
  const sessions = await server.api<{ path: string; kernel: { name: string } }[]>("/api/sessions");
  const session = sessions.find((s) => s.path === notebookPath);
  if (!session) throw new Error(`no session for ${notebookPath}; sessions: ${sessions.map((s) => s.path).join(", ")}`);
  return session.kernel.name;
}

export async function waitForKernelIdle(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")?.getAttribute("data-status") === "idle",
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
}

/** Run > Run All Cells, then wait until no cell is queued or running and the kernel is idle. */
export async function runAllCells(page: Page, timeoutMs: number, onTick?: (running: number, total: number) => void): Promise<{ seconds: number; progress: ProgressTrace[]; maxProgressOutputsPerCell: number }> {
  await installProgressSampler(page);
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  const started = Date.now();
  // Cells show [*] from the moment they are queued; a very short notebook may be done already.
  await page.waitForFunction(
    () => {
      const prompts = Array.from(document.querySelectorAll(".jp-Notebook .jp-CodeCell .jp-InputPrompt")).map((p) => p.textContent ?? "");
      return prompts.some((p) => p.includes("*")) || prompts.every((p) => /\[\d+\]/.test(p));
    },
    undefined,
    { timeout: 30_000, polling: 100 },
  );
  let stableSince = 0;
  let lastTick = 0;
  for (;;) {
    const state = await page.evaluate(() => {
      const prompts = Array.from(document.querySelectorAll(".jp-Notebook .jp-CodeCell .jp-InputPrompt")).map((p) => p.textContent ?? "");
      const status = document.querySelector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")?.getAttribute("data-status");
      return { running: prompts.filter((p) => p.includes("*")).length, total: prompts.length, status };
    });
    if (onTick && Date.now() - lastTick > 30_000) {
      onTick(state.running, state.total);
      lastTick = Date.now();
    }
    if (state.running === 0 && state.status === "idle") {
      if (!stableSince) stableSince = Date.now();
      if (Date.now() - stableSince > 1500) break;
    } else stableSince = 0;
    if (Date.now() - started > timeoutMs) throw new Error(`cells still running after ${timeoutMs / 1000} s (${state.running} of ${state.total} not finished)`);
    await page.waitForTimeout(250);
  }
  const seconds = (Date.now() - started) / 1000;
  const sampled = await page.evaluate(() => {
    const w = window as unknown as { __e2eProgress: { texts: Record<string, string[]>; maxPerCell: number; timer: number } };
    clearInterval(w.__e2eProgress.timer);
    return { texts: w.__e2eProgress.texts, maxPerCell: w.__e2eProgress.maxPerCell };
  });
  return {
    seconds,
    progress: Object.entries(sampled.texts).map(([key, texts]) => ({ key, texts })),
    maxProgressOutputsPerCell: sampled.maxPerCell,
  };
}

/**
 * Samples every 100 ms, in the page, the text of each output that holds a <progress> bar, keyed
 * by its cell and output position: an in-place display keeps its key and changes its text;
 * a progress printed line by line would show up as many keys.
 */
async function installProgressSampler(page: Page): Promise<void> {
  await page.evaluate(() => {
    const state = { texts: {} as Record<string, string[]>, maxPerCell: 0, timer: 0 };
    // An anonymous function expression: tsx would wrap a named one in a helper the page lacks.
    state.timer = window.setInterval(function () {
      const cells = document.querySelectorAll(".jp-Notebook .jp-Cell");
      cells.forEach((cell, c) => {
        const outputs = Array.from(cell.querySelectorAll(".jp-OutputArea-output"));
        let count = 0;
        outputs.forEach((out, o) => {
          if (!out.querySelector("progress")) return;
          count++;
          const key = `${c}:${o}`;
          const text = (out.textContent ?? "").trim();
          const seen = state.texts[key] || (state.texts[key] = []);
          if (seen[seen.length - 1] !== text) seen.push(text);
        });
        state.maxPerCell = Math.max(state.maxPerCell, count);
      });
    }, 100);
    (window as unknown as { __e2eProgress: typeof state }).__e2eProgress = state;
  });
}

/** Waits until every plotly output has drawn its SVG (or the timeout passes; the caller then sees plotlyDrawn false). */
export async function waitForPlots(page: Page, timeoutMs: number): Promise<void> {
  await page
    .waitForFunction(
      () =>
        Array.from(document.querySelectorAll(".jp-OutputArea-output"))
          .filter((o) => o.matches(".jp-RenderedPlotly") || o.querySelector(".jp-RenderedPlotly, .js-plotly-plot"))
          .every((o) => o.querySelector(".js-plotly-plot svg.main-svg")),
      undefined,
      { timeout: timeoutMs, polling: 250 },
    )
    .catch(() => undefined);
}

export async function readCells(page: Page): Promise<CellInfo[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll(".jp-Notebook .jp-Cell.jp-CodeCell")).map((cell, index) => ({
      index,
      prompt: (cell.querySelector(".jp-InputPrompt")?.textContent ?? "").trim(),
      source: (cell.querySelector(".jp-InputArea-editor")?.textContent ?? "").slice(0, 200),
      outputs: Array.from(cell.querySelectorAll(".jp-OutputArea-output")).map((o) => ({
        mime: o.getAttribute("data-mime-type") ?? "",
        text: (o.textContent ?? "").slice(0, 4000),
        // The plotly renderer's output node carries no data-mime-type; it is a .jp-RenderedPlotly.
        isPlotly: o.getAttribute("data-mime-type") === "application/vnd.plotly.v1+json" || o.matches(".jp-RenderedPlotly") || !!o.querySelector(".jp-RenderedPlotly, .js-plotly-plot"),
        // Drawn, and not collapsed to zero height (as a responsive figure was after a resize).
        plotlyDrawn: !!o.querySelector(".js-plotly-plot svg.main-svg") && o.getBoundingClientRect().height > 50,
        hasTable: !!o.querySelector("table"),
        hasProgress: !!o.querySelector("progress"),
      })),
    })),
  );
}

/** Screenshot of the whole notebook: the viewport is stretched to the notebook's height first. */
export async function screenshotNotebook(page: Page, file: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 900 };
  const height = await page.evaluate(() => {
    const scroller = document.querySelector(".jp-NotebookPanel .jp-WindowedPanel-outer");
    if (!scroller) return window.innerHeight;
    scroller.scrollTop = 0;
    return scroller.scrollHeight + (window.innerHeight - scroller.clientHeight);
  });
  await page.setViewportSize({ width: original.width, height: Math.min(Math.max(height + 40, original.height), 30_000) });
  await page.waitForTimeout(1500); // plotly figures re-fit their width on resize
  await page.evaluate(() => {
    const scroller = document.querySelector(".jp-NotebookPanel .jp-WindowedPanel-outer");
    if (scroller) scroller.scrollTop = 0;
  });
  await page.screenshot({ path: file });
  await page.setViewportSize(original);
}

/** Shuts down the notebook's kernel and closes its session, so the next notebook starts clean. */
export async function shutdownSession(server: LabServer, notebookPath: string): Promise<void> {
  const sessions = await server.api<{ id: string; path: string }[]>("/api/sessions");
  for (const s of sessions.filter((s) => s.path === notebookPath)) await server.api(`/api/sessions/${s.id}`, { method: "DELETE" });
}
