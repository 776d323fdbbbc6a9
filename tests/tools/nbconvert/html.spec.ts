import { strict as assert } from "assert";
import { ansiToHtml, applyControlCharacters } from "../../../tools/nbconvert-ts/src/html/ansi";
import { MarkdownRenderer } from "../../../tools/nbconvert-ts/src/html/markdown";
import { chooseMime, OutputContext, renderOutput } from "../../../tools/nbconvert-ts/src/html/outputs";
import { renderToc } from "../../../tools/nbconvert-ts/src/html/toc";
import { CONTENT_SECURITY_POLICY, filterNotebook, renderNotebook } from "nbconvert-ts";
import { fixture } from "./helpers";
import { Notebook, readNotebook } from "@ts-course/notebook";

const ctx = (): OutputContext => ({ markdown: new MarkdownRenderer(), plotCount: 0, usedAnsi: false });
const count = (text: string, part: string) => text.split(part).length - 1;

function notebook(cells: Notebook["cells"]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: "typescript" } }, cells };
}

describe("nbconvert-ts HTML export", function () {
  this.timeout(60_000); // stripping solutions loads TypeScript (the grader's stub maker)
  it("renders ANSI colours as classes, 256/true colours inline, and applies \\r and \\b", () => {
    assert.equal(ansiToHtml("\x1b[31mred\x1b[0m plain"), '<span class="ansi-red">red</span> plain');
    assert.equal(ansiToHtml("\x1b[1;92mok\x1b[39m!"), '<span class="ansi-bright-green ansi-bold">ok</span><span class="ansi-bold">!</span>');
    assert.equal(ansiToHtml("\x1b[38;2;255;128;0mx"), '<span style="color:#ff8000">x</span>');
    assert.equal(ansiToHtml("<b>&"), "&lt;b&gt;&amp;");
    assert.equal(applyControlCharacters("10%\r50%\r100%\nnext"), "100%\nnext");
    assert.equal(applyControlCharacters("long line\rshort"), "shortline");
    assert.equal(applyControlCharacters("abc\b\bX"), "aX");
  });

  it("renders maths with KaTeX at export time, leaves prices and code alone, and reports bad TeX", () => {
    const md = new MarkdownRenderer();
    const html = md.render("Costs $5 and $10, `$x$`, inline $x^2$ and\n\n$$\\sum_i i$$\n\n\\begin{align} a &= b \\end{align}");
    assert.match(html, /Costs \$5 and \$10/);
    assert.match(html, /<code>\$x\$<\/code>/);
    assert.equal(count(html, 'class="katex"'), 3);
    assert.equal(count(html, 'class="katex-display"'), 2);
    assert.ok(md.usedMath);
    md.render("bad $\\frac{1$ maths");
    assert.equal(md.mathErrors.length, 1);
    // \newcommand in one cell is known in the next, as with Jupyter's MathJax
    md.render("$\\newcommand{\\Rset}{\\mathbb{R}}$");
    md.render("$x \\in \\Rset$");
    assert.equal(md.mathErrors.length, 1);
  });

  it("gives headings unique ids and builds a nested table of contents", () => {
    const md = new MarkdownRenderer();
    md.render("# Title\n\n## Data\n\n### Loading *MNIST*\n\n## Data\n\n##### Too deep\n\n## Model");
    assert.deepEqual(
      md.headings.map((h) => h.id),
      ["title", "data", "loading-mnist", "data-1", "too-deep", "model"],
    );
    const toc = renderToc(md.headings);
    assert.equal(
      toc,
      '<ol><li class="level-1"><a href="#data">Data</a><ol><li class="level-2"><a href="#loading-mnist">Loading MNIST</a></li></ol></li>' +
        '<li class="level-1"><a href="#data-1">Data</a></li><li class="level-1"><a href="#model">Model</a></li></ol>',
    );
  });

  it("names a heading with maths by the formula's glyphs, once (not 'what DDD believes')", () => {
    const md = new MarkdownRenderer();
    const html = md.render("### What $D$ believes about $G(z)$\n\n## Vectors in $\\mathbb{R}^D$");
    assert.deepEqual(md.headings.map((h) => [h.text, h.id]), [["What D believes about G(z)", "what-d-believes-about-gz"], ["Vectors in RD", "vectors-in-rd"]]);
    assert.match(html, /<h3 id="what-d-believes-about-gz">What <span class="katex">/, "the heading itself still shows the formula");
    assert.match(renderToc(md.headings), /<a href="#what-d-believes-about-gz">What D believes about G\(z\)<\/a>/);
  });

  it("highlights TypeScript in code cells and in fenced markdown code", () => {
    const { html } = renderNotebook(notebook([{ cell_type: "code", id: "c1", metadata: {}, source: "const x: number = 1;", execution_count: 7, outputs: [] }]));
    assert.match(html, /<span class="hljs-keyword">const<\/span> <span class="hljs-attr">x<\/span>: <span class="hljs-built_in">number<\/span>/);
    assert.match(html, /<div class="prompt">\[7\]<\/div>/);
    assert.match(new MarkdownRenderer().render("```ts\nlet y = 2;\n```"), /<span class="hljs-keyword">let<\/span>/);
  });

  it("renders every output type", () => {
    const c = ctx();
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    assert.equal(renderOutput({ output_type: "stream", name: "stderr", text: ["warn\n"] }, c), '<pre class="output stream stderr">warn\n</pre>');
    assert.match(renderOutput({ output_type: "display_data", data: { "image/png": png, "text/plain": "dot" }, metadata: { "image/png": { width: 10 } } }, c), /<img src="data:image\/png;base64,iVBOR[^"]+" alt="dot" width="10">/);
    assert.match(renderOutput({ output_type: "display_data", data: { "image/jpeg": "/9j/AA==" }, metadata: {} }, c), /data:image\/jpeg;base64,\/9j\/AA==/);
    assert.match(renderOutput({ output_type: "display_data", data: { "image/svg+xml": ['<?xml version="1.0"?>\n', "<svg></svg>"] }, metadata: {} }, c), /<div class="output svg"><svg><\/svg><\/div>/);
    assert.match(renderOutput({ output_type: "display_data", data: { "text/html": "<b>hi</b>", "text/plain": "hi" }, metadata: {} }, c), /<div class="output html"><b>hi<\/b><\/div>/);
    assert.match(renderOutput({ output_type: "display_data", data: { "text/markdown": "**m** $x$" }, metadata: {} }, c), /<strong>m<\/strong> <span class="katex">/);
    assert.match(renderOutput({ output_type: "display_data", data: { "text/latex": "$$x^2$$" }, metadata: {} }, c), /katex-display/);
    assert.match(renderOutput({ output_type: "execute_result", execution_count: 1, data: { "application/json": { a: 1 } }, metadata: {} }, c), /&quot;a&quot;: 1/);
    assert.match(renderOutput({ output_type: "execute_result", execution_count: 1, data: { "text/plain": "\x1b[32m3\x1b[0m" }, metadata: {} }, c), /ansi-green/);
    const plot = renderOutput({ output_type: "display_data", data: { "application/vnd.plotly.v1+json": { data: [{ y: [1, 2] }], layout: { title: "</script>" } }, "text/plain": "[figure]" }, metadata: {} }, c);
    assert.match(plot, /<div class="plotly-figure" id="plotly-figure-1"/);
    assert.match(plot, /<script type="application\/json" data-plotly="plotly-figure-1">\{"data":\[\{"y":\[1,2\]\}\],"layout":\{"title":"\\u003c\/script>"\}\}<\/script>/);
    const err = renderOutput({ output_type: "error", ename: "RangeError", evalue: "too big", traceback: ["RangeError: too big", "    at f (evalmachine.<anonymous>:1:1)"] }, c);
    assert.match(err, /<div class="output error" role="alert"><div class="error-head"><span class="ename">RangeError<\/span><span class="evalue">too big<\/span><\/div><pre class="traceback">    at f \(evalmachine.&lt;anonymous&gt;:1:1\)<\/pre><\/div>/);
    assert.equal(chooseMime({ "text/plain": "x", "text/html": "y", "application/vnd.plotly.v1+json": {} }), "application/vnd.plotly.v1+json");
    assert.equal(chooseMime({ "text/plain": "x", "image/png": "y" }), "image/png");
  });

  it("embeds plotly.js once per page and only with figures, KaTeX only with maths, and forbids every request", () => {
    const fig = { output_type: "display_data", data: { "application/vnd.plotly.v1+json": { data: [], layout: {} } }, metadata: {} };
    const withPlots = renderNotebook(notebook([
      { cell_type: "markdown", id: "m", metadata: {}, source: "# T\n\n$x$" },
      { cell_type: "code", id: "a", metadata: {}, source: "a", execution_count: 1, outputs: [fig, fig] },
      { cell_type: "code", id: "b", metadata: {}, source: "b", execution_count: 2, outputs: [fig] },
    ]));
    assert.equal(withPlots.plotCount, 3);
    assert.equal(count(withPlots.html, "plotly.js v"), 1, "one copy of plotly.js");
    assert.ok(withPlots.html.includes("@font-face{font-family:KaTeX_Main"));
    assert.ok(withPlots.html.includes("src:url(data:font/woff2;base64,"));
    assert.ok(!/url\(fonts\//.test(withPlots.html), "no font file is referenced");
    assert.ok(withPlots.html.includes(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`));
    assert.match(CONTENT_SECURITY_POLICY, /^default-src 'none'/);
    const plain = renderNotebook(notebook([{ cell_type: "code", id: "a", metadata: {}, source: "a", execution_count: 1, outputs: [] }]));
    assert.ok(!plain.html.includes("plotly.js v"));
    assert.ok(!plain.html.includes("KaTeX_Main"));
    assert.ok(plain.html.length < 60_000, `a page without figures or maths stays small (${plain.html.length} bytes)`);
    for (const page of [withPlots.html, plain.html]) {
      const markup = page.replace(/<script[^>]*>[\s\S]*?<\/script>/g, "").replace(/<style>[\s\S]*?<\/style>/g, "");
      assert.ok(!/(src|href)="(https?:)?\/\//.test(markup), "no external URL in src/href");
    }
  });

  it("has a table of contents, light and dark themes and a print stylesheet", () => {
    const { html, title } = renderNotebook(readNotebook(fixture("showcase.ipynb")), { date: "1 January 2025" });
    assert.equal(title, "Every kind of output");
    assert.match(html, /<title>Every kind of output<\/title>/);
    assert.match(html, /<nav class="sidebar"[^>]*>.*<a href="#text-streams">Text streams<\/a>/s);
    assert.ok(html.includes(':root[data-theme="dark"]'));
    assert.ok(html.includes("prefers-color-scheme: dark"));
    assert.ok(html.includes("@media print"));
    assert.ok(html.includes('class="theme-toggle"'));
  });

  it("leaves out instructor cells and strips solutions (and their outputs) for students", () => {
    const nb = readNotebook(fixture("student.ipynb"));
    nb.cells[2].outputs = [{ output_type: "stream", name: "stdout", text: ["9\n"] }];
    const { notebook: out, droppedCells, strippedCells } = filterNotebook(nb, { dropTags: ["instructor"], stripSolutions: true });
    assert.equal(droppedCells, 1);
    assert.equal(strippedCells, 1);
    const sources = out.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
    assert.ok(!sources.some((s) => s.includes("instructor notes")));
    assert.ok(!sources.some((s) => s.includes("return x * x")));
    assert.match(sources[1], /\/\/ YOUR CODE HERE\n  throw new Error\("not implemented yet: square"\);/);
    assert.deepEqual(out.cells[1].outputs, []);
    assert.equal(nb.cells.length, 4, "the input notebook is not changed");
    const unfiltered = filterNotebook(nb, {});
    assert.equal(unfiltered.notebook.cells.length, 4);
  });
});
