/** Shared by the nbconvert-ts specs: fixture paths, temporary folders, finding kernel processes. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export { REPO_ROOT as ROOT } from "@ts-course/cli";
import { REPO_ROOT as ROOT } from "@ts-course/cli";
export const FIXTURES = path.join(ROOT, "tests", "tools", "fixtures", "nbconvert");
/** The command as users run it: the shell launcher that starts bin/nbconvert-ts.cjs. */
export const CLI = path.join(ROOT, "tools", "nbconvert-ts", "bin", "nbconvert-ts");

export const fixture = (name: string) => path.join(FIXTURES, name);

const made: string[] = [];
// Removed when the test process ends; NBCONVERT_TS_KEEP_TMP=1 keeps them to look at after a failure.
process.once("exit", () => {
  if (process.env.NBCONVERT_TS_KEEP_TMP === "1") return;
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nbconvert-ts-${label}-`));
  made.push(dir);
  return dir;
}

/** Pids of the kernels started by process `parentPid` (launch.ts puts it in their environment). */
export function kernelsOf(parentPid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/\) Z /.test(stat)) continue; // a zombie is already dead
      if (env.includes(`NBCONVERT_TS_PARENT_PID=${parentPid}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** Text of a cell's stream outputs of one name. */
export function streamText(cell: { outputs?: any[] }, name = "stdout"): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text))
    .join("");
}
