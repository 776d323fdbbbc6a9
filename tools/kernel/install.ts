/**
 * `npx tsx tools/kernel/install.ts`: writes the course kernelspec into the checkout's own
 * `.jupyter/kernels/ts-course/` (npm run lab and nbconvert-ts do it themselves when needed).
 */
import * as path from "path";
import { defineCommand, REPO_ROOT, runCommand } from "@ts-course/cli";
import { COURSE_KERNEL_NAME, installCourseKernelSpec } from "./kernelspec";

const command = defineCommand({
  name: "tools/kernel/install.ts",
  summary: `write the course kernelspec "${COURSE_KERNEL_NAME}" into this checkout's .jupyter/ (never the global Jupyter)`,
  options: {},
});

runCommand(command, () => {
  const dir = installCourseKernelSpec(REPO_ROOT);
  console.log(`kernelspec "${COURSE_KERNEL_NAME}": ${path.relative(process.cwd(), dir) || dir}/kernel.json`);
  return 0;
});
