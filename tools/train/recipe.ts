/** What the training commands write into a checkpoint's recipe.json about the run itself. */
import { execSync } from "child_process";
import * as os from "os";
import { REPO_ROOT } from "@ts-course/cli";

/** The commit the run was made from, or null outside a git checkout. */
export function gitCommit(): string | null {
  try {
    return execSync("git rev-parse HEAD", { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return null;
  }
}

/** CPU seconds this process has used since `start` (all its threads). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The machine and its load at the end: wall-clock seconds mean little on a shared machine without it. */
export function machineLoad(): { cpus: number; cpuModel: string | undefined; loadAverageAtEnd: number[] } {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))) };
}
