/**
 * Finding the kernel a notebook asks for (`metadata.kernelspec.name`).
 *
 * Only the project's own kernels are searched: the folders of JUPYTER_PATH, then the
 * repository's `.jupyter/` (where tools/kernel/kernelspec.ts writes the course kernel).
 * The course kernel `ts-course` is written on first use when it is missing, so a fresh
 * checkout needs no setup step. A notebook for another kernel (python3, …) is refused
 * with an error that says which kernels exist.
 */
import * as fs from "fs";
import * as path from "path";
import { COURSE_KERNEL_NAME, installCourseKernelSpec, KernelSpec, projectJupyterPath, REPO_ROOT } from "../../../kernel/kernelspec";

export interface FoundKernelSpec {
  name: string;
  /** The kernel.json file it came from. */
  file: string;
  spec: KernelSpec;
}

export function kernelSearchDirs(root = REPO_ROOT): string[] {
  const fromEnv = (process.env.JUPYTER_PATH ?? "").split(path.delimiter).filter(Boolean);
  return [...fromEnv, projectJupyterPath(root)].map((d) => path.join(d, "kernels"));
}

/** The names of every kernel found in the search folders. */
export function availableKernels(root = REPO_ROOT): string[] {
  const names = new Set<string>([COURSE_KERNEL_NAME]);
  for (const dir of kernelSearchDirs(root)) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) if (fs.existsSync(path.join(dir, name, "kernel.json"))) names.add(name);
  }
  return [...names].sort();
}

export function findKernelSpec(name: string, root = REPO_ROOT): FoundKernelSpec {
  for (const dir of kernelSearchDirs(root)) {
    const file = path.join(dir, name, "kernel.json");
    if (fs.existsSync(file)) return { name, file, spec: readSpec(file) };
  }
  if (name === COURSE_KERNEL_NAME) {
    const dir = installCourseKernelSpec(root);
    const file = path.join(dir, "kernel.json");
    return { name, file, spec: readSpec(file) };
  }
  throw new Error(
    `kernel "${name}" is not available here (kernels: ${availableKernels(root).join(", ")}; searched ${kernelSearchDirs(root).join(", ")})`,
  );
}

function readSpec(file: string): KernelSpec {
  let spec: KernelSpec;
  try {
    spec = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`kernelspec ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.some((a) => a.includes("{connection_file}"))) {
    throw new Error(`kernelspec ${file} has no argv with {connection_file}`);
  }
  return spec;
}
