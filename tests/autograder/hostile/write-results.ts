import { ESCAPE, HostileSubmission } from "./types";

/** Threat: write the results, or anything else (grades, specs, the grader), to change a score. */
export const writeResults: HostileSubmission = {
  name: "write-results",
  threat: "write the results / change its own or anyone's score through the file system",
  honest: ["ae-sparse-l1", "tr-text", "gan-g-minimax"],
  cells: {
    "gan-d-loss": `${ESCAPE}
const __fs: any = __require("fs");
const __targets = [
  __repo + "/build/autograde/grades.csv",
  "__MARKER__/grades.csv",
  "__MARKER__/pwned-write.txt",
  __repo + "/tests/autograder/hidden/gans.grade.ts",
  __repo + "/tests/autograder/public/gans.grade.ts",
  __repo + "/tools/grader/grade.ts",
  __repo + "/exercises/exercises.json",
  "/tmp/pwned-write.txt",
];
for (const t of __targets) {
  try { __fs.writeFileSync(t, "describe('all passed', () => {});\\n"); } catch (e) {}
  try { __fs.appendFileSync(t, "\\n// pwned\\n"); } catch (e) {}
}
try { __fs.mkdirSync("__MARKER__/pwned-dir"); } catch (e) {}
try { __fs.symlinkSync("/etc/passwd", "__MARKER__/pwned-link"); } catch (e) {}

function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  for (const t of __targets) { try { __fs.writeFileSync(t, "pwned at call time"); } catch (e) {} }
  // and markup in the message, for the feedback page
  throw new Error("<img src=x onerror=alert(1)><script>alert(1)</script>");
}`,
  },
};
