/**
 * What careless and hostile users found in nbconvert-ts (issue #15, items 8-10), each as the
 * user met it: through the command (exit code, message) or the package's API.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { makeNotebook, Notebook, readNotebook, renderNotebook, runHandouts, sanitizeHtml, writeNotebook } from "nbconvert-ts";
import { CLI, fixture, ROOT, tempDir } from "./helpers";

function cli(args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(CLI, args, { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** An executed-looking notebook with one code cell holding these outputs. */
function withOutputs(outputs: Record<string, unknown>[], id = "c1"): Notebook {
  const nb = makeNotebook([{ type: "markdown", source: "# Outputs" }, { type: "code", source: "show()" }]);
  nb.cells[1].id = id;
  nb.cells[1].execution_count = 1;
  nb.cells[1].outputs = outputs;
  return nb;
}

describe("nbconvert-ts hardening (#15 items 8-10)", function () {
  this.timeout(300_000);

  describe("item 8: an input is never replaced by another format", () => {
    it("refuses to export HTML over the notebook, through any name for it, and leaves it intact", () => {
      const dir = tempDir("overwrite");
      const nb = path.join(dir, "nb.ipynb");
      fs.copyFileSync(fixture("showcase.ipynb"), nb);
      const before = sha(nb);
      fs.linkSync(nb, path.join(dir, "hard.html"));
      fs.symlinkSync(nb, path.join(dir, "soft.html"));
      const cases: [string, RegExp][] = [
        [nb, /nb\.ipynb: this output is HTML; give it a name ending in \.html/],
        [path.join(dir, "hard.html"), /hard\.html is the input notebook itself/],
        [path.join(dir, "soft.html"), /soft\.html is the input notebook itself/],
      ];
      for (const [output, message] of cases) {
        const r = cli(["export", nb, "-o", output]);
        assert.equal(r.status, 2, `${output}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(sha(nb), before, `${path.basename(output)}: the notebook is unchanged`);
      }
      const ok = cli(["export", nb, "-o", path.join(dir, "nb.html")]);
      assert.equal(ok.status, 0, ok.stderr);
    });

    it("refuses an executed notebook into a .html name, and -o equal to --executed, before any kernel starts", () => {
      const dir = tempDir("formats");
      const exec = cli(["execute", fixture("sleep.ipynb"), "-o", path.join(dir, "out.html")]);
      assert.equal(exec.status, 2);
      assert.match(exec.stderr, /out\.html: this output is a notebook; give it a name ending in \.ipynb/);
      const same = cli(["run", fixture("sleep.ipynb"), "-o", path.join(dir, "x.html"), "--executed", path.join(dir, "x.html")]);
      assert.equal(same.status, 2);
      assert.ok(exec.seconds < 20 && same.seconds < 20, `refused at once (${exec.seconds} s, ${same.seconds} s), not after running the notebook`);
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  });

  describe("item 9: attributes are always escaped; untrusted notebooks are sanitised", () => {
    const tag = (html: string) => html.replace(/<script>[\s\S]*?<\/script>/g, "").replace(/<style>[\s\S]*?<\/style>/g, "");

    it("never lets an image's MIME type, data or a cell id out of its attribute", () => {
      const hostile = withOutputs(
        [
          { output_type: "display_data", data: { 'image/png" onerror="alert(1)': "AAAA" }, metadata: {} },
          { output_type: "display_data", data: { "image/png": 'AAAA" onerror="alert(2)', "text/plain": "data" }, metadata: {} },
          { output_type: "display_data", data: { "image/gif": "R0lGODlhAQABAAAAACw=" }, metadata: { "image/gif": { width: '1" onload="x' } } },
        ],
        '"><img src=x onerror=alert(3)>',
      );
      const r = renderNotebook(hostile);
      const markup = tag(r.html);
      assert.ok(!/<img[^>]*\son(error|load)=/i.test(markup), markup.slice(markup.indexOf("<article"), markup.indexOf("</article>")));
      assert.ok(markup.includes('id="cell-&quot;&gt;&lt;img src=x onerror=alert(3)&gt;"'), "the cell id is escaped");
      assert.match(markup, /<pre class="output text">data<\/pre>/, "data that is not base64 falls back too");
      assert.match(markup, /<img src="data:image\/gif;base64,R0lGODlhAQABAAAAACw=" alt="output image">/, "a real image stays");
      assert.equal(r.warnings.length, 2, r.warnings.join("\n"));
      assert.match(r.warnings[0], /cell 2: an output of type "image\/png\\" onerror=\\"alert\(1\)" is not a base64 image/);
      assert.match(r.warnings[1], /cell 2: an output of type "image\/png" is not a base64 image/);
    });

    it("sanitises an untrusted notebook's HTML, keeps its maths and images, and shows no script output", () => {
      const nb = withOutputs([
        { output_type: "display_data", data: { "text/html": '<b>bold</b><img src=x onerror="alert(1)"><script>alert(2)</script><table class="dataframe"><tr><td>1</td></tr></table>' }, metadata: {} },
        { output_type: "display_data", data: { "image/svg+xml": '<svg onload="alert(3)"><script>alert(4)</script><circle r="4"/></svg>' }, metadata: {} },
        { output_type: "display_data", data: { "application/javascript": "alert(5)", "text/plain": "js" }, metadata: {} },
        { output_type: "display_data", data: { "application/vnd.plotly.v1+json": { data: [{ y: [1] }] }, "text/plain": "a figure" }, metadata: {} },
      ]);
      nb.cells[0].source = '# Outputs\n\n$x^2$ and <a href="javascript:alert(6)">link</a><iframe srcdoc="<script>alert(7)</script>"></iframe>';
      const safe = renderNotebook(nb, { untrusted: true });
      const body = safe.html.slice(safe.html.indexOf("<article"), safe.html.indexOf("</article>"));
      assert.ok(!/<script|onerror|onload|javascript:|<iframe/i.test(body), body);
      assert.match(body, /<b>bold<\/b>/);
      assert.match(body, /<table class="dataframe"><tbody><tr><td>1<\/td><\/tr><\/tbody><\/table>/);
      assert.match(body, /<circle r="4"><\/circle>/);
      assert.match(body, /class="katex"/, "maths survives");
      assert.match(body, /<pre class="output text">js<\/pre>/, "a script output shows its text form");
      assert.match(body, /<pre class="output text">a figure<\/pre>/, "plotly is not run on an untrusted figure: its text shows");
      assert.equal(safe.plotCount, 0);
      assert.ok(safe.sanitized);
      assert.match(safe.html, /script-src 'sha256-[^']+' 'sha256-[^']+'; form-action 'none'/, "only the page's own two scripts may run");
      // The course's own handouts keep their figures and tables.
      const trusted = renderNotebook(nb);
      assert.equal(trusted.plotCount, 1);
      assert.match(trusted.html, /<script>alert\(2\)<\/script>/);
    });

    it("exports the sanitiser in the package's API (for the grader's feedback pages and the course service)", () => {
      assert.equal(sanitizeHtml('<p title="a">x<script>1</script><img src="https://example.org/t.png" style="position:fixed;color:red;background:url(https://e)"></p>'), '<p title="a">x<img style="color:red"></p>');
      assert.equal(sanitizeHtml('<a href="https://example.org">ok</a>'), '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>');
    });
  });

  describe("item 10: bad outputs, bad paths, other kernels", () => {
    it("exports a notebook whose plotly output is a string that is not JSON, naming the cell in a warning", () => {
      const dir = tempDir("plotly");
      const file = path.join(dir, "bad-plot.ipynb");
      writeNotebook(file, withOutputs([{ output_type: "display_data", data: { "application/vnd.plotly.v1+json": "{not json", "text/plain": "the figure's text" }, metadata: {} }]));
      const r = cli(["export", file, "-o", path.join(dir, "bad-plot.html")]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /warning: .*bad-plot\.ipynb cell 2: a plotly figure is a string that is not JSON/);
      assert.match(fs.readFileSync(path.join(dir, "bad-plot.html"), "utf8"), /<pre class="output text">the figure&#39;s text<\/pre>/);
    });

    it("refuses an output it cannot write before executing anything, naming the output (not a temporary file)", async () => {
      const dir = tempDir("unwritable");
      const file = path.join(dir, "a-file");
      fs.writeFileSync(file, "not a folder");
      const exec = cli(["execute", fixture("sleep.ipynb"), "-o", path.join(file, "out.ipynb")]);
      assert.equal(exec.status, 2, exec.stderr);
      assert.match(exec.stderr, /^nbconvert-ts execute: cannot write .*a-file\/out\.ipynb: a part of the path is a file, not a folder \((ENOTDIR|EEXIST)\)\n$/);
      assert.ok(exec.seconds < 20, `at once, not after the notebook ran (${exec.seconds} s)`);
      const exp = cli(["export", fixture("showcase.ipynb"), "-o", path.join(file, "out.html")]);
      assert.equal(exp.status, 2);
      assert.match(exp.stderr, /cannot write .*a-file\/out\.html/);
      assert.ok(!/\.tmp|\n\s+at /.test(exec.stderr + exp.stderr), "no temporary file and no stack trace in the message");
      const lectures = path.join(dir, "lectures");
      fs.mkdirSync(lectures);
      writeNotebook(path.join(lectures, "2024-01-01-x.ipynb"), makeNotebook([{ type: "code", source: "1" }]));
      await assert.rejects(runHandouts({ lecturesDir: lectures, handoutsDir: path.join(file, "handouts"), executedDir: path.join(dir, "executed"), smoke: false, log: () => {} }), /cannot write .*a-file\/handouts/);
      assert.ok(!fs.existsSync(path.join(dir, "executed", "2024-01-01-x.ipynb")), "no lecture ran");
    });

    it("runs a notebook saved with tslab's own kernelspec on the course kernel, and records the kernel's language_info", () => {
      const dir = tempDir("tslab");
      const file = path.join(dir, "tslab.ipynb");
      const nb = makeNotebook([{ type: "code", source: 'console.log("hello from " + process.cwd());' }], {
        kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
      });
      delete nb.metadata.language_info;
      writeNotebook(file, nb);
      const r = cli(["execute", file, "-o", path.join(dir, "out.ipynb"), "--quiet"]);
      assert.equal(r.status, 0, r.stderr);
      const out = readNotebook(path.join(dir, "out.ipynb"));
      assert.equal(out.metadata.kernelspec.name, "ts-course");
      assert.equal(out.metadata.language_info.name, "typescript");
      assert.equal(typeof out.metadata.language_info.version, "string", "filled from the kernel's kernel_info reply");
      assert.match(JSON.stringify(out.cells[0].outputs), new RegExp(`hello from ${ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      const python = cli(["execute", fixture("python-kernel.ipynb"), "-o", path.join(dir, "py.ipynb")]);
      assert.equal(python.status, 2);
      assert.match(python.stderr, /kernel "python3" is not available here \(kernels: [^)]*\); to run it on the course kernel, pass --kernel ts-course/);
    });
  });
});
