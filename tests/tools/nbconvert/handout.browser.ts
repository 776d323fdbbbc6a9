/**
 * Browser test of a real handout (`npm run test:browser`): the showcase fixture is executed on
 * the course kernel and exported, then headless Chromium (Debian's, driven by playwright-core;
 * no browser is ever downloaded) opens it with every network request blocked and checks that
 * the maths is rendered with KaTeX's fonts, the plotly figure is drawn, every image shows, the
 * theme toggle works and the console stays free of errors. Screenshots (light, dark) are kept
 * in artifacts/ as test artefacts.
 *
 * Needs /usr/bin/chromium (apt-get install chromium); skipped with a message without it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { executeFile, exportFile } from "nbconvert-ts";
import { launchChromium, openBlockedPage, skipWithoutChromium, Visit } from "./chromium";
import { fixture, ROOT, tempDir } from "./helpers";

const ARTIFACTS = path.join(ROOT, "artifacts");


async function open(browser: Browser, file: string): Promise<Visit> {
  // Every request other than the page itself is refused (and recorded).
  const visit = await openBlockedPage(browser, file, { colorScheme: "light" });
  await visit.page.evaluate(() => document.fonts.ready.then(() => true));
  await visit.page.waitForTimeout(300); // plotly draws after load
  return visit;
}

describe("nbconvert-ts handout in a browser (headless Chromium, network blocked)", function () {
  this.timeout(600_000);
  let browser: Browser;
  let handout: string;

  before(async function () {
    skipWithoutChromium(this);
    const dir = tempDir("browser");
    const executed = path.join(dir, "showcase.ipynb");
    await executeFile(fixture("showcase.ipynb"), executed, { allowErrors: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    handout = path.join(ARTIFACTS, "nbconvert-showcase.html");
    exportFile(executed, handout, { date: "1 January 2025", courseName: "Deep learning in TypeScript" });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("renders maths, draws the plotly figure, shows every image, makes no request and logs no error", async () => {
    const { page, blocked, errors } = await open(browser, handout);
    const report = await page.evaluate(() => {
      const box = (el: Element | null) => (el ? el.getBoundingClientRect() : null);
      const images = Array.from(document.querySelectorAll("img")).map((img) => ({ src: img.src.slice(0, 30), ok: img.complete && img.naturalWidth > 0 }));
      const svgOutputs = Array.from(document.querySelectorAll(".output.svg svg")).map((s) => box(s)!.width);
      return {
        katex: document.querySelectorAll(".katex").length,
        displayMath: document.querySelectorAll(".katex-display").length,
        mathErrors: document.querySelectorAll(".math-error").length,
        katexWidth: box(document.querySelector(".katex-display .katex-html"))?.width ?? 0,
        katexFont: document.fonts.check("16px KaTeX_Main") && document.fonts.check("16px KaTeX_Math"),
        katexFontLoaded: (() => {
          let loaded = false;
          document.fonts.forEach((f) => {
            if (f.family.replace(/"/g, "") === "KaTeX_Main" && f.status === "loaded") loaded = true;
          });
          return loaded;
        })(),
        figures: document.querySelectorAll(".plotly-figure").length,
        drawn: document.querySelectorAll(".plotly-figure .main-svg").length,
        traces: document.querySelectorAll(".plotly-figure .scatterlayer .trace").length,
        plotHeight: box(document.querySelector(".plotly-figure .main-svg"))?.height ?? 0,
        images,
        svgOutputs,
        errorOutputs: document.querySelectorAll(".output.error .ename").length,
        tocLinks: document.querySelectorAll(".sidebar .toc a").length,
        theme: document.documentElement.getAttribute("data-theme"),
      };
    });
    assert.deepEqual(blocked, [], "the handout made no network request");
    assert.deepEqual(errors, [], "no console errors or warnings");
    assert.ok(report.katex >= 4, `maths rendered by KaTeX (${report.katex})`);
    assert.ok(report.displayMath >= 1 && report.katexWidth > 100, "display maths laid out");
    assert.equal(report.mathErrors, 0);
    assert.ok(report.katexFont && report.katexFontLoaded, "KaTeX's inlined fonts loaded");
    assert.equal(report.figures, 1);
    assert.ok(report.drawn >= 1 && report.traces === 2 && report.plotHeight > 200, `plotly drew the figure (${JSON.stringify(report)})`);
    assert.ok(report.images.length >= 2 && report.images.every((i) => i.ok), `images show: ${JSON.stringify(report.images)}`);
    assert.ok(report.svgOutputs.length === 1 && report.svgOutputs[0] > 50, "SVG output shows");
    assert.equal(report.errorOutputs, 1, "the failing cell's error is styled");
    assert.ok(report.tocLinks >= 3, "table of contents");
    assert.equal(report.theme, "light");
    await page.screenshot({ path: path.join(ARTIFACTS, "nbconvert-handout.png"), fullPage: true });

    // The theme toggle: dark colours, and plotly redrawn with them.
    const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.click(".theme-toggle");
    await page.waitForTimeout(300);
    const after = await page.evaluate(() => ({
      theme: document.documentElement.getAttribute("data-theme"),
      bg: getComputedStyle(document.body).backgroundColor,
      plotFont: (document.querySelector(".plotly-figure .gtitle") as SVGElement | null)?.style.fill ?? "",
    }));
    assert.equal(after.theme, "dark");
    assert.notEqual(after.bg, before);
    await page.screenshot({ path: path.join(ARTIFACTS, "nbconvert-handout-dark.png"), fullPage: false });
    assert.deepEqual(errors, [], "no errors after switching theme");
  });

  it("prints without the sidebar (print stylesheet)", async () => {
    const { page } = await open(browser, handout);
    await page.emulateMedia({ media: "print" });
    const hidden = await page.evaluate(() => getComputedStyle(document.querySelector(".sidebar")!).display);
    assert.equal(hidden, "none");
    await page.pdf({ path: path.join(ARTIFACTS, "nbconvert-handout.pdf") });
  });

  it("shows the smoke lecture's handout the same way, when it has run cleanly", async function () {
    const executed = path.join(ROOT, "build", "executed", "smoke.ipynb");
    const ranClean = fs.existsSync(executed) && !fs.readFileSync(executed, "utf8").includes('"output_type": "error"');
    if (!ranClean) {
      console.log("      skipped: build/executed/smoke.ipynb is missing or has errors (run npm run handouts)");
      this.skip();
    }
    const file = path.join(ARTIFACTS, "nbconvert-smoke.html");
    exportFile(executed, file, { courseName: "Deep learning in TypeScript" });
    const { page, blocked, errors } = await open(browser, file);
    const r = await page.evaluate(() => ({
      drawn: document.querySelectorAll(".plotly-figure .main-svg").length,
      images: Array.from(document.querySelectorAll("img")).every((i) => i.complete && i.naturalWidth > 0),
      tables: document.querySelectorAll("table.dataframe").length,
    }));
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
    assert.ok(r.drawn >= 1 && r.images && r.tables >= 1, JSON.stringify(r));
    await page.screenshot({ path: path.join(ARTIFACTS, "nbconvert-smoke.png"), fullPage: true });
  });
});
