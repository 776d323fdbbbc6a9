import { ESCAPE, HostileSubmission } from "./types";

/** Threat: read the hidden tests or the solutions (and use them if that worked). */
export const readSecrets: HostileSubmission = {
  name: "read-secrets",
  threat: "read the hidden tests or the solutions",
  honest: ["ae-vae-reparam", "tr-mlm-masking"],
  cells: {
    "gan-d-loss": `${ESCAPE}
const __fs: any = __require("fs");
let __stolen = "";
for (const f of [
  __repo + "/solutions/gans.ipynb",
  __repo + "/tests/autograder/hidden/gans.grade.ts",
  __repo + "/tests/autograder/hidden/reference.ts",
  __repo + "/tests/autograder/public/gans.grade.ts",
  __repo + "/package.json",
  "/proc/self/environ",
  "/proc/1/cmdline",
  "/etc/passwd",
]) {
  try { __stolen += __fs.readFileSync(f, "utf8"); } catch (e) {}
  try { __stolen += __fs.readdirSync(f + "/..").join(","); } catch (e) {}
}
try { __stolen += __require("child_process").execSync("cat " + __repo + "/solutions/gans.ipynb").toString(); } catch (e) {}
try { __stolen += JSON.stringify(__proc.env); } catch (e) {}

// Had the solution been readable, this would be the right answer.
function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  if (__stolen.includes("BEGIN SOLUTION") || __stolen.includes("softplus")) {
    return tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar);
  }
  return tf.scalar(NaN);
}`,
    "gan-step": `${ESCAPE}
function ganTrainingStep(generator: any, discriminator: any, gOptimizer: any, dOptimizer: any, real: any, noise: any): { dLoss: number; gLoss: number } {
  let spec = "";
  try { spec = __require("fs").readFileSync(__repo + "/tests/autograder/hidden/gans.grade.ts", "utf8"); } catch (e) {}
  if (spec) throw new Error("read the hidden spec: " + spec.slice(0, 200));
  return { dLoss: NaN, gLoss: NaN };
}`,
  },
};
