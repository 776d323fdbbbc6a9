import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT as ROOT } from "@ts-course/cli";
import { highlightTypeScript } from "../../../tools/nbconvert-ts/src/html/tsHighlight";

/** The text a reader sees: tags removed, entities decoded. */
const visibleText = (html: string) =>
  html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Every `<span class="hljs-cls">text</span>` with no span inside, as "cls:text". */
const tokens = (html: string) => [...html.matchAll(/<span class="hljs-([^"]+)">([^<]*)<\/span>/g)].map((m) => `${m[1]}:${visibleText(m[2])}`);

describe("nbconvert-ts TypeScript highlighter", () => {
  it("marks keywords, types, attributes, functions, literals, numbers and comments with highlight.js's classes", () => {
    const t = tokens(highlightTypeScript("export function step(x: number): Promise<void> { return { ok: true, n: 1.5e-3 }; } // done"));
    assert.deepEqual(t, ["keyword:export", "keyword:function", "title function_:step", "attr:x", "built_in:number", "built_in:Promise", "keyword:void", "keyword:return", "attr:ok", "literal:true", "attr:n", "number:1.5e-3", "comment:// done"]);
  });

  it("tells a regular expression from a division by what precedes the slash", () => {
    assert.deepEqual(tokens(highlightTypeScript("const r = /a[/]b/g;")), ["keyword:const", "regexp:/a[/]b/g"]);
    assert.deepEqual(tokens(highlightTypeScript("const h = (a + b) / 2 / c;")), ["keyword:const", "number:2"]);
    assert.deepEqual(tokens(highlightTypeScript("return /x/.test(s)")), ["keyword:return", "regexp:/x/", "title function_:test"]);
  });

  it("highlights the code inside template literals, nested, and escapes HTML everywhere", () => {
    const html = highlightTypeScript("console.log(`a <b> ${f(`in ${1}`)} c`);");
    assert.match(html, /<span class="hljs-subst">\$\{<span class="hljs-title function_">f<\/span>\(<span class="hljs-string">`in <span class="hljs-subst">\$\{<span class="hljs-number">1<\/span>\}<\/span>`<\/span>\)\}<\/span>/);
    assert.ok(html.includes("a &lt;b&gt; "));
  });

  it("never loses or changes a character, even of unterminated strings, comments and templates", () => {
    for (const code of ['const s = "open', "/* open", "`open ${x", "a / b", "x = '\\'';", "", "π → 𝔼[x]", "obj.default.new(1)"]) {
      assert.equal(visibleText(highlightTypeScript(code)), code);
    }
  });

  it("reproduces every code cell of the course's notebooks exactly", () => {
    const dirs = ["lectures", "solutions", "exercises"].map((d) => path.join(ROOT, d));
    let cells = 0;
    for (const dir of dirs.filter((d) => fs.existsSync(d))) {
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
        const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
        for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
          const code = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
          assert.equal(visibleText(highlightTypeScript(code)), code, `${file}: a code cell changed`);
          cells++;
        }
      }
    }
    assert.ok(cells > 20, `only ${cells} code cells found`);
  });
});
