/**
 * The executor against the real course kernel (tslab). Each test starts a kernel (2 s when the
 * machine is idle, much more under load), so the notebooks are tiny and each covers a lot.
 */
import { strict as assert } from "assert";
import { executeNotebook, ExecuteReport, liveKernelCount, metricLines } from "nbconvert-ts";
import { fixture, kernelsOf, streamText, waitUntil } from "./helpers";
import { joinText, readNotebook, schemaErrors } from "@ts-course/notebook";

function codeCells(r: ExecuteReport) {
  return r.notebook.cells.filter((c) => c.cell_type === "code");
}

function assertValid(r: ExecuteReport) {
  assert.deepEqual(schemaErrors(r.notebook), [], "the executed notebook validates against nbformat 4.5");
}

describe("nbconvert-ts executor (real tslab kernel)", function () {
  this.timeout(300_000);

  afterEach(async () => {
    assert.equal(liveKernelCount(), 0, "every kernel was shut down");
    assert.ok(await waitUntil(() => kernelsOf(process.pid).length === 0, 5000), `kernel processes left: ${kernelsOf(process.pid)}`);
  });

  it("runs cells in order with counts, streams, every display type, in-place updates and plotly figures", async () => {
    const r = await executeNotebook(readNotebook(fixture("showcase.ipynb")), { file: "showcase.ipynb", allowErrors: true });
    assertValid(r);
    const cells = codeCells(r);
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, 4, 5, 6, 7]);
    const [streams, answer, rich, live, plot, failing, after] = cells;
    assert.equal(streamText(streams), "plain stdout\n\x1b[31mred\x1b[0m, \x1b[1;32mbold green\x1b[0m and \x1b[38;5;208man orange\x1b[0m\nprogress 10%\rprogress 50%\rprogress 100%\n");
    assert.equal(streamText(streams, "stderr"), "a warning on stderr\n");
    assert.equal(streamText(answer), "42\n", "the last expression's value (tslab prints it)");
    const mimes = rich.outputs!.map((o) => Object.keys(o.data ?? {}).join("+"));
    assert.deepEqual(mimes, ["text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg"]);
    assert.equal(live.outputs!.length, 1, "update_display_data replaced the display in place");
    assert.equal(joinText(live.outputs![0].data["text/plain"]), "finished: 3 of 3 (only this state is kept)");
    assert.ok(plot.outputs!.some((o) => o.output_type === "display_data" && o.data["application/vnd.plotly.v1+json"]?.data?.length === 2));
    assert.deepEqual(metricLines(r.notebook), [{ name: "showcase_points", value: "100" }]);
    assert.deepEqual(failing.outputs!.map((o) => o.output_type), ["error"]);
    assert.equal(failing.outputs![0].ename, "RangeError");
    assert.equal(failing.outputs![0].evalue, "shown as a styled error output");
    assert.equal(streamText(after), "after the error (run with --allow-errors)\n");
    assert.equal(r.ok, false);
    assert.deepEqual(r.failures.map((f) => [f.status, f.executionCount]), [["error", 6]]);
    for (const c of cells) {
      const timing = c.metadata.execution;
      assert.ok(typeof timing["iopub.status.busy"] === "string" && typeof timing["iopub.status.idle"] === "string");
    }
    assert.ok(r.cells.every((c) => c.status === "not-run" || c.kernelSeconds >= 0));
  });

  it("with allowErrors runs every cell, loses none to tslab's post-error abort, and still reports failure", async () => {
    const r = await executeNotebook(readNotebook(fixture("errors.ipynb")), { file: "errors.ipynb", allowErrors: true });
    assertValid(r);
    const cells = codeCells(r);
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, 4, 5]);
    assert.equal(streamText(cells[2]), "counter 2\n", "the cell right after the error ran (tslab aborts requests within 200 ms of an error)");
    assert.equal(cells[3].outputs![0].ename, "TypeScriptError");
    assert.match(cells[3].outputs![0].evalue, /line 1, column 7: Type 'string' is not assignable to type 'number'/);
    assert.equal(streamText(cells[4]), "last 2\n");
    assert.equal(r.ok, false);
    assert.deepEqual(r.failures.map((f) => f.executionCount), [2, 4]);
    const aborted = r.cells.reduce((s, c) => s + c.aborts, 0);
    assert.ok(aborted >= 1, `tslab aborted and the executor retried (${aborted} aborts)`);
  });

  it("interrupts a cell past its timeout (the kernel keeps its state), and restarts a kernel that cannot answer it", async () => {
    const r = await executeNotebook(readNotebook(fixture("timeouts.ipynb")), { file: "timeouts.ipynb", allowErrors: true, interruptGrace: 3 });
    assertValid(r);
    const cells = codeCells(r);
    assert.equal(cells[1].outputs!.at(-1)!.ename, "CellTimeoutError");
    assert.match(cells[1].outputs!.at(-1)!.evalue, /^cell 3 \(id \w+\) did not finish within 2 s: interrupted$/);
    // no stray lines of Node's "interrupted" error ("code: 'ERR_SCRIPT_EXECUTION_INTERRUPTED'", "}"): frames only
    assert.ok(cells[1].outputs!.at(-1)!.traceback.every((l: string) => /^\s+at /.test(l)), JSON.stringify(cells[1].outputs!.at(-1)!.traceback));
    assert.equal(streamText(cells[2]), "kept 42\n", "after SIGINT the same kernel goes on");
    assert.match(cells[3].outputs!.at(-1)!.evalue, /^cell 5 \(id \w+\) did not finish within 2 s, and the kernel did not stop within 3 s of SIGINT: it was killed and restarted/);
    assert.equal(streamText(cells[4]), "after restart\n");
    assert.equal(r.kernelRestarts, 1);
    assert.deepEqual(r.failures.map((f) => f.status), ["timeout", "timeout"]);
  });

  it("reports a kernel that dies, naming the cell, and keeps what it printed", async () => {
    const r = await executeNotebook(readNotebook(fixture("exit.ipynb")), { file: "exit.ipynb" });
    assertValid(r);
    const cells = codeCells(r);
    assert.equal(streamText(cells[1]), "bye\n");
    const error = cells[1].outputs!.at(-1)!;
    assert.equal(error.ename, "DeadKernelError");
    assert.match(error.evalue, /^the kernel died \(exit code 3\) while running cell 3 \(id \w+\)$/);
    assert.equal(cells[2].execution_count, null);
    assert.deepEqual(r.failures.map((f) => f.status), ["died"]);
  });
});
