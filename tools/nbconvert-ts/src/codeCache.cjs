/*
 * require() with V8's code cache: a big generated JavaScript file (the CLI bundle, the compiled
 * nbformat validators) is compiled once, and later runs load the compiled code from
 * `<file>.v8` instead of parsing the source again. Plain CommonJS: the bin shim uses it before
 * any TypeScript is loaded.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const Module = require("module");

function requireWithCodeCache(file) {
  const cacheFile = `${file}.v8`;
  const source = fs.readFileSync(file, "utf8");
  let cachedData;
  try {
    if (fs.statSync(cacheFile).mtimeMs >= fs.statSync(file).mtimeMs) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  if (!cachedData || script.cachedDataRejected) {
    // Made at exit, so that it holds the functions this run compiled, not just the top level.
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // the cache is optional
      }
    });
  }
  return mod.exports;
}

module.exports = { requireWithCodeCache };
