/**
 * What would be cut at the column's edge, fitted (`npm run test:browser`): a handout with a
 * figure whose title is wider than the figure and a display formula wider than the column,
 * opened in headless Chromium at a laptop's width (1000 px, sidebar shown). The title is wrapped
 * onto more lines and stays inside the figure; the formula is scaled down until it fits; both
 * hold again after the window is made narrower.
 *
 * Needs /usr/bin/chromium (apt-get install chromium); skipped with a message without it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { exportFile } from "nbconvert-ts";
import { launchChromium, openBlockedPage, skipWithoutChromium } from "./chromium";
import { tempDir } from "./helpers";

const LONG_TITLE = "what the judge sees in 1,000 fakes after 4700 rounds of training: 50% confident, class entropy 2.15 nats of ln 10 = 2.30";
const WIDE_FORMULA = String.raw`V(D,G) = \mathbb{E}_{x \sim p_{\text{data}}}\big[\log D(x)\big] + \mathbb{E}_{z \sim p_z}\big[\log\big(1 - D(G(z))\big)\big], \qquad \min_G \max_D V(D,G), \qquad \mathcal{L}_D = -V(D, G)`;

function executedNotebook(): object {
  const figure = {
    data: [{ type: "bar", x: ["0", "1", "2"], y: [3, 1, 2] }],
    layout: { title: { text: LONG_TITLE }, margin: { t: 40, r: 10, b: 50, l: 60 }, height: 360 },
  };
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "m1", metadata: {}, source: `# Fitting\n\nThe value of the game:\n\n$$${WIDE_FORMULA}$$\n` },
      {
        cell_type: "code", id: "c1", metadata: {}, execution_count: 1, source: "show(barChart(…));",
        outputs: [{ output_type: "display_data", metadata: {}, data: { "application/vnd.plotly.v1+json": figure, "text/plain": "[figure]" } }],
      },
    ],
  };
}

/** Where the title and the formula stand against their boxes. */
function measure(page: Page) {
  return page.evaluate(() => {
    const fig = document.querySelector(".plotly-figure")!.getBoundingClientRect();
    const title = document.querySelector(".plotly-figure text.gtitle") as SVGGraphicsElement;
    const t = title.getBoundingClientRect();
    const math = document.querySelector(".math-display") as HTMLElement;
    return {
      titleInside: t.left >= fig.left - 1 && t.right <= fig.right + 1,
      titleLines: title.querySelectorAll("tspan.line").length || 1,
      titleWidth: t.width,
      figureWidth: fig.width,
      mathFits: math.scrollWidth <= math.clientWidth + 1,
      mathScale: math.style.fontSize,
      mathWidth: [math.scrollWidth, math.clientWidth],
    };
  });
}

describe("nbconvert-ts handout: long figure titles and wide formulas fit the column (headless Chromium)", function () {
  this.timeout(120_000);
  let browser: Browser;
  let handout: string;

  before(async function () {
    skipWithoutChromium(this);
    const dir = tempDir("fit");
    const executed = path.join(dir, "fit.ipynb");
    fs.writeFileSync(executed, JSON.stringify(executedNotebook(), null, 1) + "\n");
    handout = path.join(dir, "fit.html");
    exportFile(executed, handout, {});
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("wraps the title inside its figure and scales the formula to the column, at 1000 px and after a resize to 820 px", async () => {
    const { page, blocked, errors } = await openBlockedPage(browser, handout, { viewport: { width: 1000, height: 900 } });
    await page.evaluate(() => document.fonts.ready.then(() => true));
    await page.waitForTimeout(600);
    const wide = await measure(page);
    assert.ok(wide.titleInside && wide.titleLines >= 2, `title: ${JSON.stringify(wide)}`);
    assert.ok(wide.mathFits && /%$/.test(wide.mathScale), `formula: ${JSON.stringify(wide)}`);

    await page.setViewportSize({ width: 820, height: 900 });
    await page.waitForTimeout(1200); // plotly's own resize, then ours (250 ms after the last resize event)
    const narrow = await measure(page);
    assert.ok(narrow.titleInside, `title after the resize: ${JSON.stringify(narrow)}`);
    assert.ok(narrow.mathFits, `formula after the resize: ${JSON.stringify(narrow)}`);
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });
});
