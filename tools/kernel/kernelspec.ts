/**
 * The course kernel: tslab started at the repository root.
 *
 * tslab type-checks and compiles local `.ts` imports only under its working directory
 * (its rootDir), so the kernel must start at the root for every notebook, wherever it sits,
 * to import the library as `./lib/...`. The kernelspec is written into the project's own
 * Jupyter data folder (`.jupyter/`), never into the user's global one.
 *
 * Kernelspec format: https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
 */
import * as fs from "fs";
import * as path from "path";

export const COURSE_KERNEL_NAME = "ts-course";
export const COURSE_KERNEL_DISPLAY_NAME = "TypeScript (course)";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env?: Record<string, string>;
  interrupt_mode?: "signal" | "message";
  metadata?: Record<string, unknown>;
}

/** The repository root: the folder that holds this project's package.json. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The project's own Jupyter data folder; `npm run lab` points JUPYTER_PATH at it. */
export function projectJupyterPath(root = REPO_ROOT): string {
  return path.join(root, ".jupyter");
}

export function courseKernelSpec(root = REPO_ROOT): KernelSpec {
  const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
  // One ZeroMQ send at a time per socket: without it tslab loses messages or dies (serialSend.cjs).
  const preload = path.join(root, "tools", "kernel", "serialSend.cjs");
  // `sh -c script $0`: the connection file arrives as $0, so paths with spaces survive.
  const script = `cd ${shellQuote(root)} && exec node --require ${shellQuote(preload)} ${shellQuote(tslab)} kernel --config-path "$0"`;
  return {
    argv: ["sh", "-c", script, "{connection_file}"],
    display_name: COURSE_KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal", // tslab answers no interrupt_request: only SIGINT stops a cell
    env: { COURSE_ROOT: root },
    metadata: { course: true },
  };
}

/** Writes `.jupyter/kernels/ts-course/kernel.json` (atomically) and returns its folder. */
export function installCourseKernelSpec(root = REPO_ROOT): string {
  const tslab = path.join(root, "node_modules", "tslab", "package.json");
  if (!fs.existsSync(tslab)) {
    throw new Error(`tslab is not installed under ${root}/node_modules. Run \`npm ci\` at the repository root first.`);
  }
  const dir = path.join(projectJupyterPath(root), "kernels", COURSE_KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "kernel.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(courseKernelSpec(root), null, 2) + "\n");
  fs.renameSync(tmp, file);
  return dir;
}

/** The notebook metadata that selects the course kernel. */
export function courseNotebookMetadata() {
  return {
    kernelspec: { name: COURSE_KERNEL_NAME, display_name: COURSE_KERNEL_DISPLAY_NAME, language: "typescript" },
    language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) {
  console.log(`installed kernelspec "${COURSE_KERNEL_NAME}" in ${installCourseKernelSpec()}`);
}
