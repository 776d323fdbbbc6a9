/**
 * The browser test's assertions, without a browser: the error detector must see tslab's error
 * texts (which arrive as plain stderr) and ignore warnings, and each check must be able to fail.
 */
import { strict as assert } from "assert";
import { check, Expectations, isErrorOutput, summarise } from "./checks";
import type { CellInfo, NotebookRun, OutputInfo } from "./notebookRun";

const stderr = (text: string): OutputInfo => ({ mime: "application/vnd.jupyter.stderr", text, isPlotly: false, plotlyDrawn: false, hasTable: false, hasProgress: false });

function run(cells: Partial<CellInfo>[], extra: Partial<NotebookRun> = {}): NotebookRun {
  return {
    kernelLabel: "TypeScript (course)",
    sessionKernelName: "ts-course",
    cells: cells.map((c, index) => ({ index, prompt: "[1]:", source: "x", outputs: [], ...c })),
    maxProgressOutputsPerCell: 1,
    progress: [{ key: "0:0", texts: ["0/10", "5/10", "10/10"] }],
    runSeconds: 1,
    ...extra,
  };
}

const figure: OutputInfo = { mime: "", text: "loss", isPlotly: true, plotlyDrawn: true, hasTable: false, hasProgress: false };
const table: OutputInfo = { mime: "text/html", text: "digit count", isPlotly: false, plotlyDrawn: false, hasTable: true, hasProgress: false };
const all: Expectations = { figure: true, table: true, progressUpdates: 3 };

describe("e2e checks", () => {
  it("recognises tslab's error texts on stderr", () => {
    // Texts as tslab prints them (tslab/dist/executor.js printDiagnostics, console.error(e)).
    assert.ok(isErrorOutput(stderr("3:7 - Type 'string' is not assignable to type 'number'.")));
    assert.ok(isErrorOutput(stderr("lib/models/gan.ts 12:3 - Cannot find name 'foo'.")));
    assert.ok(isErrorOutput(stderr('evalmachine.<anonymous>:6\n    throw new Error("not implemented yet");\n\nError: not implemented yet\n    at Proxy.f (evalmachine.<anonymous>:6:11)')));
    assert.ok(isErrorOutput(stderr("TypeError: Cannot read properties of undefined (reading 'shape')")));
    assert.ok(isErrorOutput(stderr("unexpected error: Error: Unexpected pending rebuildTimer")));
    assert.ok(isErrorOutput({ ...stderr("boom"), mime: "application/vnd.jupyter.error" }));
  });

  it("does not take warnings or normal output for errors", () => {
    assert.ok(!isErrorOutput(stderr("Platform node has already been set. Overwriting the platform with node.")));
    assert.ok(!isErrorOutput(stderr("classifier: 150/150 (100%) 4.9s | loss 0.3654")));
    assert.ok(!isErrorOutput({ ...stderr("Error: this is stdout"), mime: "application/vnd.jupyter.stdout" }));
  });

  it("passes a clean run and fails each missing piece", () => {
    const good = run([{ outputs: [table] }, { outputs: [figure] }]);
    assert.deepEqual(check(good, summarise(good), all, []), []);

    const noFigure = run([{ outputs: [table] }]);
    assert.match(check(noFigure, summarise(noFigure), all, []).join(), /no plotly figure/);
    const collapsed = run([{ outputs: [table, { ...figure, plotlyDrawn: false }] }]);
    assert.match(check(collapsed, summarise(collapsed), all, []).join(), /not drawn/);
    const fallback = run([{ outputs: [table, figure, { ...stderr('[figure "loss": scatter]'), mime: "text/plain" }] }]);
    assert.match(check(fallback, summarise(fallback), all, []).join(), /not drawn/);
    const noTable = run([{ outputs: [figure] }]);
    assert.match(check(noTable, summarise(noTable), all, []).join(), /no DataFrame table/);
    const error = run([{ outputs: [table, figure, stderr("Error: boom\n    at f (x.ts:1:2)")] }]);
    assert.match(check(error, summarise(error), all, []).join(), /error output: cell 1: Error: boom/);
    const skipped = run([{ outputs: [table, figure] }, { prompt: "[ ]:" }]);
    assert.match(check(skipped, summarise(skipped), all, []).join(), /only 1 of 2 code cells ran/);
    const wrongKernel = run([{ outputs: [table, figure] }], { kernelLabel: "Python 3 (ipykernel)", sessionKernelName: "python3" });
    assert.equal(check(wrongKernel, summarise(wrongKernel), all, []).length, 2);
    const cdn = run([{ outputs: [table, figure] }]);
    assert.match(check(cdn, summarise(cdn), all, ["https://cdn.plot.ly/plotly.min.js"]).join(), /non-loopback/);
  });

  it("wants progress changed in place, not printed as new outputs", () => {
    const still = run([{ outputs: [table, figure] }], { progress: [{ key: "0:0", texts: ["0/10"] }] });
    assert.match(check(still, summarise(still), all, []).join(), /changed in place/);
    const lines = run([{ outputs: [table, figure] }], { maxProgressOutputsPerCell: 30 });
    assert.match(check(lines, summarise(lines), all, []).join(), /30 progress outputs/);
  });

  it("a negative control passes only when its expected error shows", () => {
    const expectError: Expectations = { figure: false, table: false, progressUpdates: 0, expectError: /not implemented yet/ };
    const withError = run([{ outputs: [stderr("Error: not implemented yet: auroc\n    at auroc (evalmachine.<anonymous>:3:9)")] }]);
    assert.deepEqual(check(withError, summarise(withError), expectError, []), []);
    const clean = run([{ outputs: [] }]);
    assert.match(check(clean, summarise(clean), expectError, []).join(), /expected an error/);
  });
});
