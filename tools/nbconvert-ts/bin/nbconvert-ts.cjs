#!/usr/bin/env node
/*
 * nbconvert-ts: the program (the command, bin/nbconvert-ts, starts it). The sources are
 * TypeScript; running them through tsx costs about 0.3 s of CPU (0.7 s wall) at every start,
 * three times what exporting a lecture costs. So they are bundled once with esbuild (tsx's own
 * compiler) into .cache/cli-<key>.js, and later runs load that one file.
 *
 * The bundle is valid for any checkout, copied or moved: it names no absolute path (each
 * source's __dirname is computed from where the bundle itself is), and its key is the content of
 * every file it was made from (our sources, this launcher, the versions of the npm packages it
 * holds, esbuild's), never their modification times or locations. Without esbuild, with
 * NBCONVERT_TS_NO_BUNDLE=1, or if bundling fails, the sources run through tsx.
 */
"use strict";
// The launcher (bin/nbconvert-ts) starts Node without NODE_EXTRA_CA_CERTS, for speed: the kernels
// this process starts get it back.
if (process.env.NBCONVERT_TS_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.NBCONVERT_TS_EXTRA_CA_CERTS;
  delete process.env.NBCONVERT_TS_EXTRA_CA_CERTS;
}
// Regular expressions straight to machine code: highlight.js and marked build large ones that
// each run only a few times per export, and V8's default (interpret first, compile later) does
// the work twice. About a third less CPU for highlighting; it concerns only this process.
require("v8").setFlagsFromString("--no-regexp-tier-up");
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const PKG = path.resolve(__dirname, "..");
const ENTRY = path.join(PKG, "src", "cli.ts");
const CACHE = path.join(PKG, ".cache");
const MANIFEST = path.join(CACHE, "cli-bundle.json");
/** Loaded at run time, never bundled: native code, big optional parts, what loads files by path. */
const EXTERNAL = ["zeromq", "ajv", "ajv/*", "typescript", "jsdom", "dompurify", "playwright-core", "esbuild"];

/** The key of a bundle made from these files (paths relative to the package). */
function keyOf(sources, packages) {
  const hash = crypto.createHash("sha256");
  hash.update(fs.readFileSync(__filename)).update("\0").update(require("esbuild/package.json").version);
  for (const rel of [...sources, ...packages]) hash.update("\0").update(rel).update("\0").update(fs.readFileSync(path.join(PKG, rel)));
  return hash.digest("hex").slice(0, 16);
}

/** The current bundle's file, or null when there is none or its inputs changed. */
function currentBundle() {
  try {
    const m = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
    const file = path.join(CACHE, `cli-${m.key}.js`);
    if (keyOf(m.sources, m.packages) === m.key && fs.existsSync(file)) return file;
  } catch {
    // no bundle yet, a source was removed, or a broken manifest: build again
  }
  return null;
}

const posix = (p) => p.split(path.sep).join("/");

/**
 * Each source file gets its own __dirname/__filename, computed at run time from the bundle's
 * location (a bundle has one __dirname, and an absolute path baked in would point at the
 * checkout the bundle was made in); `require.main === module` holds for the entry point only.
 */
const perFileGlobals = {
  name: "per-file-globals",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let source = fs.readFileSync(args.path, "utf8");
      if (args.path !== ENTRY) source = source.replace(/require\.main\s*===\s*module/g, "false");
      const rel = (p) => JSON.stringify(posix(path.relative(PKG, p)));
      const header = `var __dirname = __nbconvertTsPath(${rel(path.dirname(args.path))}), __filename = __nbconvertTsPath(${rel(args.path)});\n`;
      return { contents: header + source, loader: "ts" };
    });
  },
};

/** The package folder of a file inside node_modules ("…/node_modules/@scope/name/lib/x.js" → "…/@scope/name"). */
function packageDirOf(file) {
  const parts = posix(file).split("/");
  const at = parts.lastIndexOf("node_modules");
  return parts.slice(0, at + (parts[at + 1].startsWith("@") ? 3 : 2)).join("/");
}

async function build() {
  const esbuild = require("esbuild");
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    outfile: path.join(CACHE, "cli.js"),
    external: EXTERNAL,
    plugins: [perFileGlobals],
    // The bundle's own folder is .cache/, one level below the package. Read it now: the first
    // source's `var __dirname` shares the module wrapper's binding and overwrites it.
    banner: { js: 'var __nbconvertTsPackage = require("path").join(__dirname, ".."), __nbconvertTsPath = (p) => require("path").join(__nbconvertTsPackage, p);' },
    metafile: true,
    absWorkingDir: PKG,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => posix(path.relative(PKG, path.resolve(PKG, f))));
  const sources = inputs.filter((f) => !f.split("/").includes("node_modules")).sort();
  const packages = [...new Set(inputs.filter((f) => f.split("/").includes("node_modules")).map((f) => `${packageDirOf(f)}/package.json`))].sort();
  const key = keyOf(sources, packages);
  const code = result.outputFiles[0].text;
  const file = path.join(CACHE, `cli-${key}.js`);
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    // The one write-then-rename outside @ts-course/cli's writeFileAtomic: this launcher is plain
    // JavaScript that runs before any TypeScript can load. It writes only a cache whose name is
    // its inputs' hash, so no fsync: a bundle lost in a crash is rebuilt at the next start.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
    fs.writeFileSync(`${MANIFEST}.${process.pid}.tmp`, JSON.stringify({ key, sources, packages }, null, 1));
    fs.renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
    for (const old of fs.readdirSync(CACHE)) if (/^cli(-[0-9a-f]+)?\.js(\.v8)?$|^cli\.inputs\.json$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(CACHE, old), { force: true });
    return require(file);
  } catch (e) {
    if (e && e.code && !fs.existsSync(file)) return loadFromMemory(code, file); // a read-only checkout
    throw e;
  }
}

function loadFromMemory(code, file) {
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(CACHE);
  mod._compile(code, file);
  return mod.exports;
}

async function load() {
  if (process.env.NBCONVERT_TS_NO_BUNDLE !== "1") {
    try {
      const file = currentBundle();
      return file ? require(file) : await build();
    } catch (e) {
      if (process.env.NBCONVERT_TS_DEBUG) console.error("nbconvert-ts: bundling failed, running through tsx:", e);
    }
  }
  require("tsx/cjs");
  return require(ENTRY);
}

load().then(
  (cli) => cli.start(process.argv.slice(2)),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
