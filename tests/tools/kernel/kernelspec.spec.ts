/**
 * The course kernelspec names no path (#22): it finds its checkout from its own folder, which
 * Jupyter substitutes for {resource_dir} (jupyter_client's KernelManager.format_kernel_cmd, and
 * nbconvert-ts's kernelArgv), and refuses clearly when it was copied out of a checkout.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { COURSE_KERNEL_NAME, courseKernelSpec, installCourseKernelSpec, REPO_ROOT } from "@ts-course/kernel";
import { kernelArgv } from "../../../tools/nbconvert-ts/src/kernel/kernelspec";
import { tempDir } from "../nbconvert/helpers";

describe("the course kernelspec", () => {
  it("names no absolute path, and is rewritten only when it differs", () => {
    // a checkout of its own (node_modules borrowed), so this checkout's .jupyter is left alone
    const root = tempDir("kernelspec-root");
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
    const dir = installCourseKernelSpec(root);
    const file = path.join(dir, "kernel.json");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes(REPO_ROOT) && !text.includes(root), text);
    assert.deepEqual(JSON.parse(text).argv.slice(-2), ["{connection_file}", "{resource_dir}"]);
    const stale = { ...courseKernelSpec(), argv: ["sh", "-c", `cd '${REPO_ROOT}-old' && exec tslab kernel --config-path "$0"`, "{connection_file}"] };
    fs.writeFileSync(file, JSON.stringify(stale));
    installCourseKernelSpec(root);
    assert.equal(fs.readFileSync(file, "utf8"), text, "a stale kernelspec (an older one, or one that names another checkout) is replaced");
    const mtime = fs.statSync(file).mtimeMs;
    installCourseKernelSpec(root);
    assert.equal(fs.statSync(file).mtimeMs, mtime, "an up-to-date one is left alone");
  });

  it("copied out of a checkout, it refuses with a message saying where it must sit", () => {
    const elsewhere = path.join(tempDir("kernelspec"), "kernels", COURSE_KERNEL_NAME);
    fs.mkdirSync(elsewhere, { recursive: true });
    fs.writeFileSync(path.join(elsewhere, "kernel.json"), JSON.stringify(courseKernelSpec()));
    const argv = kernelArgv({ name: COURSE_KERNEL_NAME, file: path.join(elsewhere, "kernel.json"), spec: courseKernelSpec() }, "/nonexistent/connection.json");
    const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ts-course: this kernelspec \(.*\) must sit in <course checkout>\/\.jupyter\/kernels\/ts-course, in a checkout with node_modules \(npm ci\)/);
  });
});
