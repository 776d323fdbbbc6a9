/** @ts-course/kernel: the course kernel (tslab at the checkout's root) and its kernelspec. */
export {
  COURSE_KERNEL_DISPLAY_NAME,
  COURSE_KERNEL_NAME,
  courseKernelDir,
  courseKernelSpec,
  courseNotebookMetadata,
  installCourseKernelSpec,
  projectJupyterPath,
  REPO_ROOT,
} from "./kernelspec";
export type { KernelSpec } from "./kernelspec";
