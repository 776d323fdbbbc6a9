/**
 * A student's JupyterLab through the hub as a class gets it (run as root: multi-user mode): the
 * student becomes their own system user, their home is theirs alone, the gradebook, the hub's
 * secrets, the hidden tests and other homes are closed to them, and the course kernel in their
 * home imports the course library (./lib). Also measures spawn time and memory.
 *
 * The students' runtime (venv, node_modules, kernel preload) is always staged here
 * (tools/hub/stage.ts): forced from a checkout everyone can enter, and because it must be from one
 * under /root. So the kernel below proves the staged copy works, wherever the checkout is.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";
import { ensureHubVenv, unreachableByOthers } from "../../tools/hub/venv";
import { DEFAULT_STAGE_BASE, StageRefused, studentRuntime } from "../../tools/hub/stage";

const ROOT = path.join(__dirname, "../..");
const isRoot = process.getuid?.() === 0;
declare const WebSocket: any; // node --experimental-websocket (npm run test:class passes it)

/** Runs code in a kernel of the student's server over the Jupyter websocket; returns its stdout. */
async function execute(hub: TestHub, user: string, token: string, code: string): Promise<string> {
  const r = await fetch(`${hub.url}/user/${user}/api/kernels`, { method: "POST", headers: { Authorization: `token ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "ts-course" }) });
  assert.equal(r.status, 201, await r.clone().text());
  const kernel = (await r.json()).id;
  const ws = new WebSocket(`${hub.url.replace("http", "ws")}/user/${user}/api/kernels/${kernel}/channels?token=${token}`);
  await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = rej)));
  const msgId = `exec-${Date.now()}`;
  let out = "";
  const done = new Promise<void>((res) => {
    ws.onmessage = (ev: { data: string }) => {
      const m = JSON.parse(ev.data);
      if (m.parent_header?.msg_id !== msgId) return;
      if (m.msg_type === "stream") out += m.content.text;
      if (m.msg_type === "status" && m.content.execution_state === "idle" && out) res();
    };
  });
  const send = () => ws.send(JSON.stringify({ header: { msg_id: msgId, msg_type: "execute_request", username: user, session: "test", date: new Date().toISOString(), version: "5.3" }, parent_header: {}, metadata: {}, content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, channel: "shell", buffers: [] }));
  send();
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer from the kernel; got: ${out}`)), 120_000))]);
  ws.close();
  return out;
}

function asUser(user: string, cmd: string[]): { status: number | null; out: string } {
  const r = spawnSync("runuser", ["-u", user, "--", ...cmd], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

(isRoot ? describe : describe.skip)("a student's JupyterLab through the hub, as root (multi-user)", function () {
  this.timeout(600_000);
  let hub: TestHub;
  const made: string[] = [];
  before(async () => {
    // Forced from an open checkout; from one under /root the hub must find out by itself.
    hub = await startHub({ multiUser: true, forceStage: !unreachableByOthers(path.join(ROOT, "package.json")) });
  });
  after(async () => {
    for (const u of made) await hub.hubApi("DELETE", `/users/${u}/server`).catch(() => undefined);
    await hub?.stop();
    // The accounts this test made, and what still runs as them (a kernel can outlive its server).
    for (const u of made) {
      for (const pid of spawnSync("ps", ["-u", u, "-o", "pid="], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          /* gone */
        }
      }
      for (let i = 0; i < 20 && spawnSync("userdel", [u]).status === 8; i++) await new Promise((r) => setTimeout(r, 500));
    }
  });

  it("spawns each student as their own system user, walled off, with the course library importable", async () => {
    const prof = await hub.userToken("prof", "instructors");
    const users = ["stud-a", "stud-b"];
    const roster = await hub.course("POST", "api/instructor/roster", { token: prof, type: "text/csv", body: `id,name,email\n${users.map((u) => `${u},${u},`).join("\n")}\n` });
    assert.equal(roster.status, 200);
    const tokens: string[] = [];
    for (const u of users) {
      tokens.push(await hub.userToken(u));
      made.push(u);
      const t0 = Date.now();
      const s = await hub.hubApi("POST", `/users/${u}/server`);
      assert.ok([201, 202].includes(s.status), `spawn ${u}: ${s.status}\n${hub.log().slice(-3000)}`);
      for (;;) {
        const st = await fetch(`${hub.url}/user/${u}/api/status`, { headers: { Authorization: `token ${tokens.at(-1)}` } });
        if (st.status === 200) break;
        if (Date.now() - t0 > 120_000) throw new Error(`${u}'s server did not start:\n${hub.log().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      console.log(`      spawn ${u}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const home = path.join(hub.dataDir, "homes", "stud-a");
    const st = fs.statSync(home);
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(st.uid, Number(spawnSync("id", ["-u", "stud-a"], { encoding: "utf8" }).stdout));
    assert.equal(spawnSync("id", ["-gn", "stud-a"], { encoding: "utf8" }).stdout.trim(), "course-students");
    for (const secret of [path.join(hub.dataDir, "hub", "jupyterhub_cookie_secret"), path.join(hub.dataDir, "gradebook", "PG_VERSION"), path.join(ROOT, "tests/autograder/hidden/autoencoders.grade.ts"), path.join(ROOT, "solutions/autoencoders.ipynb"), path.join(hub.dataDir, "homes", "stud-b", "lib", "index.ts")]) {
      const r = asUser("stud-a", ["cat", secret]);
      assert.notEqual(r.status, 0, `stud-a could read ${secret}`);
      assert.match(r.out, /Permission denied/);
    }
    assert.notEqual(asUser("stud-a", ["touch", path.join(home, "lib", "index.ts")]).status, 0, "the library copy is read-only");
    const out = await execute(hub, "stud-a", tokens[0], 'import { seed } from "./lib/index";\nseed(1);\nconsole.log("lib ok", process.cwd(), require("os").userInfo().username, require("fs").realpathSync("node_modules"), require.resolve("@tensorflow/tfjs"));');
    assert.match(out, new RegExp(`lib ok ${home} stud-a`));
    // The kernel ran on the staged packages, not on the checkout's.
    const stageBase = fs.realpathSync(process.env.COURSE_HUB_STAGE_DIR || DEFAULT_STAGE_BASE);
    const [, , , , modules, tfjs] = out.trim().split(/\s+/);
    assert.ok(modules.startsWith(stageBase + path.sep), `node_modules of the kernel: ${modules}`);
    assert.ok(tfjs.startsWith(stageBase + path.sep) || tfjs.startsWith(path.join(home, "node_modules")), `tfjs loaded from ${tfjs}`);
    const spec = fs.readFileSync(path.join(hub.dataDir, "jupyter/kernels/ts-course/kernel.json"), "utf8");
    assert.ok(!spec.includes(fs.realpathSync(ROOT) + "/") && spec.includes(stageBase), `the kernelspec names the stage: ${spec}`);
    const ps = spawnSync("ps", ["-u", "stud-a", "-o", "rss=,args="], { encoding: "utf8" }).stdout.trim().split("\n");
    const mb = (re: RegExp) => ps.filter((l) => re.test(l)).reduce((s, l) => s + Number(l.trim().split(/\s+/)[0]), 0) / 1024;
    console.log(`      memory of stud-a: JupyterLab server ${mb(/jupyterhub-singleuser/).toFixed(0)} MB, course kernel ${mb(/tslab/).toFixed(0)} MB (after importing the library)`);
    for (const k of await (await fetch(`${hub.url}/user/stud-a/api/kernels`, { headers: { Authorization: `token ${tokens[0]}` } })).json()) {
      await fetch(`${hub.url}/user/stud-a/api/kernels/${k.id}`, { method: "DELETE", headers: { Authorization: `token ${tokens[0]}` } });
    }
  });

  it("refuses to start, saying what to do, when students could not enter the place it stages to", async () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), "closed-")); // 0700: others cannot enter
    const before = process.env.COURSE_HUB_STAGE_DIR;
    process.env.COURSE_HUB_STAGE_DIR = path.join(closed, "stage");
    try {
      const venv = await ensureHubVenv({ showPipOutput: false });
      assert.throws(() => studentRuntime(venv, { multiUser: true, force: true, log: () => undefined }), (e: Error) => e instanceof StageRefused && /students cannot enter .*closed-.*COURSE_HUB_STAGE_DIR/.test(e.message));
    } finally {
      if (before === undefined) delete process.env.COURSE_HUB_STAGE_DIR;
      else process.env.COURSE_HUB_STAGE_DIR = before;
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});
