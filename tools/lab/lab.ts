/**
 * `npm run lab [-- options]`: JupyterLab at the repository root, with the course kernel.
 *
 * First run: creates .venv/ with the pinned requirements-lab.txt (a minute or two), writes the
 * kernelspec .jupyter/kernels/ts-course, then starts JupyterLab on 127.0.0.1. Later runs find
 * the environment up to date and start at once; a .venv copied or moved with its checkout is
 * made again (tools/lab/venv.ts). Options after a second `--` go to `jupyter lab` unchanged:
 *
 *   npm run lab -- --port 8899 --no-browser
 *   npm run lab -- --port 8899 -- --ServerApp.token=secret
 */
import { spawn } from "child_process";
import * as path from "path";
import { defineCommand, positiveInt, REPO_ROOT, runCommandLine } from "@ts-course/cli";
import { COURSE_KERNEL_DISPLAY_NAME, installCourseKernelSpec } from "@ts-course/kernel";
import { labLaunch } from "./server";
import { ensureLabVenv, LabSetupError } from "./venv";

const command = defineCommand({
  name: "npm run lab",
  summary: `JupyterLab at the repository root on 127.0.0.1, with the "${COURSE_KERNEL_DISPLAY_NAME}" kernel`,
  usage: "[-- [options] [-- <jupyter lab options>]]",
  options: {
    port: { type: "string", value: "n", help: "port to listen on (default 8888, or the next free one)" },
    "no-browser": { type: "boolean", help: "do not open a browser; open the printed URL yourself" },
  },
  epilog: [
    "The first run installs JupyterLab (pinned in requirements-lab.txt) into .venv/.",
    "Anything after a second -- goes to `jupyter lab` as it is.",
    "Environment:",
    "  COURSE_PYTHON    the Python used to create .venv (default: python3)",
    "  COURSE_TRAIN_SCALE, COURSE_BACKEND  passed on to the kernel (see lib/config.ts)",
  ].join("\n"),
});

/** Our own options before the first `--`, `jupyter lab`'s after it. */
export function splitArgs(argv: string[]): { own: string[]; jupyter: string[] } {
  const cut = argv.indexOf("--");
  return cut < 0 ? { own: argv, jupyter: [] } : { own: argv.slice(0, cut), jupyter: argv.slice(cut + 1) };
}

async function lab(values: { port?: string; "no-browser"?: boolean }, passThrough: string[]): Promise<number> {
  const port = positiveInt(values.port, "port");
  let venv;
  try {
    venv = await ensureLabVenv({ root: REPO_ROOT });
  } catch (e) {
    if (!(e instanceof LabSetupError)) throw e;
    console.error(`\n${e.message}`); // the message says what to do; the set-up failed: exit 1
    return 1;
  }
  if (venv.built) console.error(`JupyterLab is installed in ${path.relative(REPO_ROOT, venv.dir)}/.`);
  const kernelDir = installCourseKernelSpec(REPO_ROOT);
  console.error(`Course kernel "${COURSE_KERNEL_DISPLAY_NAME}": ${path.relative(REPO_ROOT, kernelDir)}/kernel.json`);

  const extraArgs = [...(port ? [`--port=${port}`] : []), ...(values["no-browser"] ? ["--no-browser"] : []), ...passThrough];
  const launch = labLaunch({ root: REPO_ROOT, jupyter: venv.jupyter, extraArgs });
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

if (require.main === module) {
  const { own, jupyter } = splitArgs(process.argv.slice(2));
  void runCommandLine(command, ({ values }) => lab(values, jupyter), own).then((code) => process.exit(code));
}
