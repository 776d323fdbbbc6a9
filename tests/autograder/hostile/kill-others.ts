import { ESCAPE, HostileSubmission } from "./types";

/** Threat: change someone else's score by killing the grader, its runner or another sandbox. */
export const killOthers: HostileSubmission = {
  name: "kill-others",
  threat: "change anyone else's score (kill the grader or other submissions' processes)",
  honest: ["ae-vae-kl", "tr-positional"],
  cells: {
    "gan-g-nonsat": `${ESCAPE}
const __victims = [__VICTIM__, __proc.ppid, 0, 1];
function __killAll() {
  for (const pid of __victims) {
    for (const sig of ["SIGKILL", "SIGTERM", "SIGSTOP"]) {
      try { __proc.kill(pid, sig); } catch (e) {}
      try { __proc._kill && __proc._kill(pid, 9); } catch (e) {}
    }
  }
}
__killAll();
function generatorLossNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  __killAll();
  return tf.scalar(NaN);
}`,
  },
};
