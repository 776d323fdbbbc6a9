/**
 * The key of a staged student runtime (tools/hub/stage.ts): a stage is reused while what it holds
 * is unchanged and rebuilt when the venv, the extension, the packages or the preload change.
 * Staging itself, and a kernel running on the stage, are tested as root in spawn.class.ts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inPlaceRuntime, stageKey } from "../../tools/hub/stage";
import type { HubVenv } from "../../tools/hub/venv";

describe("the key of the students' staged runtime", () => {
  let repo: string;
  let venv: HubVenv;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "stage-key-"));
    write(".venv-hub/.course-lab-stamp.json", '{"requirementsSha256":"a"}');
    write("node_modules/.package-lock.json", '{"lockfileVersion":3}');
    write("node_modules/tslab/package.json", "{}");
    write("node_modules/@tensorflow/tfjs/package.json", "{}");
    write("tools/kernel/serialSend.cjs", "// preload");
    write("tools/hub/kernelWatch.cjs", "// watch");
    const dir = path.join(repo, ".venv-hub");
    venv = { dir, python: path.join(dir, "bin/python"), jupyter: path.join(dir, "bin/jupyter"), built: false, jupyterhub: path.join(dir, "bin/jupyterhub"), singleuser: path.join(dir, "bin/jupyterhub-singleuser") };
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));
  const key = () => stageKey(venv, inPlaceRuntime(venv, repo), false);

  it("stays while nothing changes, and changes with each thing a stage holds", () => {
    const first = key();
    assert.equal(key(), first);
    const seen = new Set([first]);
    const changes: [string, () => void][] = [
      ["venv rebuilt", () => write(".venv-hub/.course-lab-stamp.json", '{"requirementsSha256":"b"}')],
      ["extension rebuilt", () => write(".venv-hub/share/jupyter/labextensions/@ts-course/jupyterlab/course-build.json", '{"sourceHash":"x"}')],
      ["npm ci with another lock", () => write("node_modules/.package-lock.json", '{"lockfileVersion":3,"x":1}')],
      ["a scoped package reinstalled", () => fs.utimesSync(path.join(repo, "node_modules/@tensorflow/tfjs"), new Date(), new Date(Date.now() + 5000))],
      ["a package added outside the lock", () => write("node_modules/tfjs-node/package.json", "{}")],
      ["preload edited", () => write("tools/kernel/serialSend.cjs", "// preload 2")],
      ["kernel watch edited", () => write("tools/hub/kernelWatch.cjs", "// watch 2")],
    ];
    for (const [what, change] of changes) {
      change();
      const k = key();
      assert.ok(!seen.has(k), `${what}: the key did not change`);
      seen.add(k);
    }
  });
});
