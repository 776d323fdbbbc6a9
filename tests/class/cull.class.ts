/**
 * Idle culling: with a short idle timeout (as `npm run hub -- --idle-timeout 10` sets it), a
 * student's idle JupyterLab is stopped by jupyterhub-idle-culler, and the files in their home
 * are there when they start it again. As root the student is their own system user (multi-user);
 * otherwise the single-user demo mode.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { startHub, TestHub } from "../../tools/hub/fixtures/hubHarness";

const isRoot = process.getuid?.() === 0;

describe("idle student servers are culled, and their files survive", function () {
  this.timeout(600_000);
  let hub: TestHub;
  const user = `cull${crypto.randomBytes(3).toString("hex")}`;
  before(async () => {
    hub = await startHub({ multiUser: isRoot, idleTimeoutSeconds: 10 });
  });
  after(async () => {
    await hub?.hubApi("DELETE", `/users/${user}/server`).catch(() => undefined);
    await hub?.stop();
    if (isRoot) {
      for (const pid of spawnSync("ps", ["-u", user, "-o", "pid="], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          /* gone */
        }
      }
      spawnSync("userdel", [user]);
    }
  });

  const serverRunning = async () => {
    const u = await hub.hubApi<{ servers?: Record<string, { ready: boolean }> }>("GET", `/users/${user}`);
    return Boolean(u.data.servers?.[""]);
  };

  async function start(token: string): Promise<void> {
    const r = await hub.hubApi("POST", `/users/${user}/server`);
    assert.ok([201, 202].includes(r.status), `spawn: ${r.status}\n${hub.log().slice(-2000)}`);
    const end = Date.now() + 120_000;
    while ((await fetch(`${hub.url}/user/${user}/api/status`, { headers: { Authorization: `token ${token}` } })).status !== 200) {
      if (Date.now() > end) throw new Error(`${user}'s server did not start:\n${hub.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it("stops an idle server within the timeout plus one check, and a new start finds the student's files", async () => {
    const token = await hub.userToken(user, "students");
    const auth = { Authorization: `token ${token}`, "Content-Type": "application/json" };
    await start(token);
    const text = `notes of ${user} ${Date.now()}\n`;
    const put = await fetch(`${hub.url}/user/${user}/api/contents/notes.txt`, { method: "PUT", headers: auth, body: JSON.stringify({ type: "file", format: "text", content: text }) });
    assert.ok([200, 201].includes(put.status), await put.text());
    const idleSince = Date.now();
    // Timeout 10 s, checked every 5 s: culled well within a minute (the hub's clock, not a sleep here).
    while (await serverRunning()) {
      if (Date.now() - idleSince > 90_000) throw new Error(`the idle server was not culled in 90 s:\n${hub.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const culledAfter = (Date.now() - idleSince) / 1000;
    console.log(`      culled after ${culledAfter.toFixed(0)} s idle (timeout 10 s)`);
    assert.ok(culledAfter >= 9, `culled after ${culledAfter} s, before the idle timeout`);
    assert.match(hub.log(), /jupyterhub_idle_culler|Culling server/i);
    assert.equal(fs.readFileSync(path.join(hub.dataDir, "homes", user, "notes.txt"), "utf8"), text);

    await start(token);
    const back = await fetch(`${hub.url}/user/${user}/api/contents/notes.txt?content=1&format=text&type=file`, { headers: auth });
    assert.equal(back.status, 200);
    assert.equal(((await back.json()) as { content: string }).content, text);
  });
});
