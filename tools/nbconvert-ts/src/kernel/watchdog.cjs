/*
 * Preloaded into the kernel process (NODE_OPTIONS=--require) by launch.ts: the kernel
 * exits when the process that started it is gone, even if that process was SIGKILLed
 * and had no chance to clean up. tslab itself keeps running when its parent dies.
 *
 * Two signals of a dead parent: the kernel's stdin (a pipe from the parent) reaches EOF,
 * and, as a backstop, the parent pid no longer exists. The kernel then kills its own
 * process group (it was spawned as the group leader), so children it started go too.
 *
 * Plain CommonJS because it runs inside the kernel's node, before any TypeScript loader.
 */
"use strict";
const parent = Number(process.env.NBCONVERT_TS_PARENT_PID);
if (parent > 0) {
  // Only the kernel itself watches: node processes that the notebook starts must not.
  delete process.env.NBCONVERT_TS_PARENT_PID;
  const before = process.env.NBCONVERT_TS_NODE_OPTIONS;
  delete process.env.NBCONVERT_TS_NODE_OPTIONS;
  if (before) process.env.NODE_OPTIONS = before;
  else delete process.env.NODE_OPTIONS;
  let dying = false;
  const die = () => {
    if (dying) return;
    dying = true;
    try {
      process.kill(-process.pid, "SIGKILL"); // the whole group, when we lead one
    } catch (e) {
      // not a group leader: just this process
    }
    process.exit(137);
  };
  if (process.stdin && !process.stdin.isTTY) {
    process.stdin.on("end", die);
    process.stdin.on("close", die);
    process.stdin.on("error", die);
    process.stdin.resume();
  }
  const timer = setInterval(() => {
    if (process.ppid !== parent) return die();
    try {
      process.kill(parent, 0);
    } catch (e) {
      die();
    }
  }, 1000);
  timer.unref();
}
