/**
 * Debian's Chromium for the browser tests (`npm run test:browser`), through playwright-core: no
 * browser is ever downloaded. Each launch gets a fresh temporary profile (playwright's own
 * --user-data-dir), and each page may load itself and nothing else.
 */
import * as fs from "fs";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Skips the suite, saying why, where Debian's Chromium is not installed. */
export function skipWithoutChromium(suite: Mocha.Context): void {
  if (fs.existsSync(CHROMIUM)) return;
  console.log(`      skipped: no ${CHROMIUM} (apt-get install chromium)`);
  suite.skip();
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/**
 * A context in which every request but `pageUrl` itself is refused and recorded in the returned
 * list. tsx compiles the tests with esbuild's keepNames, which wraps functions passed to
 * page.evaluate in a __name() helper: the page gets one.
 */
export async function blockedContext(browser: Browser, pageUrl: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext(options);
  await context.addInitScript("window.__name = (f) => f;");
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    if (route.request().url() === pageUrl) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  return { context, blocked };
}

/** A page opened from a file in a blocked context, with what it tried to fetch and every console error or warning. */
export interface Visit {
  page: Page;
  blocked: string[];
  errors: string[];
}

export async function openBlockedPage(browser: Browser, file: string, options: BrowserContextOptions = {}): Promise<Visit> {
  const url = `file://${file}`;
  const { context, blocked } = await blockedContext(browser, url, { viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (r.url() !== url && !blocked.includes(r.url())) blocked.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, blocked, errors };
}
