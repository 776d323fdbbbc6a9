/**
 * Where the checkout lives must not change a grade.
 *
 * A copy of this checkout (`cp -a`, as an instructor starts a new term from last term's folder) is
 * placed under a folder of mode 700, like /root: grading as root, the sandbox runs as nobody, which
 * cannot enter it. In the copy, `npm run check`, `submit` and `autograde` must give the solutions
 * full marks (the grader stages what the sandbox needs where nobody can read it), must not read or
 * write anything of the original checkout (whose build/ the copy carries along), and must keep
 * working after the copy is moved. When nothing readable can be staged, grading is refused with a
 * message that says what to do: never zeros for everyone.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { detectIsolation } from "../../tools/grader/isolation";
import { REPO_ROOT } from "../../tools/grader/paths";
import { readRegistry } from "../../tools/grader/registry";

/** Every file under `dir` (not following links) with its size and modification time. */
function snapshot(dir: string, skip = new Set(["node_modules", ".git"])): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      if (skip.has(e.name)) continue;
      const full = path.join(d, e.name);
      const st = fs.lstatSync(full);
      out.set(path.relative(dir, full), `${st.size}:${st.mtimeMs}`);
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [f, v] of after) if (before.get(f) !== v) diff.push(`${before.has(f) ? "changed" : "created"}: ${f}`);
  for (const f of before.keys()) if (!after.has(f)) diff.push(`removed: ${f}`);
  return diff;
}

const stageOf = (checkout: string) => path.join(os.tmpdir(), `course-grader-${process.getuid?.() ?? "user"}`, crypto.createHash("sha256").update(fs.realpathSync(checkout)).digest("hex").slice(0, 12));

describe("a copied checkout under a folder that only its owner can enter", function () {
  this.timeout(600_000);
  const asRoot = detectIsolation().dropToNobody;
  let outer = "";
  let copy = "";
  let original = new Map<string, string>();
  let originalStage = new Map<string, string>();
  const stages: string[] = [];

  /** Runs a grader command of the copy, in the copy. */
  const run = (cwd: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}, node = process.execPath) => {
    const r = spawnSync(node, ["--require", "tsx/cjs", path.join(cwd, "tools", "grader", script), ...args], {
      cwd,
      encoding: "utf8",
      timeout: 300_000,
      env: { ...process.env, COURSE_GRADER_FORCE_STAGE: "", NO_COLOR: "1", ...env },
    });
    return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
  };

  before(function () {
    outer = fs.mkdtempSync(path.join(os.tmpdir(), "course-private-"));
    fs.chmodSync(outer, 0o700);
    copy = path.join(outer, "course");
    fs.mkdirSync(copy);
    const parts = ["package.json", "tsconfig.json", "tools", "lib", "tests", "exercises", "solutions", "build"].filter((p) => fs.existsSync(path.join(REPO_ROOT, p)));
    const cp = spawnSync("cp", ["-a", ...parts.map((p) => path.join(REPO_ROOT, p)), copy]);
    assert.equal(cp.status, 0, String(cp.stderr));
    // node_modules by hard links (the same files, reached through the private folder); a copy elsewhere.
    const nm = spawnSync("cp", ["-al", path.join(REPO_ROOT, "node_modules"), copy]);
    if (nm.status !== 0) assert.equal(spawnSync("cp", ["-a", path.join(REPO_ROOT, "node_modules"), copy]).status, 0);
    original = snapshot(REPO_ROOT);
    originalStage = snapshot(stageOf(REPO_ROOT));
    stages.push(stageOf(copy));
  });

  after(() => {
    if (outer) fs.rmSync(outer, { recursive: true, force: true });
    for (const s of stages) fs.rmSync(s, { recursive: true, force: true });
  });

  it("check, submit and autograde give the solutions full marks there", function () {
    const check = run(copy, "check.ts", [path.join(copy, "solutions", "gans.ipynb")]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /Public tests: 7\/7 pass/);
    if (asRoot) assert.match(check.out, /staged in /, "grading as root from a private folder, the runtime must be staged");
    const submit = run(copy, "submit.ts", ["--student", "alice", "--dir", path.join(copy, "solutions")]);
    assert.equal(submit.code, 0, submit.out);
    const archives = fs.readdirSync(path.join(copy, "build", "submissions"));
    assert.equal(archives.length, 1);
    const grade = run(copy, "autograde.ts", [path.join(copy, "build", "submissions"), "--out", path.join(copy, "build", "autograde"), "--jobs", "1"]);
    assert.equal(grade.code, 0, grade.out);
    const csv = fs.readFileSync(path.join(copy, "build", "autograde", "grades.csv"), "utf8").split("\n");
    const total = readRegistry().exercises.flatMap((e) => e.graded).reduce((t, g) => t + g.points, 0);
    assert.match(csv[1], new RegExp(`^alice,[^,]*,${total},${total},100,`), csv.join("\n"));
  });

  it("reads and writes nothing of the checkout it was copied from, and compiles its own runtime", () => {
    assert.deepEqual(differences(original, snapshot(REPO_ROOT)), []);
    assert.deepEqual(differences(originalStage, snapshot(stageOf(REPO_ROOT))), []);
    const mine = fs.readdirSync(path.join(copy, "build", "grader", "runtime"));
    const theirs = fs.existsSync(path.join(REPO_ROOT, "build", "grader", "runtime")) ? fs.readdirSync(path.join(REPO_ROOT, "build", "grader", "runtime")) : [];
    assert.ok(mine.some((k) => !theirs.includes(k)), "the copy used the runtime compiled for the original");
  });

  it("keeps working after the checkout is moved (staging forced, whoever runs this), and leaves the old place alone", () => {
    const moved = path.join(outer, "moved");
    fs.renameSync(copy, moved);
    stages.push(stageOf(moved));
    const check = run(moved, "check.ts", [path.join(moved, "solutions", "autoencoders.ipynb")], { COURSE_GRADER_FORCE_STAGE: "1" });
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /Public tests: 7\/7 pass/);
    assert.match(check.out, /staged in /);
    assert.ok(!fs.existsSync(copy), "something was written at the checkout's old place");
    assert.ok(fs.existsSync(path.join(stageOf(moved))), "the moved checkout staged under its own key");
    copy = moved;
  });

  it("stages Node itself when the sandbox's user cannot run the Node that grades", function () {
    if (!asRoot) this.skip();
    const bin = path.join(outer, "bin");
    fs.mkdirSync(bin);
    const node = path.join(bin, "node");
    try {
      fs.linkSync(process.execPath, node);
    } catch {
      fs.copyFileSync(process.execPath, node);
      fs.chmodSync(node, 0o755);
    }
    const check = run(copy, "check.ts", ["gans"], {}, node);
    assert.match(check.out, /staged in (\S+)/, check.out);
    const staged = /staged in (\S+)/.exec(check.out)![1];
    assert.ok(fs.existsSync(path.join(staged, "node")), "Node was not staged");
    assert.match(check.out, /Public tests: 0\/7 pass/, "the untouched exercise is graded (every test ran and failed on its stub)");
    assert.doesNotMatch(check.out, /checker itself had a problem/);
  });

  it("refuses to grade, saying what to do, when the sandbox's user could read nothing it stages", function () {
    if (!asRoot) this.skip(); // only a sandbox that runs as another user can be locked out
    const locked = fs.mkdtempSync(path.join(outer, "stage-"));
    fs.chmodSync(locked, 0o700);
    const check = run(copy, "check.ts", ["gans"], { COURSE_GRADER_STAGE_DIR: locked });
    assert.notEqual(check.code, 0);
    assert.match(check.out, /user nobody, which cannot read/);
    assert.match(check.out, /COURSE_GRADER_STAGE_DIR/);
    assert.doesNotMatch(check.out, /Public tests:/, "it graded anyway");
  });
});
