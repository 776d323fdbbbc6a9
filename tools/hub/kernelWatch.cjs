/**
 * Preloaded into a student's course kernel (`node -r`, see studentKernelSpec in launch.ts): the
 * kernel exits when the JupyterLab server that started it is gone. tslab keeps running when its
 * parent dies, so a server stopped in a hurry (the hub's shutdown, a cull, SIGKILL after a grace
 * period) would leave the student's kernel and its memory behind for good.
 */
"use strict";
const parent = process.ppid;
if (parent > 1) {
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000).unref();
}
