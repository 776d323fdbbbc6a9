#!/usr/bin/env node
/*
 * nbconvert-ts: the program (the command, bin/nbconvert-ts, starts it). The sources are
 * TypeScript (src/); running them through tsx costs ~0.6 s of CPU at every start, more than
 * exporting a notebook. So on first use, and whenever a source changed, they are bundled with
 * esbuild (tsx's own compiler, already installed) into .cache/cli.js, and later runs load that
 * one file (with V8's code cache). Without esbuild, or with NBCONVERT_TS_NO_BUNDLE=1, the
 * sources run through tsx directly.
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
const fs = require("fs");
const path = require("path");

const PKG = path.resolve(__dirname, "..");
const ENTRY = path.join(PKG, "src", "cli.ts");
const BUNDLE = path.join(PKG, ".cache", "cli.js");
const INPUTS = path.join(PKG, ".cache", "cli.inputs.json");

function upToDate() {
  try {
    const built = fs.statSync(BUNDLE).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(INPUTS, "utf8"));
    return inputs.length > 0 && inputs.every((f) => fs.statSync(f).mtimeMs <= built);
  } catch {
    return false;
  }
}

/**
 * A bundle has one __dirname and one `require.main`: give each source file its own
 * __dirname/__filename, and make `require.main === module` (a file's "run me" check) true only
 * for the entry point.
 */
const perFileGlobals = {
  name: "per-file-globals",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let source = fs.readFileSync(args.path, "utf8");
      if (args.path !== ENTRY) source = source.replace(/require\.main\s*===\s*module/g, "false");
      const header = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n`;
      return { contents: header + source, loader: "ts" };
    });
  },
};

async function build() {
  const esbuild = require("esbuild");
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: tmp,
    // native code, the slow-path schema compiler, and the grader's TypeScript stay outside
    external: ["zeromq", "ajv", "ajv/*", "typescript", "playwright-core"],
    plugins: [perFileGlobals],
    metafile: true,
    absWorkingDir: PKG,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((f) => path.resolve(PKG, f))
    .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
  fs.writeFileSync(`${INPUTS}.${process.pid}.tmp`, JSON.stringify(inputs));
  fs.renameSync(tmp, BUNDLE);
  fs.renameSync(`${INPUTS}.${process.pid}.tmp`, INPUTS);
}

async function load() {
  if (process.env.NBCONVERT_TS_NO_BUNDLE !== "1") {
    try {
      if (!upToDate()) await build();
      return require("../src/codeCache.cjs").requireWithCodeCache(BUNDLE);
    } catch (e) {
      if (process.env.NBCONVERT_TS_DEBUG) console.error("nbconvert-ts: bundling failed, running through tsx:", e);
    }
  }
  require("tsx/cjs");
  return require(ENTRY);
}

load().then((cli) => {
  cli.installSignalHandlers();
  return cli.main(process.argv.slice(2)).then((code) => {
    cli.killAllKernels();
    // zeromq's context can hold the loop open a moment after sockets close: do not wait for it
    process.exit(code);
  });
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
