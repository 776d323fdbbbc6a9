/**
 * The one notebook model (tools/notebook, @ts-course/notebook): what every reader of notebooks can
 * rely on after readNotebook, atomic writes that reach the disk, and the same answers the grader's
 * own reader gives on the course's notebooks (so switching the grader over changes nothing).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "@ts-course/cli";
import { codeSources, gradedCells, gradeMark, makeNotebook, NotebookError, parseNotebook, readNotebook, serializeNotebook, stripSolutions, writeFileAtomic, writeNotebook } from "@ts-course/notebook";
import { REPO_ROOT } from "@ts-course/cli";
import { tempDir } from "../nbconvert/helpers";

function problem(text: string): string {
  try {
    parseNotebook(text, "x.ipynb");
  } catch (e) {
    assert.ok(e instanceof NotebookError && e instanceof InputError, `a NotebookError (bad input, exit 2), got ${e}`);
    return e.message;
  }
  return assert.fail("accepted");
}

const nb = (cells: unknown) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

describe("tools/notebook: the one notebook model", () => {
  it("checks the structure every tool relies on, naming the file and the cell", () => {
    assert.equal(problem(nb([null])), "x.ipynb: cell 1 is not an object");
    assert.equal(problem(nb([{ cell_type: "code", source: "", metadata: {} }, { source: "" }])), "x.ipynb: cell 2 has no cell_type");
    assert.match(problem(nb([{ cell_type: "heading", source: "" }])), /cell 1 has cell_type "heading" \(expected code, markdown, raw\)/);
    assert.match(problem(nb([{ cell_type: "code", source: 42 }])), /cell 1 has a source that is neither a string nor a list of strings/);
    assert.match(problem(nb([{ cell_type: "code", source: ["a", 1] }])), /neither a string nor a list of strings/);
    assert.match(problem(nb([{ cell_type: "code", source: "", outputs: [null] }])), /cell 1 has "outputs" that are not a list of objects/);
    assert.match(problem(nb([{ cell_type: "code", source: "", metadata: [] }])), /cell 1 has a "metadata" that is not an object/);
    assert.match(problem('{"nbformat": 4, "cells": [], "metadata": 3}'), /its "metadata" is not an object/);
    assert.match(problem(`{"nbformat": ${"[".repeat(5)}1${"]".repeat(5)}, "cells": []}`), /nbformat \[\[\[\[\[1\]\]\]\]\] is not supported/);
  });

  it("reads a missing metadata as empty, and upgrades 4.0-4.4 with the same cell ids every time", () => {
    const old = JSON.stringify({ nbformat: 4, nbformat_minor: 4, cells: [{ cell_type: "code", source: "a" }, { cell_type: "code", source: "a" }, { cell_type: "markdown", source: "b", id: "kept" }] });
    const a = parseNotebook(old);
    const b = parseNotebook(old);
    assert.deepEqual(a.metadata, {});
    assert.deepEqual(a.cells[0].metadata, {});
    assert.equal(a.nbformat_minor, 5);
    assert.deepEqual(a.cells.map((c) => c.id), b.cells.map((c) => c.id), "deterministic");
    assert.equal(new Set(a.cells.map((c) => c.id)).size, 3, "unique");
    assert.equal(a.cells[2].id, "kept");
  });

  it("writes atomically and flushes the file and its folder to disk", () => {
    const dir = tempDir("fsync");
    const file = path.join(dir, "sub", "nb.ipynb");
    // Count the flushes on Node's own fs module (the writer's import reads through to it).
    const nodeFs = require("fs") as typeof fs;
    const synced: number[] = [];
    const real = nodeFs.fsyncSync;
    nodeFs.fsyncSync = (fd: number) => {
      synced.push(fd);
      return real(fd);
    };
    try {
      writeNotebook(file, makeNotebook([{ type: "code", source: "1 + 1" }]));
    } finally {
      nodeFs.fsyncSync = real;
    }
    assert.equal(synced.length, 2, "the temporary file before the rename, the folder after it");
    assert.equal(fs.readFileSync(file, "utf8"), serializeNotebook(readNotebook(file)));
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["nb.ipynb"], "no temporary file left");
    assert.throws(() => writeFileAtomic(path.join(dir, "sub"), "x"), /EISDIR|directory/);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["nb.ipynb"]);
  });

  it("strips solution regions the way the exercises do, loading TypeScript only then", () => {
    const source = "function square(x: number) {\n  // BEGIN SOLUTION\n  return x * x;\n  // END SOLUTION\n}";
    assert.equal(stripSolutions(source, "sq"), 'function square(x: number) {\n  // YOUR CODE HERE\n  throw new Error("not implemented yet: square (exercise sq)");\n}');
  });
});
