/**
 * Finding the kernel a notebook asks for (`metadata.kernelspec.name`).
 *
 * The course kernel `ts-course` is always this checkout's own (`.jupyter/kernels/ts-course`,
 * rewritten when it is missing or out of date), so a fresh, copied or moved checkout needs no
 * setup step and never runs another checkout's kernel. A notebook saved with tslab's own
 * kernelspec (`tslab`, what `tslab install` writes) runs on the course kernel too, which is tslab
 * with the course's fixes. Other kernels are searched in the folders of JUPYTER_PATH, then the
 * checkout's `.jupyter/`; a notebook for a kernel that is not there (python3, …) is refused with
 * an error that says which kernels exist and how to pick one.
 */
import * as fs from "fs";
import * as path from "path";
import { COURSE_KERNEL_NAME, installCourseKernelSpec, KernelSpec, projectJupyterPath, REPO_ROOT } from "@ts-course/kernel";

export interface FoundKernelSpec {
  name: string;
  /** The kernel.json file it came from. */
  file: string;
  spec: KernelSpec;
  /** Set when the notebook asked for another name that runs on this kernel. */
  mappedFrom?: string;
}

/** Kernelspec names that run on the course kernel. */
export const COURSE_KERNEL_ALIASES = new Set(["tslab"]);

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
  if (name === COURSE_KERNEL_NAME || COURSE_KERNEL_ALIASES.has(name)) {
    const file = path.join(installCourseKernelSpec(root), "kernel.json");
    return { name: COURSE_KERNEL_NAME, file, spec: readSpec(file), mappedFrom: name === COURSE_KERNEL_NAME ? undefined : name };
  }
  for (const dir of kernelSearchDirs(root)) {
    const file = path.join(dir, name, "kernel.json");
    if (fs.existsSync(file)) return { name, file, spec: readSpec(file) };
  }
  throw new Error(
    `kernel "${name}" is not available here (kernels: ${availableKernels(root).join(", ")}); ` +
      `to run it on the course kernel, pass --kernel ${COURSE_KERNEL_NAME}`,
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

/** The command line of a kernelspec with Jupyter's substitutions made. */
export function kernelArgv(found: FoundKernelSpec, connectionFile: string): string[] {
  const values: Record<string, string> = { connection_file: connectionFile, resource_dir: path.dirname(found.file) };
  return found.spec.argv.map((a) => a.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => values[key] ?? whole));
}
