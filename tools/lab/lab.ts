/**
 * `npm run lab [-- options]`: JupyterLab at the repository root, with the course kernel.
 *
 * First run: creates .venv/ with the pinned requirements-lab.txt (a minute or two), writes the
 * kernelspec .jupyter/kernels/ts-course, then starts JupyterLab on 127.0.0.1. Later runs find
 * the environment up to date and start at once. Options after `--` go to `jupyter lab`:
 *
 *   npm run lab -- --port=8899 --no-browser
 */
import { spawn } from "child_process";
import * as path from "path";
import { COURSE_KERNEL_DISPLAY_NAME, installCourseKernelSpec, REPO_ROOT } from "../kernel/kernelspec";
import { labLaunch } from "./server";
import { ensureLabVenv, LabSetupError } from "./venv";

const USAGE = `Usage: npm run lab [-- <jupyter lab options>]

Starts JupyterLab at the repository root on 127.0.0.1 with the "${COURSE_KERNEL_DISPLAY_NAME}" kernel.
The first run installs JupyterLab (pinned in requirements-lab.txt) into .venv/.

Common options:
  --port=<n>       port to listen on (default 8888, or the next free one)
  --no-browser     do not open a browser; open the printed URL yourself
Environment:
  COURSE_PYTHON    the Python used to create .venv (default: python3)
  COURSE_TRAIN_SCALE, COURSE_BACKEND  passed on to the kernel (see lib/config.ts)`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const venv = await ensureLabVenv({ root: REPO_ROOT });
  if (venv.built) console.error(`JupyterLab is installed in ${path.relative(REPO_ROOT, venv.dir)}/.`);
  const kernelDir = installCourseKernelSpec(REPO_ROOT);
  console.error(`Course kernel "${COURSE_KERNEL_DISPLAY_NAME}": ${path.relative(REPO_ROOT, kernelDir)}/kernel.json`);

  const launch = labLaunch({ root: REPO_ROOT, jupyter: venv.jupyter, extraArgs: normaliseArgs(argv) });
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: "inherit" });
  // Ctrl-C reaches JupyterLab directly (same terminal process group); it asks to confirm and
  // shuts its kernels down. We only wait for it, and pass on signals sent to us alone.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", forward("SIGTERM"));
  process.on("SIGHUP", forward("SIGHUP"));
  return new Promise((resolve) => {
    child.on("error", (e) => {
      console.error(`Could not start ${launch.command}: ${e.message}. Remove .venv/ and run \`npm run lab\` again.`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1)));
  });
}

/** Accepts `--port 8899` as well as `--port=8899` (and a bare port number). */
function normaliseArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^\d+$/.test(a)) out.push(`--port=${a}`);
    else if ((a === "--port" || a === "--ip") && i + 1 < argv.length) out.push(`${a}=${argv[++i]}`);
    else out.push(a);
  }
  return out;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof LabSetupError) console.error(`\n${e.message}`);
    else console.error(e);
    process.exit(1);
  },
);
