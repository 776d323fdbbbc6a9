import { strict as assert } from "assert";
import { errorFromStderr, runtimeError } from "../../../tools/nbconvert-ts/src/execute/errors";
import { DisplayRegistry, OutputCollector, splitLines } from "../../../tools/nbconvert-ts/src/execute/outputs";
import { Message, newHeader } from "../../../tools/nbconvert-ts/src/kernel/wire";

function msg(type: string, content: Record<string, unknown>): Message {
  return { header: newHeader(type, "s"), parent_header: {}, metadata: {}, content, buffers: [] };
}

// What tslab printed for these errors (recorded from the real kernel).
const THROWN = `evalmachine.<anonymous>:2
throw new Error('boom');
^

Error: boom
    at evalmachine.<anonymous>:2:7
    at evalmachine.<anonymous>:4:3
    at sigintHandlersWrap (node:vm:280:12)
    at Script.runInThisContext (node:vm:135:14)
    at Object.execute (/work/main/node_modules/tslab/dist/executor.js:160:38)
    at async ZmqServer.handleExecute (/work/main/node_modules/tslab/dist/jupyter.js:406:25) {
  code: 'E1'
}
`;

describe("nbconvert-ts errors and outputs", () => {
  it("turns a thrown error's text into name, value and a traceback without node and tslab frames", () => {
    const e = runtimeError(THROWN);
    assert.equal(e.ename, "Error");
    assert.equal(e.evalue, "boom");
    assert.deepEqual(e.traceback, ["throw new Error('boom');", "Error: boom", "    at evalmachine.<anonymous>:2:7", "    at evalmachine.<anonymous>:4:3", "{ code: 'E1' }"]);
    assert.deepEqual(runtimeError("TypeError: late\n    at Timeout._onTimeout (evalmachine.<anonymous>:3:73)\n    at listOnTimeout (node:internal/timers:581:17)\n"), {
      output_type: "error",
      ename: "TypeError",
      evalue: "late",
      traceback: ["TypeError: late", "    at Timeout._onTimeout (evalmachine.<anonymous>:3:73)"],
    });
    const multi = runtimeError("Error: multi\nline\n    at evalmachine.<anonymous>:3:11\n");
    assert.equal(multi.evalue, "multi\nline");
    assert.equal(runtimeError("Error\n    at x (evalmachine.<anonymous>:1:1)\n").ename, "Error");
    assert.deepEqual(runtimeError("just a string\n"), { output_type: "error", ename: "Error", evalue: "just a string", traceback: ["Error: just a string"] });
  });

  it("collects TypeScript diagnostics into one TypeScriptError", () => {
    const e = errorFromStderr(["1:5 - Type 'string' is not assignable to type 'number'.\n", "1:26 - Cannot find name 'x'.\n"]);
    assert.equal(e.ename, "TypeScriptError");
    assert.equal(e.evalue, "2 errors: line 1, column 5: Type 'string' is not assignable to type 'number'.; line 1, column 26: Cannot find name 'x'.");
    assert.equal(errorFromStderr(["/work/main/lib/x.ts 3:7 - Oops.\n"]).evalue, "/work/main/lib/x.ts line 3, column 7: Oops.");
    // A chained message: tslab repeats the position and drops the file after the first line.
    const chained = errorFromStderr(
      ["lib/train/loop.ts 199:5 - Type 'A' is not assignable to type 'B'.\n", "199:5 - Type 'void' is not assignable to type 'B'.\n"],
      5,
    );
    assert.equal(chained.evalue, "lib/train/loop.ts line 199, column 5: Type 'A' is not assignable to type 'B'.");
    assert.deepEqual(chained.traceback, ["lib/train/loop.ts line 199, column 5: Type 'A' is not assignable to type 'B'.", "    Type 'void' is not assignable to type 'B'."]);
    const lost = errorFromStderr(["199:5 - Type 'A' is not assignable.\n", "199:5 - Because.\n"], 5);
    assert.equal(lost.evalue, "line 199, column 5 of an imported file (tslab does not say which): Type 'A' is not assignable.");
  });

  it("merges streams, cuts the error out of stderr, and keeps earlier warnings", () => {
    const c = new OutputCollector(new Map(), 3);
    c.handle(msg("stream", { name: "stdout", text: "a\n" }));
    c.handle(msg("stream", { name: "stdout", text: "b\n" }));
    c.handle(msg("stream", { name: "stderr", text: "warning\n" }));
    c.handle(msg("stream", { name: "stderr", text: THROWN }));
    const error = c.takeErrorFromStderr()!;
    assert.equal(error.evalue, "boom");
    assert.deepEqual(c.outputs, [
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "warning\n" },
    ]);
    const d = new OutputCollector();
    d.handle(msg("stream", { name: "stderr", text: "1:1 - Cannot find name 'q'.\n" }));
    assert.equal(d.takeErrorFromStderr()!.ename, "TypeScriptError");
    assert.deepEqual(d.outputs, [], "an emptied stderr output is removed");
  });

  it("updates displays in place by display_id, across cells, and honours clear_output", () => {
    const displays: DisplayRegistry = new Map();
    const first = new OutputCollector(displays, 1);
    first.handle(msg("display_data", { data: { "text/plain": "step 1" }, metadata: {}, transient: { display_id: "p" } }));
    const second = new OutputCollector(displays, 2);
    second.handle(msg("update_display_data", { data: { "text/plain": "done" }, metadata: {}, transient: { display_id: "p" } }));
    assert.deepEqual(first.outputs, [{ output_type: "display_data", data: { "text/plain": "done" }, metadata: {} }]);
    assert.deepEqual(second.outputs, []);
    const c = new OutputCollector();
    c.handle(msg("stream", { name: "stdout", text: "old" }));
    c.handle(msg("clear_output", { wait: true }));
    assert.equal(c.outputs.length, 1, "clear_output(wait) waits for the next output");
    c.handle(msg("stream", { name: "stdout", text: "new" }));
    assert.deepEqual(c.outputs, [{ output_type: "stream", name: "stdout", text: "new" }]);
    c.handle(msg("execute_result", { data: { "text/plain": "3" }, metadata: {} }));
    assert.equal((c.outputs[1] as { execution_count: number | null }).execution_count, null);
  });

  it("stores multi-line text as lines that keep their newline", () => {
    assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
    assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
    assert.deepEqual(splitLines(""), []);
  });
});
