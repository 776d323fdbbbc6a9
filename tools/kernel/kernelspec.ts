/**
 * The course kernel: tslab started at the repository root.
 *
 * tslab type-checks and compiles local `.ts` imports only under its working directory
 * (its rootDir), so the kernel must start at the root for every notebook, wherever it sits,
 * to import the library as `./lib/...`. The kernelspec is written into the project's own
 * Jupyter data folder (`<root>/.jupyter/kernels/ts-course/`), never into the user's global one.
 *
 * It names no absolute path: Jupyter (and nbconvert-ts) substitute `{resource_dir}`, the
 * kernelspec's own folder, and the root is three levels above it. So a copied, moved or renamed
 * checkout runs its own kernel with nothing re-run, and never the original's.
 *
 * Kernelspec format: https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, writeFileAtomic } from "@ts-course/cli";

export { REPO_ROOT };

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

/** The project's own Jupyter data folder; `npm run lab` points JUPYTER_PATH at it. */
export function projectJupyterPath(root = REPO_ROOT): string {
  return path.join(root, ".jupyter");
}

/** Where the course kernelspec lives: `<root>/.jupyter/kernels/ts-course`. */
export function courseKernelDir(root = REPO_ROOT): string {
  return path.join(projectJupyterPath(root), "kernels", COURSE_KERNEL_NAME);
}

/**
 * The script the kernelspec runs with `sh -c`: $0 is the connection file, $1 the kernelspec's
 * folder. It finds the checkout from $1, refuses clearly when the kernelspec was copied out of
 * one, and starts tslab there with the send queue preloaded (serialSend.cjs: without it tslab
 * loses messages or dies).
 */
const KERNEL_SCRIPT = [
  'root=$(cd "$1/../../.." 2>/dev/null && pwd -P)',
  'if [ -z "$root" ] || [ ! -f "$root/tools/kernel/serialSend.cjs" ] || [ ! -f "$root/node_modules/tslab/bin/tslab" ]; then',
  `  echo "${COURSE_KERNEL_NAME}: this kernelspec ($1) must sit in <course checkout>/.jupyter/kernels/${COURSE_KERNEL_NAME}, in a checkout with node_modules (npm ci); found none at \${root:-?}" >&2`,
  "  exit 1",
  "fi",
  'cd "$root" && COURSE_ROOT="$root" exec node --require ./tools/kernel/serialSend.cjs ./node_modules/tslab/bin/tslab kernel --config-path "$0"',
].join("\n");

export function courseKernelSpec(): KernelSpec {
  return {
    argv: ["sh", "-c", KERNEL_SCRIPT, "{connection_file}", "{resource_dir}"],
    display_name: COURSE_KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal", // tslab answers no interrupt_request: only SIGINT stops a cell
    metadata: { course: true },
  };
}

/**
 * Makes sure `.jupyter/kernels/ts-course/kernel.json` is the current one (written atomically,
 * and only when it differs, so an up-to-date checkout is not touched) and returns its folder.
 */
export function installCourseKernelSpec(root = REPO_ROOT): string {
  if (!fs.existsSync(path.join(root, "node_modules", "tslab", "package.json"))) {
    throw new Error(`tslab is not installed under ${root}/node_modules. Run \`npm ci\` at the repository root first.`);
  }
  const dir = courseKernelDir(root);
  const file = path.join(dir, "kernel.json");
  const text = JSON.stringify(courseKernelSpec(), null, 2) + "\n";
  let current: string | null = null;
  try {
    current = fs.readFileSync(file, "utf8");
  } catch {
    // not written yet
  }
  if (current !== text) writeFileAtomic(file, text);
  return dir;
}

/** The notebook metadata that selects the course kernel. */
export function courseNotebookMetadata() {
  return {
    kernelspec: { name: COURSE_KERNEL_NAME, display_name: COURSE_KERNEL_DISPLAY_NAME, language: "typescript" },
    language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
  };
}
