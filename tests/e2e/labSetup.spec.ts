/**
 * `npm run lab`'s set-up logic without starting JupyterLab: the up-to-date test of .venv, and the
 * messages a user gets when Python is missing or pip fails.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../tools/kernel/kernelspec";
import { labLaunch } from "../../tools/lab/server";
import { ensureLabVenv, findPython, LabSetupError, venvIsUpToDate } from "../../tools/lab/venv";

describe("npm run lab set-up", () => {
  let scratch = "";
  const savedPython = process.env.COURSE_PYTHON;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "course-lab-spec-"));
  });
  afterEach(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (savedPython === undefined) delete process.env.COURSE_PYTHON;
    else process.env.COURSE_PYTHON = savedPython;
  });

  it("names the fix when no Python is found", () => {
    process.env.COURSE_PYTHON = path.join(scratch, "no-such-python");
    assert.throws(
      () => findPython(),
      (e: unknown) => e instanceof LabSetupError && /not found/.test(e.message) && /apt-get install python3 python3-venv/.test(e.message) && /COURSE_PYTHON=/.test(e.message),
    );
  });

  it("rejects a Python that is too old, saying which version it needs", () => {
    const fake = path.join(scratch, "python-old");
    fs.writeFileSync(fake, "#!/bin/sh\necho 3.8.10\n", { mode: 0o755 });
    process.env.COURSE_PYTHON = fake;
    assert.throws(() => findPython(), (e: unknown) => e instanceof LabSetupError && /3\.8\.10 is too old/.test(e.message) && /3\.10/.test(e.message));
  });

  it("says how to restore a missing requirements file", async () => {
    await assert.rejects(
      ensureLabVenv({ root: scratch, log: () => undefined }),
      (e: unknown) => e instanceof LabSetupError && /requirements-lab\.txt is missing/.test(e.message),
    );
  });

  it("reports a failed pip install with pip's own lines and the fix", async function () {
    this.timeout(180_000);
    try {
      findPython();
    } catch {
      this.skip(); // no Python here: the message above is what a user would see
    }
    // An invalid requirement: pip fails at once, without any network.
    const requirements = path.join(scratch, "requirements-lab.txt");
    fs.writeFileSync(requirements, "jupyterlab===not a version!\n");
    await assert.rejects(
      ensureLabVenv({ root: scratch, requirements, dir: path.join(scratch, ".venv"), log: () => undefined, showPipOutput: false }),
      (e: unknown) =>
        e instanceof LabSetupError && /pip could not install requirements-lab\.txt/.test(e.message) && /  \| /.test(e.message) && /run `npm run lab` again/.test(e.message),
    );
    assert.equal(venvIsUpToDate(path.join(scratch, ".venv"), requirements), false, "a failed install must not be stamped up to date");
  });

  it("sees the project .venv as up to date only for the requirements it was built from", function () {
    const requirements = path.join(REPO_ROOT, "requirements-lab.txt");
    const venv = path.join(REPO_ROOT, ".venv");
    if (!venvIsUpToDate(venv, requirements)) this.skip(); // not built on this machine yet (npm run lab builds it)
    const changed = path.join(scratch, "requirements-lab.txt");
    fs.writeFileSync(changed, fs.readFileSync(requirements, "utf8") + "\n# changed\n");
    assert.equal(venvIsUpToDate(venv, changed), false);
  });

  it("starts JupyterLab on loopback at the root with the project's Jupyter path first", () => {
    const launch = labLaunch({ root: "/r", jupyter: "/r/.venv/bin/jupyter", extraArgs: ["--port=9999"], env: { JUPYTER_PATH: "/elsewhere" } });
    assert.deepEqual(launch.args.slice(0, 3), ["lab", "--ip=127.0.0.1", "--ServerApp.root_dir=/r"]);
    assert.equal(launch.args[launch.args.length - 1], "--port=9999");
    assert.equal(launch.env.JUPYTER_PATH, `/r/.jupyter${path.delimiter}/elsewhere`);
    assert.equal(launch.cwd, "/r");
  });
});
