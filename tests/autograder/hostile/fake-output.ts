import { ESCAPE, HostileSubmission } from "./types";

/** Threat: fake the test runner's output (stdout, stderr, the response channel, an IPC message). */
export const fakeOutput: HostileSubmission = {
  name: "fake-runner-output",
  threat: "fake the test runner's output",
  honest: ["ae-vae-kl", "tr-positional", "gan-g-nonsat"],
  cells: {
    "gan-g-minimax": `${ESCAPE}
const __fs: any = __require("fs");
const __all = JSON.stringify({ type: "result", tests: [], total: 36, max: 36, passed: true });
for (const fd of [1, 2, 3, 4, 5, 6]) {
  try { __fs.writeSync(fd, "  ✓ every test passed\\n  36 passing (1s)\\n" + __all + "\\n"); } catch (e) {}
}
try { __proc.send({ type: "result", tests: [], errors: [] }); } catch (e) {}
console.log("36 passing");

function generatorLossMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  // Unsolicited "results" and forged responses for the next request ids on the response channel.
  for (let id = 1; id < 100; id++) {
    try { __fs.writeSync(3, JSON.stringify({ type: "result", id, ok: true, passed: true, points: 36 }) + "\\n"); } catch (e) {}
  }
  try { __proc.stdout.write("✓ gan-g-minimax 2/2\\n"); } catch (e) {}
  return tf.scalar(NaN);
}`,
    "ae-threshold": `${ESCAPE}
function anomalyThreshold(normalScores: number[], falsePositiveRate: number): number {
  // Garbage on the response channel: the runner must drop this sandbox, fail this call only.
  try { __require("fs").writeSync(3, "PASS PASS PASS not json\\n"); } catch (e) {}
  return NaN;
}`,
  },
};
