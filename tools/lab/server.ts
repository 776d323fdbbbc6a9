/**
 * How the course starts JupyterLab: which command, which arguments, which environment.
 * Shared by `npm run lab` (tools/lab/lab.ts) and the browser test (tests/e2e), so that the
 * test exercises the same start-up a student gets.
 */
import * as path from "path";
import { projectJupyterPath } from "@ts-course/kernel";

export interface LabLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface LabLaunchOptions {
  root: string;
  /** The venv's `jupyter` launcher. */
  jupyter: string;
  /** Extra `jupyter lab` options; later options override the defaults. */
  extraArgs?: string[];
  /** Extra environment (e.g. COURSE_TRAIN_SCALE for the kernel, or isolated settings dirs). */
  env?: NodeJS.ProcessEnv;
}

export function labLaunch(options: LabLaunchOptions): LabLaunch {
  const { root } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // The project's own Jupyter data folder comes first, so its kernels/ts-course is found
  // without installing anything into the user's global Jupyter.
  const jupyterPath = projectJupyterPath(root);
  env.JUPYTER_PATH = env.JUPYTER_PATH ? `${jupyterPath}${path.delimiter}${env.JUPYTER_PATH}` : jupyterPath;
  // The kernel runs node_modules/.bin/tslab, a `#!/usr/bin/env node` script: keep this node on PATH.
  const nodeDir = path.dirname(process.execPath);
  const pathList = (env.PATH ?? "").split(path.delimiter);
  if (!pathList.includes(nodeDir)) env.PATH = [nodeDir, ...pathList.filter(Boolean)].join(path.delimiter);
  return {
    command: options.jupyter,
    args: [
      "lab",
      "--ip=127.0.0.1", // loopback only: the course server is for this machine
      `--ServerApp.root_dir=${root}`,
      // Jupyter refuses to run as root without this; containers and CI run as root.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
      ...(options.extraArgs ?? []),
    ],
    env,
    cwd: root,
  };
}
