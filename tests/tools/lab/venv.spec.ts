/**
 * `npm run lab`'s .venv after its checkout was copied or moved (#22): every script of a venv
 * names the venv's Python by absolute path, so a copied venv runs the original's Python (and a
 * moved one nothing). The lab sees such a venv as out of date and makes it again in place.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scriptInterpreter, venvIsUpToDate, venvMovedFrom, venvPaths } from "../../../tools/lab/venv";
import { tempDir } from "../nbconvert/helpers";

describe("npm run lab: a .venv copied or moved with its checkout", function () {
  this.timeout(180_000);
  let original = "";

  before(function () {
    const probe = spawnSync("python3", ["-c", "import venv, ensurepip"], { stdio: "ignore" });
    if (probe.status !== 0) {
      console.log("      skipped: python3 with venv/ensurepip is needed (apt-get install python3-venv)");
      this.skip();
    }
    original = path.join(tempDir("lab-venv"), "course");
    fs.mkdirSync(original);
    // A real venv (pip included, no network): pip's own script stands for jupyter's, same #! line.
    const made = spawnSync("python3", ["-m", "venv", path.join(original, ".venv")], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const { jupyter, stamp } = venvPaths(path.join(original, ".venv"));
    fs.copyFileSync(path.join(path.dirname(jupyter), "pip"), jupyter);
    fs.writeFileSync(path.join(original, "requirements-lab.txt"), "jupyterlab==4.6.6\n");
    const sha = require("crypto").createHash("sha256").update(fs.readFileSync(path.join(original, "requirements-lab.txt"))).digest("hex");
    fs.writeFileSync(stamp, JSON.stringify({ requirementsSha256: sha, python: "3", builtAt: new Date().toISOString() }));
  });

  it("is up to date where it was made", () => {
    const venv = path.join(original, ".venv");
    assert.equal(path.dirname(scriptInterpreter(venvPaths(venv).jupyter)!), path.join(venv, "bin"), "its scripts name its own Python");
    assert.equal(venvMovedFrom(venv), null);
    assert.equal(venvIsUpToDate(venv, path.join(original, "requirements-lab.txt")), true);
  });

  it("is seen as made elsewhere once copied (cp -a), and so out of date, while the original stays up to date", () => {
    const copy = `${original}-copy`;
    assert.equal(spawnSync("cp", ["-a", original, copy]).status, 0);
    const venv = path.join(copy, ".venv");
    assert.equal(venvMovedFrom(venv), path.join(original, ".venv"));
    assert.equal(venvIsUpToDate(venv, path.join(copy, "requirements-lab.txt")), false, "npm run lab makes it again");
    assert.equal(venvIsUpToDate(path.join(original, ".venv"), path.join(original, "requirements-lab.txt")), true);
  });

  it("is seen as moved when the original is gone", () => {
    const moved = `${original}-moved`;
    assert.equal(spawnSync("cp", ["-a", original, moved]).status, 0);
    const gone = `${original}-gone`;
    fs.renameSync(original, gone);
    try {
      assert.equal(venvMovedFrom(path.join(moved, ".venv")), path.join(original, ".venv"));
      assert.equal(venvIsUpToDate(path.join(moved, ".venv"), path.join(moved, "requirements-lab.txt")), false);
    } finally {
      fs.renameSync(gone, original);
    }
  });
});
