/**
 * A copied checkout works on itself only (#22): an instructor starts a new term with
 * `cp -a course course-copy`, and everything run in the copy must read and write the copy, never
 * the original (the esbuild bundle once baked the original's paths in, and ran them).
 *
 * The original here is this checkout, left as a user leaves it (a CLI bundle and caches in
 * .cache/, the kernelspec in .jupyter/, handouts and executed notebooks), and snapshotted; the copy
 * runs the course's commands as a user runs them (`npm run …` in the copy); then the original
 * must be exactly as it was (every file and folder under it but node_modules and .git: size,
 * modification time, inode), and each command's results must be in the copy. A last round runs
 * with the original hidden behind an empty folder (a mount namespace), as after a move: nothing
 * may need it, and nothing may be written where it was.
 *
 * The grader's commands (`npm run check`/`submit`/`autograde`) run in the copy too, before the
 * original is compared; tests/autograder/checkout.spec.ts checks grading in a copy under a private
 * (700) folder and after a move in more detail.
 */
import { strict as assert } from "assert";
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { COURSE_KERNEL_NAME, installCourseKernelSpec } from "@ts-course/kernel";
import { readNotebook } from "@ts-course/notebook";
import { CLI, ROOT, tempDir } from "./nbconvert/helpers";

type Snapshot = Map<string, string>;

/** Every file, folder and link under `root` but node_modules and .git: its size, mtime and inode. */
function snapshot(root: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      if (rel === "node_modules" || rel === ".git") continue;
      const st = fs.lstatSync(full);
      out.set(rel, `${entry.isDirectory() ? "dir" : entry.isSymbolicLink() ? "link" : "file"} ${st.size} ${st.mtimeMs} ${st.ino}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

function changes(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => `${k}: ${before.get(k) ?? "(none)"} → ${after.get(k) ?? "(gone)"}`);
}

/** The environment of a user's shell: none of this test's npm variables or Jupyter paths. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|INIT_CWD$|JUPYTER_PATH$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cwd: string, command: string, args: string[], extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: userEnv(extra), timeout: 600_000 });
  assert.equal(r.status, 0, `${command} ${args.join(" ")} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const mountNamespaces = spawnSync("unshare", ["-m", "true"]).status === 0;

describe("a copied checkout (cp -a) reads and writes only itself (#22)", function () {
  this.timeout(20 * 60_000);
  let copy = "";
  let original: Snapshot;

  before(function () {
    // The original as a user leaves it: the bundle and the validators built, the kernelspec written.
    run(ROOT, CLI, ["validate", path.join(ROOT, "lectures", "smoke.ipynb")]);
    installCourseKernelSpec(ROOT);
    original = snapshot(ROOT);
    copy = path.join(tempDir("copied-checkout"), "course-copy");
    const cp = spawnSync("cp", ["-a", ROOT, copy], { encoding: "utf8" });
    assert.equal(cp.status, 0, cp.stderr);
    copy = fs.realpathSync(copy);
  });

  it("npm run handouts (smoke, COURSE_TRAIN_SCALE=0.05): the copy's lectures, kernel and handouts", () => {
    const r = run(copy, "npm", ["run", "handouts", "--", "--only", "smoke", "--scale", "0.05", "--quiet"]);
    assert.match(r.stdout, /summary: 1 notebooks, \d+ cells, 0 cell errors, 0 failed/);
    assert.match(r.stdout, /→ handouts\/index\.html/);
    for (const f of ["handouts/index.html", "handouts/smoke.html", "build/executed/smoke.ipynb"]) {
      const file = path.join(copy, f);
      assert.ok(fs.existsSync(file) && fs.statSync(file).mtimeMs > Date.now() - 600_000, `${f} was written in the copy`);
    }
  });

  it("npm run nb -- run: the kernel starts at the copy's root; outputs go to the copy's build/", () => {
    run(copy, "npm", ["run", "nb", "--", "run", "tests/tools/fixtures/nbconvert/where.ipynb", "--quiet"]);
    const executed = readNotebook(path.join(copy, "build", "executed", "where.ipynb"));
    const printed = JSON.stringify(executed.cells[1].outputs);
    assert.ok(printed.includes(`cwd ${copy}\\n`), printed);
    assert.ok(printed.includes(`COURSE_ROOT ${copy}\\n`), printed);
    assert.ok(fs.existsSync(path.join(copy, "build", "html", "where.html")));
  });

  it("npm run lab's kernelspec: the copy's names no path of either checkout, and npm run lab leaves it as it is", () => {
    const file = path.join(copy, ".jupyter", "kernels", COURSE_KERNEL_NAME, "kernel.json");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes(ROOT) && !text.includes(copy), text);
    const mtime = fs.statSync(file).mtimeMs;
    // what npm run lab does before it starts JupyterLab (tools/lab/lab.ts)
    run(copy, "npx", ["tsx", "tools/kernel/install.ts"]);
    assert.equal(fs.readFileSync(file, "utf8"), text);
    assert.equal(fs.statSync(file).mtimeMs, mtime, "an up-to-date kernelspec is not rewritten");
  });

  it("with the original hidden (as after a move), the copy still executes and exports, writing nothing where the original was", function () {
    if (!mountNamespaces) {
      console.log("      skipped: no mount namespaces here (unshare -m)");
      this.skip();
    }
    // An empty tmpfs over the original, for these commands only; afterwards it must still be empty.
    const script = [
      "set -e",
      `mount -t tmpfs none ${JSON.stringify(ROOT)}`,
      `cd ${JSON.stringify(copy)}`,
      "npm run -s nb -- execute tests/tools/fixtures/nbconvert/where.ipynb -o build/moved/where.ipynb --quiet",
      "npm run -s nb -- export build/moved/where.ipynb -o build/moved/where.html",
      "npm run -s nb -- export tests/tools/fixtures/nbconvert/showcase.ipynb -o build/moved/showcase.html --untrusted",
      `echo "left where the original was: [$(find ${JSON.stringify(ROOT)} -mindepth 1 | head -5 | tr '\\n' ' ')]"`,
    ].join("\n");
    const r = run(copy, "unshare", ["-m", "sh", "-c", script]);
    assert.match(r.stdout, /left where the original was: \[\]/);
    assert.ok(JSON.stringify(readNotebook(path.join(copy, "build", "moved", "where.ipynb")).cells[1].outputs).includes(`cwd ${copy}\\n`));
    for (const f of ["where.html", "showcase.html"]) assert.ok(fs.existsSync(path.join(copy, "build", "moved", f)), f);
  });

  it("npm run check / submit / autograde in the copy: full marks, the copy's own runtime and reports", () => {
    // The grader stages its runtime outside the checkout when the sandbox's user cannot enter it
    // (this copy's parent is mode 700): into a throwaway folder here, not the machine's /tmp.
    // tests/autograder/checkout.spec.ts covers the rest: a private parent, a move, staging Node.
    const stage = tempDir("copied-checkout-stage");
    fs.chmodSync(stage, 0o755);
    const env = { COURSE_GRADER_STAGE_DIR: stage, NO_COLOR: "1" };
    const check = run(copy, "npm", ["run", "check", "--", "solutions/gans.ipynb"], env);
    assert.match(check.stdout + check.stderr, /Public tests: 7\/7 pass/);
    run(copy, "npm", ["run", "submit", "--", "--student", "alice", "--dir", "solutions"], env);
    const submissions = path.join(copy, "build", "submissions");
    const archive = fs.readdirSync(submissions).filter((f) => f.startsWith("alice-")).map((f) => path.join(submissions, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    assert.ok(archive && fs.statSync(archive).mtimeMs > Date.now() - 600_000, "submit wrote its archive in the copy");
    run(copy, "npm", ["run", "autograde", "--", archive, "--out", "build/copied-autograde", "--jobs", "1"], env);
    const csv = fs.readFileSync(path.join(copy, "build", "copied-autograde", "grades.csv"), "utf8").split("\n");
    assert.match(csv[1], /^alice,[^,]*,50,50,100,/, csv.join("\n"));
    assert.ok(fs.readdirSync(path.join(copy, "build", "grader", "runtime")).length > 0, "the copy compiled its grader runtime in its own build/");
  });

  it("left the original exactly as it was (no file or folder under it changed, appeared or went)", () => {
    assert.deepEqual(changes(original, snapshot(ROOT)), []);
  });
});
