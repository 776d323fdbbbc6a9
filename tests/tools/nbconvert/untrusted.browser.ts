/**
 * A hostile notebook exported with --untrusted, opened in headless Chromium (`npm run
 * test:browser`): none of its payloads runs, none makes a request, none even tries one (no
 * Content-Security-Policy violation: the sanitiser removed them before the policy had to act),
 * and the page still shows its maths, table, SVG and image. The same notebook exported as a
 * trusted handout is the control: there the payloads that a course handout may legitimately
 * carry (scripts in outputs) do run, so the harness does see a payload that fires; the ones that
 * exploit escaping (MIME types, image data, attachments) stay dead in both modes.
 *
 * Every payload reports itself by calling top.__report(name) (a binding into this test) and by
 * requesting http://127.0.0.1:9/<name>; every request other than the page is refused and recorded.
 * Needs /usr/bin/chromium (apt-get install chromium); skipped with a message without it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Browser } from "playwright-core";
import { Cell, makeNotebook, Notebook, writeNotebook } from "@ts-course/notebook";
import { exportFile } from "nbconvert-ts";
import { blockedContext, launchChromium, skipWithoutChromium } from "./chromium";
import { ROOT, tempDir } from "./helpers";

const ARTIFACTS = path.join(ROOT, "artifacts");
const SINK = "http://127.0.0.1:9";

/** JavaScript that reports the payload `name` ran, two ways (the report survives a navigation). */
const fire = (name: string) => `top.__report('${name}');new Image().src='${SINK}/${name}'`;
const attr = (name: string) => fire(name).replace(/'/g, "&#39;");

const MARKDOWN = `# A hostile notebook

Maths must survive: $\\sum_i x_i^2$ and a [link to the course](https://example.org/course).

<script>${fire("md-script")}</script>
<img src="x" onerror="${attr("md-img")}">
<svg onload="${attr("md-svg")}"><circle r="3"></circle></svg>
<iframe srcdoc="<script>${attr("md-iframe")}</script>"></iframe>
<math><mtext><table><mglyph><style><img src=x onerror="${attr("md-mxss")}"></style></mglyph></table></mtext></math>
<style>@import url("${SINK}/md-style-import"); body { background: url(${SINK}/md-style-bg); }</style>
<div style="background-image:url(${SINK}/md-inline-style)">styled</div>
<img src="${SINK}/md-remote-img">
<meta http-equiv="refresh" content="0;url=${SINK}/md-meta">
<base href="${SINK}/md-base/"><img src="relative.png">
<form action="${SINK}/md-form"><input name="q" autofocus onfocus="${attr("md-form")}"><button>go</button></form>
<object data="${SINK}/md-object"></object><embed src="${SINK}/md-embed">
<link rel="stylesheet" href="${SINK}/md-link-css"><link rel="prefetch" href="${SINK}/md-prefetch">
<video poster="${SINK}/md-poster" src="${SINK}/md-video"></video>
<details open ontoggle="${attr("md-details")}"><summary>s</summary></details>
<a href="javascript:${fire("md-js-link")}">a javascript: link</a>

[markdown javascript link](javascript:alert(1)) ![attached](attachment:evil.png)
`;

function hostileNotebook(): Notebook {
  const nb = makeNotebook([
    { type: "markdown", source: MARKDOWN },
    { type: "code", source: "showEverything()" },
    { type: "raw", source: `<script>${fire("raw-cell")}</script>`, metadata: { format: "text/html" } },
  ]);
  nb.cells[0].attachments = { "evil.png": { "image/png": `AAAA" onerror="${fire("attachment")}` } };
  const code = nb.cells[1] as Cell;
  code.execution_count = 1;
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const display = (data: Record<string, unknown>) => ({ output_type: "display_data", data, metadata: {} });
  code.outputs = [
    display({ "text/html": `<table class="dataframe"><tr><td>42</td></tr></table><script>${fire("out-html-script")}</script><img src=x onerror="${attr("out-html-img")}">` }),
    display({
      "image/svg+xml":
        `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40"><script>${fire("svg-script")}</script>` +
        `<rect class="kept" width="30" height="30" fill="teal"/><foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="x" onerror="${attr("svg-foreign")}"/></foreignObject>` +
        `<image href="${SINK}/svg-image" width="5" height="5"/><a xlink:href="javascript:${fire("svg-link")}"><text y="20">t</text></a>` +
        `<animate attributeName="href" to="javascript:${fire("svg-animate")}"/><set attributeName="onmouseover" to="${fire("svg-set")}"/></svg>`,
    }),
    display({ "application/javascript": fire("out-js"), "text/plain": "a script output" }),
    display({ "text/markdown": `<img src=x onerror="${attr("out-md")}"> **markdown output**` }),
    display({ "text/latex": `$$\\href{javascript:${fire("latex")}}{x}$$` }),
    display({ "application/vnd.plotly.v1+json": { data: [{ y: [1, 2], name: `<img src=x onerror="${attr("plotly-trace")}">` }], layout: { title: { text: `<img src=x onerror="${attr("plotly-title")}">` } } }, "text/plain": "a figure" }),
    display({ [`image/png" onerror="${fire("mime-key")}" x="`]: png }),
    display({ "image/png": `${png}" onerror="${fire("mime-data")}`, "text/plain": "bad image data" }),
    display({ "image/png": png, "text/plain": "a real image" }),
  ];
  return nb;
}

/**
 * Payloads that only escaping stops: dead in a trusted export too. (A hostile cell id is refused
 * by the nbformat schema before export; html.spec's attribute test renders one directly.)
 */
const ESCAPED_ALWAYS = ["mime-key", "mime-data", "attachment"];

interface Visit {
  pwned: string[];
  requests: string[];
  violations: string[];
  url: string;
  report: { katex: number; table: string; rect: number; images: { ok: boolean; src: string }[]; jsLinks: number; text: string };
}

async function visit(browser: Browser, file: string): Promise<Visit> {
  const url = `file://${file}`;
  const { context, blocked: requests } = await blockedContext(browser, url, { viewport: { width: 1200, height: 900 } });
  const pwned: string[] = [];
  await context.exposeBinding("__report", (_source, name: string) => void pwned.push(name));
  await context.addInitScript("window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => top.__violations.push(e.violatedDirective + ' ' + e.blockedURI));");
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(1500); // meta refresh, autofocus, lazy loads, plotly
  const state = await page.evaluate(() => {
    const w = window as unknown as { __violations: string[] };
    const article = document.querySelector("article");
    return {
      violations: [...w.__violations],
      report: {
        katex: document.querySelectorAll(".katex").length,
        table: document.querySelector("table.dataframe td")?.textContent ?? "",
        rect: document.querySelectorAll(".output.svg rect.kept").length,
        images: Array.from(document.querySelectorAll(".output.image img")).map((i) => ({ ok: (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0, src: (i as HTMLImageElement).src.slice(0, 30) })),
        jsLinks: Array.from(document.querySelectorAll("[href],[src],[action],[formaction],[data]")).filter((e) => /javascript:/i.test(Array.from(e.attributes).map((a) => a.value).join(" "))).length,
        text: article?.textContent ?? "",
      },
    };
  });
  const result = { ...state, pwned, requests, url: page.url() };
  await context.close();
  return result;
}

describe("nbconvert-ts --untrusted: a hostile notebook in headless Chromium (network blocked)", function () {
  this.timeout(300_000);
  let browser: Browser;
  let safe: string;
  let trusted: string;

  before(async function () {
    skipWithoutChromium(this);
    const dir = tempDir("hostile");
    const source = path.join(dir, "hostile.ipynb");
    writeNotebook(source, hostileNotebook());
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    safe = path.join(ARTIFACTS, "nbconvert-untrusted.html");
    trusted = path.join(dir, "trusted.html");
    exportFile(source, safe, { untrusted: true });
    exportFile(source, trusted, {});
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("runs no payload, makes and attempts no request, stays on the page, and still shows the notebook", async () => {
    const v = await visit(browser, safe);
    assert.deepEqual(v.pwned, [], "no payload ran");
    assert.deepEqual(v.requests, [], "no request was made");
    assert.deepEqual(v.violations, [], "nothing even tried one (the sanitiser, not only the policy, stopped it)");
    assert.equal(v.url, `file://${safe}`, "no navigation (meta refresh, forms)");
    assert.equal(v.report.jsLinks, 0, "no javascript: URL is left in the page");
    assert.ok(v.report.katex >= 1, "maths rendered");
    assert.equal(v.report.table, "42", "the table stays");
    assert.equal(v.report.rect, 1, "the SVG's drawing stays");
    assert.ok(v.report.images.length === 1 && v.report.images[0].ok, `the real image shows: ${JSON.stringify(v.report.images)}`);
    for (const t of ["a script output", "a figure", "bad image data", "markdown output", "a javascript: link", "styled"]) assert.ok(v.report.text.includes(t), `"${t}" shows as text`);
  });

  it("control: the same notebook as a trusted handout runs its script outputs (the harness sees payloads), never the escaping ones", async () => {
    const v = await visit(browser, trusted);
    console.log(`      trusted export: ${v.pwned.length} payloads ran (${[...new Set(v.pwned)].join(", ")})`);
    for (const live of ["out-js", "out-html-script", "md-script", "raw-cell"]) assert.ok(v.pwned.includes(live), `${live} ran in the trusted export (${v.pwned})`);
    for (const dead of ESCAPED_ALWAYS) assert.ok(!v.pwned.includes(dead), `${dead} is escaped in every export (${v.pwned})`);
    assert.ok(v.requests.length + v.violations.length > 0, "the trusted page's payloads did try to reach the network");
  });
});
