/*
 * Preloaded into the kernel process by launch.ts (NODE_OPTIONS=--require), before tslab.
 *
 * tslab compiles cells with a TypeScript *watch* program. When a file it has compiled
 * (lib/*.ts) changes on disk during a run, the watcher schedules a rebuild, and the next
 * cell fails inside tslab with "Unexpected pending rebuildTimer". A batch run needs no
 * watching: it should see the library as it was when the notebook imported it. So file and
 * directory watching are turned off in tslab's own TypeScript (the in-memory cell files
 * tslab watches through its own hooks are not affected).
 *
 * Plain CommonJS: it runs in the kernel's node before any TypeScript loader.
 */
"use strict";
if (process.env.NBCONVERT_TS_NO_WATCH === "1") {
  delete process.env.NBCONVERT_TS_NO_WATCH;
  try {
    const fs = require("fs");
    const path = require("path");
    // the kernel's main script is tslab's bin (possibly via node_modules/.bin)
    const tslabDir = path.dirname(fs.realpathSync(process.argv[1]));
    const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] });
    const ts = require(tsPath);
    const none = { close() {} };
    ts.sys.watchFile = () => none;
    ts.sys.watchDirectory = () => none;
  } catch (e) {
    // not tslab, or another layout: leave the kernel as it is
  }
}
