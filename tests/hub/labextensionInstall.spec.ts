/**
 * How the hub installs the course's JupyterLab extension (tools/labextension/install.ts): its
 * npm pins follow the JupyterLab that requirements-lab.txt pins, the "up to date" decision
 * depends on the sources alone (not on where the checkout is), and an installed, current build
 * is left alone while a current build missing from a venv is copied in without rebuilding.
 * The build itself (npm ci, tsc, @jupyter/builder) runs in `npm run test:hub`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXTENSION_DIR, ensureLabExtension, findCorePackageFile, labextensionsDir, sourceHash } from "../../tools/labextension/install";

const ROOT = path.resolve(__dirname, "..", "..");
const SOURCES = ["package.json", "package-lock.json", "tsconfig.json", "src", "style", "schema"];

function copySources(to: string): string {
  for (const entry of SOURCES) fs.cpSync(path.join(EXTENSION_DIR, entry), path.join(to, entry), { recursive: true });
  return to;
}

/** A venv with nothing but JupyterLab's core package.json where the builder reads it. */
function fakeVenv(dir: string): string {
  const staging = path.join(dir, "lib", "python3.11", "site-packages", "jupyterlab", "staging");
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, "package.json"), JSON.stringify({ name: "@jupyterlab/application-top", version: "4.6.6" }));
  return dir;
}

describe("the course's JupyterLab extension install (labextension)", () => {
  let scratch: string;
  beforeEach(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), "course-labext-spec-"))));
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("pins the JupyterLab packages of the JupyterLab that requirements-lab.txt pins", () => {
    const lab = /^jupyterlab==(\S+)/m.exec(fs.readFileSync(path.join(ROOT, "requirements-lab.txt"), "utf8"))?.[1];
    const pkg = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, "package.json"), "utf8"));
    assert.equal(pkg.dependencies["@jupyterlab/application"], lab, "bump tools/labextension/package.json with requirements-lab.txt");
    assert.equal(pkg.dependencies["@jupyterlab/notebook"], lab);
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      assert.match(String(version), /^\d+\.\d+\.\d+$/, `${name} is pinned exactly`);
    }
    const lock = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, "package-lock.json"), "utf8"));
    assert.equal(lock.packages["node_modules/@jupyterlab/application"].version, lab, "package-lock.json is current: run npm install in tools/labextension");
  });

  it("hashes the sources the same from any checkout folder, and differently when a source changes", () => {
    const venv = fakeVenv(path.join(scratch, "venv"));
    const core = findCorePackageFile(venv);
    const a = copySources(path.join(scratch, "a"));
    const b = copySources(path.join(scratch, "somewhere", "else", "b"));
    assert.equal(sourceHash(a, core), sourceHash(b, core));
    assert.equal(sourceHash(a, core), sourceHash(EXTENSION_DIR, core), "build output and node_modules do not count");
    fs.mkdirSync(path.join(a, "build"), { recursive: true });
    fs.writeFileSync(path.join(a, "build", "x.js"), "1");
    assert.equal(sourceHash(a, core), sourceHash(b, core), "build/ does not count");
    fs.appendFileSync(path.join(b, "src", "format.ts"), "\n// changed\n");
    assert.notEqual(sourceHash(a, core), sourceHash(b, core));
  });

  it("rebuilds when JupyterLab changes", () => {
    const venv = fakeVenv(path.join(scratch, "venv"));
    const core = findCorePackageFile(venv);
    const a = copySources(path.join(scratch, "a"));
    const before = sourceHash(a, core);
    fs.writeFileSync(core, JSON.stringify({ name: "@jupyterlab/application-top", version: "4.6.7" }));
    assert.notEqual(sourceHash(a, core), before);
  });

  it("leaves a current install alone, and copies a current build into a venv that lacks it without building", async () => {
    const venv = fakeVenv(path.join(scratch, "venv"));
    const ext = copySources(path.join(scratch, "ext"));
    const hash = sourceHash(ext, findCorePackageFile(venv));
    // A finished build (as the builder leaves it) with its stamp; no node_modules, so a rebuild would fail.
    const build = path.join(ext, "build", "labextension");
    fs.mkdirSync(path.join(build, "static"), { recursive: true });
    fs.writeFileSync(path.join(build, "package.json"), "{}");
    fs.writeFileSync(path.join(build, "static", "remoteEntry.js"), "/* built */");
    fs.writeFileSync(path.join(build, "course-build.json"), JSON.stringify({ sourceHash: hash, builtAt: "x" }));
    const lines: string[] = [];
    const first = await ensureLabExtension(venv, { extensionDir: ext, log: (l) => lines.push(l) });
    assert.deepEqual([first.built, first.installed], [false, true]);
    assert.equal(first.installedDir, labextensionsDir(venv));
    assert.equal(first.installedDir, path.join(venv, "share", "jupyter", "labextensions", "@ts-course", "jupyterlab"));
    assert.equal(fs.readFileSync(path.join(first.installedDir, "static", "remoteEntry.js"), "utf8"), "/* built */");
    assert.ok(fs.existsSync(path.join(first.installedDir, "install.json")));
    const second = await ensureLabExtension(venv, { extensionDir: ext, log: (l) => lines.push(l) });
    assert.deepEqual([second.built, second.installed], [false, false]);
    // No stray folders from the atomic swap.
    assert.deepEqual(fs.readdirSync(path.dirname(first.installedDir)), ["jupyterlab"]);
  });

  it("names the fix when the venv has no JupyterLab", () => {
    assert.throws(() => findCorePackageFile(path.join(scratch, "empty")), /No JupyterLab in .*Create the venv first/);
  });
});
