/**
 * `npm run setup:native`: builds and installs the native TensorFlow backend
 * (@tensorflow/tfjs-node 4.22) from registry pieces only, no other download host:
 *
 *   1. PyPI: the `tensorflow-cpu` wheel (Linux x86-64; `tensorflow` on Linux arm64). It ships
 *      libtensorflow_cc.so.2, which exports TensorFlow's C and eager C API (TF_*, TFE_*), and
 *      libtensorflow_framework.so.2, plus the C API headers under tensorflow/include.
 *   2. npm: the @tensorflow/tfjs-node tarball (its binding's C++ source and binding.gyp), and the
 *      two small packages its JavaScript needs at run time (google-protobuf, progress).
 *   3. node-gyp (bundled with npm) compiles the binding against those headers and libraries,
 *      with Node's own headers (found next to the node binary, e.g. /usr/include/node), so
 *      node-gyp never tries to download them.
 *   4. The result goes to node_modules/@tensorflow/tfjs-node, NOT into package.json: `npm ci`
 *      does not need it (and removes it: run this again after `npm ci`). tfjs-node requires
 *      our single @tensorflow/tfjs, so it registers the "tensorflow" backend in the same engine.
 *   5. Checks it: COURSE_BACKEND=node starts, and a product matches the wasm backend's.
 *
 * The binding finds its package's native addon through @mapbox/node-pre-gyp's `find`; that
 * package only computes a path, so a 3-line stand-in is installed instead of it and its 60
 * dependencies (see SHIM below).
 *
 * Options: --prefix <dir>  install into <dir>/node_modules instead (use with NODE_PATH=<dir>/node_modules)
 *          --tf <version>  TensorFlow wheel version (default 2.21.0)
 *          --keep          keep build/native/work (the wheel and the build tree)
 *          --check-only    only run step 5
 *
 * Needs: python3 with pip, g++, make (build-essential), Node's headers. Time on this 2-core
 * machine: see docs/backends.md.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defineCommand, REPO_ROOT, runCommand } from "@ts-course/cli";

const TFJS_NODE_VERSION = "4.22.0";
// Runtime dependencies of tfjs-node's dist/ (its other dependencies serve only its install script).
const RUNTIME_DEPS = ["google-protobuf@3.21.4", "progress@2.0.3"];
const SHIM = `// Stand-in for @mapbox/node-pre-gyp, written by tools/native/setup.ts: tfjs-node only calls
// find() to locate its addon, which setup.ts built into lib/napi-v8.
const path = require("path");
exports.find = (packageJson) => path.join(path.dirname(packageJson), "lib", "napi-v8", "tfjs_binding.node");
`;
const KERNELS_DIR = path.join(REPO_ROOT, "tools/native/kernels");
const PACKAGE_NOTE = "Built by tools/native/setup.ts from the tensorflow-cpu wheel; not in package.json on purpose.";

interface Options {
  prefix: string;
  tf: string;
  keep: boolean;
  checkOnly: boolean;
}

const command = defineCommand({
  name: "npm run setup:native",
  summary: "build and install @tensorflow/tfjs-node from the tensorflow-cpu wheel (registries only)",
  usage: "[options]",
  options: {
    prefix: { type: "string", value: "dir", help: "install into <dir>/node_modules instead (use with NODE_PATH=<dir>/node_modules)" },
    tf: { type: "string", value: "version", help: "TensorFlow wheel version (default 2.21.0)" },
    keep: { type: "boolean", help: "keep build/native/work (the wheel and the build tree)" },
    "check-only": { type: "boolean", help: "only check the installed backend (step 5)" },
  },
  epilog: "Needs python3 with pip, g++ and make, and Node's headers. See docs/backends.md.",
});

const started = Date.now();
function step(message: string): void {
  console.log(`[setup:native ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`);
  }
  return r.stdout;
}

function need(tool: string, hint: string): void {
  if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) throw new Error(`${tool} not found: ${hint}`);
}

/** The wheel that carries libtensorflow for this machine. */
function wheelFor(tfVersion: string): { pkg: string; platform: string } {
  if (process.platform !== "linux") {
    throw new Error(
      `setup:native supports Linux only (this is ${process.platform}). On macOS and Windows the prebuilt @tensorflow/tfjs-node installs ` +
        "normally where its download host is reachable: npm install --no-save @tensorflow/tfjs-node@4.22.0 (see docs/backends.md).",
    );
  }
  if (process.arch === "x64") return { pkg: `tensorflow-cpu==${tfVersion}`, platform: "manylinux_2_27_x86_64" };
  if (process.arch === "arm64") return { pkg: `tensorflow==${tfVersion}`, platform: "manylinux2014_aarch64" };
  throw new Error(`no TensorFlow wheel for linux/${process.arch}`);
}

/** A directory D with D/include/node/node_api.h for node-gyp's --nodedir. */
function nodeHeadersDir(): string {
  const candidates = [
    path.resolve(path.dirname(process.execPath), ".."),
    "/usr",
    "/usr/local",
    path.join(os.homedir(), ".cache/node-gyp", process.versions.node),
  ];
  for (const d of candidates) if (fs.existsSync(path.join(d, "include/node/node_api.h"))) return d;
  throw new Error(
    `Node's C headers were not found (looked for include/node/node_api.h under ${candidates.join(", ")}). ` +
      "They come with Node's own installers (the NodeSource .deb, the official tarball); Debian's nodejs needs libnode-dev.",
  );
}

function nodeGyp(): string {
  const local = path.join(REPO_ROOT, "node_modules/node-gyp/bin/node-gyp.js");
  if (fs.existsSync(local)) return local;
  const globalRoot = run("npm", ["root", "-g"]).trim();
  const bundled = path.join(globalRoot, "npm/node_modules/node-gyp/bin/node-gyp.js");
  if (fs.existsSync(bundled)) return bundled;
  throw new Error(`node-gyp not found (looked in ${local} and ${bundled})`);
}

/** Extracts members of a zip whose names start with one of `prefixes` (python's zipfile: no unzip needed). */
function unzip(wheel: string, dest: string, prefixes: string[]): void {
  const script = [
    "import sys, zipfile",
    "wheel, dest, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]",
    "z = zipfile.ZipFile(wheel)",
    "names = [n for n in z.namelist() if any(n.startswith(p) for p in prefixes)]",
    "z.extractall(dest, names)",
    "print(len(names))",
  ].join("\n");
  run("python3", ["-c", script, wheel, dest, ...prefixes]);
}

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, dereference: false });
}

async function build(opts: Options): Promise<void> {
  need("python3", "install Python 3 with pip (Debian: apt-get install python3-pip)");
  need("g++", "install a C++ compiler (Debian: apt-get install build-essential)");
  need("make", "install make (Debian: apt-get install build-essential)");
  const { pkg, platform } = wheelFor(opts.tf);
  const nodedir = nodeHeadersDir();
  const gyp = nodeGyp();

  const work = path.join(REPO_ROOT, "build/native/work");
  const downloads = path.join(REPO_ROOT, "build/native/downloads"); // kept: a re-run does not download again
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(downloads, { recursive: true });

  step(`pip download ${pkg} (${platform}, no dependencies) → build/native/downloads`);
  // --platform/--python-version: the wheel's shared libraries do not depend on the local Python.
  run("python3", ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--platform", platform, "--python-version", "3.11", "-d", downloads, pkg]);
  const wheel = fs.readdirSync(downloads).find((f) => f.startsWith(pkg.split("==")[0].replace("-", "_") + "-" + opts.tf) && f.endsWith(".whl"));
  if (wheel == null) throw new Error(`pip download left no ${pkg} wheel in ${downloads}`);

  step(`npm pack @tensorflow/tfjs-node@${TFJS_NODE_VERSION} ${RUNTIME_DEPS.join(" ")}`);
  const packed = run("npm", ["pack", "--silent", `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`, ...RUNTIME_DEPS], { cwd: downloads })
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith(".tgz"));
  const tarball = (name: string) => {
    const file = packed.find((f) => f.startsWith(name));
    if (file == null) throw new Error(`npm pack did not produce ${name}*.tgz (got ${packed.join(", ")})`);
    return path.join(downloads, file);
  };

  step(`extract libtensorflow and the C API headers from ${wheel}`);
  const wheelDir = path.join(work, "wheel");
  unzip(path.join(downloads, wheel), wheelDir, [
    "tensorflow/libtensorflow_cc.so.2",
    "tensorflow/libtensorflow_framework.so.2",
    "tensorflow/include/tensorflow/c/",
    "tensorflow/include/tensorflow/core/platform/",
    "tensorflow/include/tsl/platform/",
    "tensorflow/include/xla/tsl/c/",
    "tensorflow/include/tensorflow/core/common_runtime/next_pluggable_device/c/", // for c/kernels.h (the course's kernels)
  ]);
  const tfDir = path.join(wheelDir, "tensorflow");

  step("unpack tfjs-node and lay out deps/ as its binding.gyp expects");
  const pkgDir = path.join(work, "tfjs-node");
  fs.mkdirSync(pkgDir, { recursive: true });
  execFileSync("tar", ["xzf", tarball("tensorflow-tfjs-node-"), "-C", pkgDir, "--strip-components=1"]);
  const libDir = path.join(pkgDir, "deps/lib");
  fs.mkdirSync(libDir, { recursive: true });
  copyDir(path.join(tfDir, "include"), path.join(pkgDir, "deps/include"));
  fs.renameSync(path.join(tfDir, "libtensorflow_cc.so.2"), path.join(libDir, "libtensorflow_cc.so.2"));
  fs.renameSync(path.join(tfDir, "libtensorflow_framework.so.2"), path.join(libDir, "libtensorflow_framework.so.2"));
  // binding.gyp links -ltensorflow -ltensorflow_framework; the C API lives in libtensorflow_cc.
  fs.symlinkSync("libtensorflow_cc.so.2", path.join(libDir, "libtensorflow.so"));
  fs.symlinkSync("libtensorflow_framework.so.2", path.join(libDir, "libtensorflow_framework.so"));

  step("patch the binding: list(string) attributes (TensorFlow's fused ops take their op list as one)");
  patchBinding(path.join(pkgDir, "binding/tfjs_backend.cc"));
  step(`add the course's TensorFlow kernels (${courseKernels().join(", ")}) to the binding`);
  addCourseKernels(pkgDir);

  step(`node-gyp rebuild (headers from ${nodedir}/include/node; N-API 8)`);
  run(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`, "--napi_build_version=8", "--module_name=tfjs_binding", "--module_path=lib/napi-v8", "--jobs=2"], {
    cwd: pkgDir,
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  const addon = path.join(pkgDir, "build/Release/tfjs_binding.node");
  if (!fs.existsSync(addon)) throw new Error(`node-gyp finished but ${addon} is missing`);

  const target = path.join(opts.prefix, "node_modules/@tensorflow/tfjs-node");
  step(`install → ${path.relative(REPO_ROOT, target) || target}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.join(target, "lib/napi-v8"), { recursive: true });
  copyDir(path.join(pkgDir, "dist"), path.join(target, "dist"));
  fs.copyFileSync(addon, path.join(target, "lib/napi-v8/tfjs_binding.node"));
  fs.mkdirSync(path.join(target, "deps"), { recursive: true });
  fs.renameSync(libDir, path.join(target, "deps/lib")); // the addon's rpath is $ORIGIN/../../deps/lib
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  delete pj.scripts; // its install script would try to download libtensorflow on `npm rebuild`
  pj.courseNote = PACKAGE_NOTE;
  fs.writeFileSync(path.join(target, "package.json"), JSON.stringify(pj, null, 2));
  for (const dep of RUNTIME_DEPS) {
    const name = dep.slice(0, dep.lastIndexOf("@"));
    const dir = path.join(target, "node_modules", name);
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["xzf", tarball(name + "-"), "-C", dir, "--strip-components=1"]);
  }
  const shimDir = path.join(target, "node_modules/@mapbox/node-pre-gyp");
  fs.mkdirSync(shimDir, { recursive: true });
  fs.writeFileSync(path.join(shimDir, "index.js"), SHIM);
  fs.writeFileSync(path.join(shimDir, "package.json"), JSON.stringify({ name: "@mapbox/node-pre-gyp", version: "0.0.0-course-shim", main: "index.js", description: "see index.js" }, null, 2));
  if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
}

/**
 * tfjs-node's binding sets string attributes but not lists of strings, which no TensorFlow.js
 * kernel needs. TensorFlow's fused kernels do: _FusedMatMul (product, bias and activation in one
 * pass over the output, lib/accel/native/fusedDense.ts) names its fused steps in `fused_ops`, a
 * list(string). This adds that case to the binding's AssignOpAttr: a JavaScript array of strings
 * becomes TFE_OpSetAttrStringList. A binding without it (the prebuilt tfjs-node) makes lib fall
 * back to separate ops.
 */
function patchBinding(source: string): void {
  const anchor = "    case TF_ATTR_STRING: {\n";
  const text = readWithAnchor(source, anchor, "the string-attribute case");
  const listCase = `${anchor}      if (IsArray(env, nstatus, &js_value)) {  // list(string): added by the course's setup:native
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<std::string> strings(length);
        std::vector<const void *> values(length);
        std::vector<size_t> lengths(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = GetStringParam(env, element, strings[i]);
          ENSURE_NAPI_OK(env, nstatus);
          values[i] = strings[i].data();
          lengths[i] = strings[i].size();
        }
        TFE_OpSetAttrStringList(tfe_op, attr_name, values.data(), lengths.data(), static_cast<int>(length));
        break;
      }
`;
  fs.writeFileSync(source, text.replace("#include <string>\n", "#include <string>\n#include <vector>\n").replace(anchor, listCase));
}

/**
 * The course's own TensorFlow ops (tools/native/kernels/*.cc, written against TensorFlow's C op
 * and kernel API) compiled into the binding: a static initialiser registers them when Node loads
 * it, and lib/accel/native finds them by name (it falls back to TensorFlow's ops where they are absent).
 */
function addCourseKernels(pkgDir: string): void {
  const gypFile = path.join(pkgDir, "binding.gyp");
  const anchor = "'binding/tfjs_binding.cc'";
  const gyp = readWithAnchor(gypFile, anchor, "the binding's source list");
  const kernels = courseKernels();
  fs.mkdirSync(path.join(pkgDir, "binding/course"), { recursive: true });
  for (const file of kernels) fs.copyFileSync(path.join(KERNELS_DIR, file), path.join(pkgDir, "binding/course", file));
  const sources = [anchor, ...kernels.map((f) => `'binding/course/${f}'`)].join(", ");
  // -fopenmp-simd: the kernels' `omp simd` loops vectorise; no OpenMP runtime is linked.
  fs.writeFileSync(gypFile, gyp.replace(anchor, sources).replace("'sources' : [", "'cflags_cc' : [ '-fopenmp-simd' ],\n    'sources' : ["));
}

/** The course's kernel sources: every .cc file in tools/native/kernels. */
function courseKernels(): string[] {
  return fs.readdirSync(KERNELS_DIR).filter((f) => f.endsWith(".cc")).sort();
}

/** A file of tfjs-node's that is patched at `anchor`; stops, naming `what`, if the anchor is missing. */
function readWithAnchor(file: string, anchor: string, what: string): string {
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(anchor)) throw new Error(`${file}: cannot find ${what} to patch (tfjs-node ${TFJS_NODE_VERSION} expected)`);
  return text;
}

/** Starts COURSE_BACKEND=node in a fresh process and compares a small computation with wasm. */
function check(opts: Options): void {
  step("check: COURSE_BACKEND=node starts and agrees with wasm");
  const probe = `
    const tf = require("@tensorflow/tfjs");
    const { initBackend } = require("./lib/accel/backend");
    (async () => {
      const compute = () => tf.tidy(() => {
        const a = tf.randomUniform([64, 96], -1, 1, "float32", 7), b = tf.randomUniform([96, 32], -1, 1, "float32", 8);
        return Array.from(tf.softmax(tf.matMul(a, b)).dataSync());
      });
      const info = await initBackend({ quiet: true, force: "node" });
      const native = compute();
      const tfVersion = tf.backend().binding.TF_Version;
      await initBackend({ quiet: true, force: "wasm" });
      const wasm = compute();
      const diff = Math.max(...native.map((v, i) => Math.abs(v - wasm[i])));
      console.log(JSON.stringify({ summary: info.summary, tfVersion, diff }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" };
  // A prefix outside the checkout: tfjs-node there must still find the checkout's @tensorflow/tfjs.
  if (opts.prefix !== REPO_ROOT) env.NODE_PATH = [path.join(opts.prefix, "node_modules"), path.join(REPO_ROOT, "node_modules"), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  const out = run(process.execPath, ["--require", "tsx/cjs", "-e", probe], { env });
  const result = JSON.parse(out.trim().split("\n").pop()!) as { summary: string; tfVersion: string; diff: number };
  if (!(result.diff < 1e-5)) throw new Error(`native and wasm disagree: max difference ${result.diff}`);
  step(`ok: ${result.summary}; TensorFlow ${result.tfVersion}; max |native − wasm| = ${result.diff.toExponential(1)}`);
  if (opts.prefix !== REPO_ROOT) step(`use it with NODE_PATH=${env.NODE_PATH}`);
}

runCommand(command, async ({ values }) => {
  const opts: Options = { prefix: path.resolve(values.prefix ?? REPO_ROOT), tf: values.tf ?? "2.21.0", keep: values.keep === true, checkOnly: values["check-only"] === true };
  try {
    if (!opts.checkOnly) await build(opts);
    check(opts);
  } catch (err) {
    console.error(`[setup:native] FAILED: ${(err as Error).message}`);
    return 1;
  }
  step("done");
  return 0;
});
