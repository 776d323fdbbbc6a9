import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { executeNotebook, resolveKernel } from "../../../tools/nbconvert-ts/src/execute/executor";
import { fixture, tempDir } from "./helpers";
import { assertValidNotebook, NotebookError, parseNotebook, readNotebook, schemaErrors, serializeNotebook, writeFileAtomic } from "@ts-course/notebook";

function errorOf(fn: () => unknown): NotebookError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NotebookError, `expected a NotebookError, got ${e}`);
    return e;
  }
  assert.fail("no error thrown");
}

describe("nbconvert-ts reading and validating notebooks", () => {
  it("names the file and the problem for malformed input", () => {
    const cases: [string, RegExp][] = [
      ["empty.ipynb", /empty\.ipynb: the file is empty/],
      ["bad-json.ipynb", /bad-json\.ipynb: not valid JSON: the file ends in the middle of the JSON \(line 4\)/],
      ["nbformat3.ipynb", /nbformat3\.ipynb: nbformat 3 is not supported: only nbformat 4 is read/],
      ["does-not-exist.ipynb", /does-not-exist\.ipynb: no such file/],
    ];
    for (const [name, pattern] of cases) assert.match(errorOf(() => readNotebook(fixture(name))).message, pattern);
    assert.match(errorOf(() => parseNotebook('{"cells": [}', "x.ipynb")).message, /x\.ipynb: not valid JSON: Unexpected token '}' at line 1, column 12/);
    assert.match(errorOf(() => parseNotebook("[1, 2]", "list.ipynb")).message, /not a notebook/);
    assert.match(errorOf(() => parseNotebook('{"a": 1}', "a.ipynb")).message, /no "nbformat" field/);
  });

  it("refuses a notebook without a kernelspec or for a kernel that is not here, before starting anything", async () => {
    const none = readNotebook(fixture("no-kernelspec.ipynb"));
    assert.match(errorOf(() => resolveKernel(none, "no-kernelspec.ipynb")).message, /no-kernelspec\.ipynb: metadata\.kernelspec is missing.*--kernel ts-course/);
    const python = readNotebook(fixture("python-kernel.ipynb"));
    assert.match(errorOf(() => resolveKernel(python, "python-kernel.ipynb")).message, /python-kernel\.ipynb: kernel "python3" is not available here \(kernels: .*ts-course/);
    await assert.rejects(executeNotebook(python, { file: "python-kernel.ipynb" }), /python-kernel\.ipynb: kernel "python3"/);
  });

  it("upgrades nbformat 4.0-4.4 in memory (cell ids) and validates sources against the 4.5 schema", () => {
    const old = JSON.parse(fs.readFileSync(fixture("errors.ipynb"), "utf8"));
    old.nbformat_minor = 4;
    for (const c of old.cells) delete c.id;
    const nb = parseNotebook(JSON.stringify(old), "old.ipynb");
    assert.equal(nb.nbformat_minor, 5);
    assert.ok(nb.cells.every((c) => typeof c.id === "string" && c.id.length > 0));
    assert.deepEqual(schemaErrors(nb), []);
    for (const f of ["showcase.ipynb", "errors.ipynb", "timeouts.ipynb", "exit.ipynb"]) assert.deepEqual(schemaErrors(readNotebook(fixture(f))), [], f);
  });

  it("reports schema errors per cell and per output, readably", () => {
    const nb = readNotebook(fixture("schema-invalid.ipynb"));
    assert.deepEqual(schemaErrors(nb), ["cells/0/outputs/0: must have required property 'name'"]);
    assert.throws(() => assertValidNotebook(nb, "schema-invalid.ipynb"), /schema-invalid\.ipynb: the notebook does not validate against the nbformat 4\.5 schema:\n  - cells\/0\/outputs\/0/);
    const numberTiming = readNotebook(fixture("errors.ipynb"));
    numberTiming.cells[1].metadata.execution = { "iopub.status.busy": 12 };
    assert.match(schemaErrors(numberTiming).join("\n"), /cells\/1\/metadata\/execution\/iopub\.status\.busy: must be string/);
  });

  it("writes atomically: the old file stays whole until the new one is complete, and no temporary file is left", () => {
    const dir = tempDir("atomic");
    const file = path.join(dir, "out.ipynb");
    writeFileAtomic(file, "old content");
    const nb = readNotebook(fixture("errors.ipynb"));
    writeFileAtomic(file, serializeNotebook(nb));
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), nb);
    assert.deepEqual(fs.readdirSync(dir), ["out.ipynb"]);
    // A write that fails (the target is a folder) leaves neither a partial file nor a temporary.
    fs.mkdirSync(path.join(dir, "folder.html"));
    assert.throws(() => writeFileAtomic(path.join(dir, "folder.html"), "x"));
    assert.deepEqual(fs.readdirSync(dir).sort(), ["folder.html", "out.ipynb"]);
  });
});
