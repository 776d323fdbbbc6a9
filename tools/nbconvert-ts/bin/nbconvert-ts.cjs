#!/usr/bin/env node
// nbconvert-ts: runs the TypeScript sources directly through tsx (from the repository's node_modules).
"use strict";
require("tsx/cjs");
const cli = require("../src/cli.ts");
cli.installSignalHandlers();
cli.main(process.argv.slice(2)).then(
  (code) => {
    require("../src/kernel/launch.ts").killAllKernels();
    process.exit(code);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
