/**
 * The shape of lib/, checked on its import graph:
 *   - the teaching library (every lib file but lib/index.ts and lib/accel/) imports nothing from
 *     lib/accel/, the room where speed lives: it runs the same maths without it;
 *   - models know nothing of training: lib/models/ imports nothing from lib/train/;
 *   - lib/ imports nothing outside lib/ but packages (not tools/, tests/ or bench/);
 *   - tests/ and bench/ do not import each other, and tools/ imports neither: fixtures both use
 *     live under tools/ (tools/grader/fixtures, tools/hub/fixtures).
 * Imports are read with TypeScript's own pre-processor: import, export … from, require(), import().
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "@ts-course/cli";
import * as ts from "typescript";

const LIB = path.join(REPO_ROOT, "lib");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : tsFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

interface Edge {
  from: string; // repository-relative
  to: string; // repository-relative file or folder for local imports, the package name otherwise
  local: boolean;
}

/** Every import of every .ts file under `dir`. */
function importEdges(dir: string): Edge[] {
  return tsFiles(dir).flatMap((file) => {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return info.importedFiles.map(({ fileName }) => {
      const local = fileName.startsWith(".");
      const to = local ? path.relative(REPO_ROOT, path.resolve(path.dirname(file), fileName)) : fileName;
      return { from: path.relative(REPO_ROOT, file), to, local };
    });
  });
}

const within = (p: string, folder: string) => p === folder || p.startsWith(folder + path.sep);
const describeEdges = (edges: Edge[]) => edges.map((e) => `${e.from} → ${e.to}`).join("\n    ");

describe("lib/'s import graph", () => {
  const edges = importEdges(LIB);

  it("reads the imports (the check is not vacuous)", () => {
    assert.ok(edges.length > 200, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from === "lib/index.ts" && within(e.to, "lib/accel")), "lib/index.ts should re-export initBackend from lib/accel");
    assert.ok(edges.some((e) => within(e.from, "lib/accel") && within(e.to, "lib/layers")), "lib/accel plugs into the teaching layers");
  });

  it("the teaching library imports nothing from lib/accel (only lib/index.ts re-exports it)", () => {
    const bad = edges.filter((e) => e.local && within(e.to, "lib/accel") && !within(e.from, "lib/accel") && e.from !== "lib/index.ts");
    assert.equal(bad.length, 0, `teaching code reaches into the accelerator room:\n    ${describeEdges(bad)}`);
  });

  it("models know nothing of training: lib/models imports nothing from lib/train", () => {
    const bad = edges.filter((e) => e.local && within(e.from, "lib/models") && within(e.to, "lib/train"));
    assert.equal(bad.length, 0, `models import training code:\n    ${describeEdges(bad)}`);
  });

  it("lib imports nothing outside lib but packages (no tools, tests or bench)", () => {
    const bad = edges.filter((e) => e.local && !within(e.to, "lib"));
    assert.equal(bad.length, 0, `lib reaches outside itself:\n    ${describeEdges(bad)}`);
  });

  it("lib's package imports are TensorFlow.js, Node and the course's declared dependencies", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const declared = new Set(Object.keys(pkg.dependencies));
    const optional = new Set(["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"]); // built by setup:native, never in package.json
    const nodeBuiltins = new Set(require("module").builtinModules as string[]);
    const packageOf = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    const bad = edges.filter((e) => !e.local && !declared.has(packageOf(e.to)) && !optional.has(packageOf(e.to)) && !nodeBuiltins.has(e.to.replace(/^node:/, "")));
    assert.equal(bad.length, 0, `undeclared packages:\n    ${describeEdges(bad)}`);
    const optionalUsers = edges.filter((e) => !e.local && optional.has(packageOf(e.to)) && !within(e.from, "lib/accel"));
    assert.equal(optionalUsers.length, 0, `only lib/accel may load the native packages:\n    ${describeEdges(optionalUsers)}`);
  });
});

describe("tests/ and bench/: neither imports the other, and nothing imports tests/", () => {
  const tests = importEdges(path.join(REPO_ROOT, "tests"));
  const bench = importEdges(path.join(REPO_ROOT, "bench"));
  const tools = importEdges(path.join(REPO_ROOT, "tools"));

  it("reads the imports of all three (the check is not vacuous)", () => {
    assert.ok(tests.some((e) => e.local && within(e.to, "tools")), "tests import tools");
    assert.ok(bench.some((e) => e.local && within(e.to, "tools/grader/fixtures")), "bench/autograde.bench.ts grades the shared fixtures in tools/grader/fixtures");
    assert.ok(tools.length > 200, `only ${tools.length} tool imports found`);
  });

  it("no spec or test helper imports bench/, and no bench imports tests/ (shared fixtures live under tools/)", () => {
    const bad = [...tests.filter((e) => e.local && within(e.to, "bench")), ...bench.filter((e) => e.local && within(e.to, "tests"))];
    assert.equal(bad.length, 0, `tests and benches import each other:\n    ${describeEdges(bad)}`);
  });

  it("tools/ imports nothing from tests/ or bench/ (imports run bench → tools → lib)", () => {
    const bad = tools.filter((e) => e.local && (within(e.to, "tests") || within(e.to, "bench")));
    assert.equal(bad.length, 0, `tools reach into tests or bench:\n    ${describeEdges(bad)}`);
  });
});
