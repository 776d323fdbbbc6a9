/**
 * The course kernel survives bursts of output (tools/kernel/serialSend.cjs).
 *
 * tslab 1.0.22 sends ZeroMQ messages without waiting for the previous one; zeromq 6 refuses a
 * second send in flight ("Socket is busy writing"), so a cell that prints a burst loses its
 * "idle" message and the client waits forever (or the kernel dies). The course kernelspec
 * preloads a per-socket send queue. Negative control: the same notebook on plain tslab stalls.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { executeNotebook } from "nbconvert-ts";
import { courseKernelSpec, installCourseKernelSpec, REPO_ROOT } from "../../../tools/kernel/kernelspec";
import { makeNotebook, Notebook } from "@ts-course/notebook";

const LINES = 200;
const burst = `for (let i = 0; i < ${LINES}; i++) console.log("line " + i + " " + "x".repeat(2000));`;
const notebook = () => makeNotebook(Array.from({ length: 8 }, () => ({ type: "code" as const, source: burst }))) as unknown as Notebook;

const printedLines = (cell: Notebook["cells"][number]) =>
  (cell.outputs ?? []).filter((o) => o.output_type === "stream").map((o) => (Array.isArray(o.text) ? o.text.join("") : String(o.text))).join("").split("\n").filter(Boolean).length;

describe("course kernel: one ZeroMQ send at a time", function () {
  this.timeout(300_000);

  it("the kernelspec preloads the send queue", () => {
    const script = courseKernelSpec().argv[2];
    assert.match(script, /--require \.\/tools\/kernel\/serialSend\.cjs/);
  });

  it("runs cells that print bursts of output to the end, every line delivered", async () => {
    installCourseKernelSpec();
    const r = await executeNotebook(notebook(), { file: "burst.ipynb", timeout: 60 });
    assert.ok(r.ok, JSON.stringify(r.failures.map((f) => f.error)));
    for (const cell of r.notebook.cells) assert.equal(printedLines(cell), LINES);
  });

  it("negative control: plain tslab (no preload) stalls on the same notebook", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plain-tslab-"));
    const spec = courseKernelSpec();
    spec.argv[2] = `cd '${REPO_ROOT}' && exec '${path.join(REPO_ROOT, "node_modules", ".bin", "tslab")}' kernel --config-path "$0"`;
    fs.mkdirSync(path.join(dir, "kernels", "plain-tslab"), { recursive: true });
    fs.writeFileSync(path.join(dir, "kernels", "plain-tslab", "kernel.json"), JSON.stringify(spec));
    const saved = process.env.JUPYTER_PATH;
    process.env.JUPYTER_PATH = dir;
    try {
      const r = await executeNotebook(notebook(), { file: "burst.ipynb", kernelName: "plain-tslab", timeout: 15, interruptGrace: 3 });
      assert.ok(!r.ok, "plain tslab ran every burst: the bug this preload works around may be gone (then drop the preload)");
      assert.ok(["timeout", "died"].includes(r.failures[0].status), r.failures[0].status);
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_PATH;
      else process.env.JUPYTER_PATH = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
