/**
 * What a person does in the browser during the classroom test: log in to the hub, wait for their
 * JupyterLab, use the course panel by its labels (role + accessible name, as a screen reader
 * would find the controls), edit notebook cells, read the instructor's pages. Debian's Chromium
 * through playwright-core; every name other than loopback fails to resolve.
 */
import * as fs from "fs";
import { Browser, BrowserContext, chromium, Locator, Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const LAB_TIMEOUT_MS = 240_000;

export interface HubBrowser {
  browser: Browser;
  /** One context per person: separate cookies, as separate machines would have. */
  person(name: string): Promise<BrowserContext>;
  /** Requests to hosts other than loopback, by person (must stay empty). */
  external: Record<string, string[]>;
  /** Uncaught errors in pages, by person (reported). */
  pageErrors: string[];
  /** Screenshots of every open page, for a failed run: returns the files. */
  snapshot(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<HubBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing. Install Debian's Chromium (apt-get install -y chromium) or set CHROMIUM=/path/to/chromium.`);
  // playwright-core starts Chromium with a fresh --user-data-dir of its own (a temp profile it removes on close).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
  const external: Record<string, string[]> = {};
  const pageErrors: string[] = [];
  const people = new Map<string, BrowserContext>();
  return {
    browser,
    external,
    pageErrors,
    async person(name) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true, timezoneId: "America/New_York" });
      context.setDefaultTimeout(60_000);
      context.on("request", (r) => {
        const url = new URL(r.url());
        if (["data:", "blob:", "about:"].includes(url.protocol) || ["127.0.0.1", "localhost"].includes(url.hostname)) return;
        (external[name] ??= []).push(r.url());
      });
      context.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${name}: ${e.message}`)));
      people.set(name, context);
      return context;
    },
    async snapshot(prefix) {
      const files: string[] = [];
      for (const [name, context] of people) {
        for (const [i, p] of context.pages().entries()) {
          const file = `${prefix}-${name}${i ? `-${i}` : ""}.png`;
          if (await p.screenshot({ path: file, timeout: 10_000 }).then(() => true, () => false)) files.push(file);
        }
        await context.close().catch(() => undefined);
      }
      people.clear();
      return files;
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** The hub's log-in form (first use sets the password). Resolves once the hub let us through. */
export async function hubLogin(page: Page, hubUrl: string, user: string, password: string, next?: string): Promise<void> {
  await page.goto(`${hubUrl}/hub/login${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await fillHubLogin(page, user, password);
}

/** Fills and sends the hub's log-in form on this page. */
export async function fillHubLogin(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel("Username:").fill(user);
  await page.locator("#password_input").fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/hub/login"), { timeout: 60_000 }), page.locator("#password_input").press("Enter")]);
}

/** After log-in the hub spawns the student's JupyterLab; waits for it and opens the course panel. */
export async function openCoursePanel(page: Page): Promise<Locator> {
  await page.waitForSelector("#course-panel", { state: "attached", timeout: LAB_TIMEOUT_MS });
  const panel = page.locator("#course-panel");
  if (!(await panel.isVisible())) await page.locator('.jp-SideBar [data-id="course-panel"]').click();
  await panel.getByRole("heading", { name: "Course" }).waitFor();
  // JupyterLab asks about its news feed in a toast that would cover the notebook in screenshots.
  await dismissNewsToast(page, 3_000);
  return panel;
}

export function assignmentItem(page: Page, id: string): Locator {
  return page.locator(`#course-panel [data-assignment-id="${id}"]`);
}

async function dismissNewsToast(page: Page, timeout: number): Promise<void> {
  await page.locator(".Toastify__toast", { hasText: "Jupyter news" }).getByRole("button", { name: "No", exact: true }).click({ timeout }).catch(() => undefined);
}

/**
 * The picture of the panel for the README: the sidebar dragged wider, the news toast answered,
 * the viewport tall enough for the whole panel beside the notebook.
 */
export async function panelScreenshot(page: Page, file: string): Promise<void> {
  await dismissNewsToast(page, 5_000);
  const original = page.viewportSize()!;
  await page.setViewportSize({ width: 1440, height: 1300 });
  const handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first();
  const box = await handle.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 170, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  }
  await page.locator("#course-panel").evaluate((el) => el.scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: file });
  await page.setViewportSize(original);
}

/** The notebook's panel in the main area, found through its tab (several notebooks may be open). */
export async function notebookPanel(page: Page, fileName: string): Promise<Locator> {
  const tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab").filter({ has: page.locator(".lm-TabBar-tabLabel", { hasText: new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }) });
  await tab.first().waitFor({ timeout: 60_000 });
  const id = await tab.first().getAttribute("data-id");
  const panel = page.locator(`[id="${id}"]`);
  await panel.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 60_000 });
  return panel;
}

/** Replaces a cell's code as a student pasting it would: click in, select all, insert the text. */
export async function setCellSource(page: Page, notebook: Locator, cellIndex: number, source: string): Promise<void> {
  const cell = notebook.locator(".jp-Notebook .jp-Cell").nth(cellIndex);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(source);
  await page.keyboard.press("Escape"); // back to command mode
}

/** Deletes a cell the way students lose graded cells: select it, press D twice. */
export async function deleteCell(page: Page, notebook: Locator, cellIndex: number): Promise<void> {
  const cells = notebook.locator(".jp-Notebook .jp-Cell");
  const before = await cells.count();
  const cell = cells.nth(cellIndex);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator(".jp-InputPrompt").click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel as string).length === (n as number) - 1, [`[id="${await notebook.getAttribute("id")}"] .jp-Notebook .jp-Cell`, before] as const);
}

/** Clicks the accept button of the dialog that is open (the panel's confirmations). */
export async function acceptDialog(page: Page, label: string | RegExp): Promise<string> {
  const dialog = page.locator(".jp-Dialog");
  await dialog.waitFor();
  const text = await dialog.innerText();
  await dialog.getByRole("button", { name: label }).click();
  await dialog.waitFor({ state: "detached" });
  return text;
}

/** Runs a command from JupyterLab's command palette by its label. */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  await page.keyboard.press("Control+Shift+C");
  const input = page.locator(".lm-CommandPalette-input");
  await input.waitFor();
  await input.fill(label);
  await page.locator(".lm-CommandPalette-item", { hasText: label }).first().click();
}

/** Waits until `read` returns a value, polling; throws `what` with the last value seen. */
export async function eventually<T>(what: string, read: () => Promise<T | null | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await read();
      if (v !== null && v !== undefined) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${typeof last === "string" ? last : JSON.stringify(last)})`);
}

/** The row of an HTML table (an instructor page) whose first cell starts with `key`, as cell texts. */
export async function tableRow(page: Page, key: string): Promise<string[] | null> {
  return page.evaluate((k) => {
    const row = Array.from(document.querySelectorAll("tr")).find((tr) => (tr.querySelector("td")?.textContent ?? "").trim().startsWith(k));
    return row ? Array.from(row.querySelectorAll("td")).map((td) => (td.textContent ?? "").replace(/\s+/g, " ").trim()) : null;
  }, key);
}

/** A datetime-local value ("2026-12-10T23:59") for an instant, on the wall clock of `timeZone`. */
export function wallClock(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? "";
  return `${p("year")}-${p("month")}-${p("day")}T${p("hour")}:${p("minute")}`;
}
