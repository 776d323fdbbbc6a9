/**
 * `npm run hub` stops everything it started, however it is stopped: Ctrl-C (SIGINT to the
 * terminal's process group), SIGTERM to npm alone (kill, systemd), and a `timeout` wrapper (the
 * wrapper's SIGTERM, which it sends to npm and its group when time is up). Each run starts the real
 * command, logs a student in, starts their JupyterLab and a course kernel, submits a notebook so a
 * grading is under way, then stops it: afterwards no process it started (hub, proxy, course
 * service, culler, grading sandboxes, single-user server, kernel) may remain, nor anything
 * listening on its port.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, portInUse } from "../../tools/hub/launch";
import { BrowserSession } from "./browserSession";

const ROOT = path.join(__dirname, "../..");
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions/autoencoders.ipynb"));
const isRoot = process.getuid?.() === 0;

/** pid → [ppid, command line] of every process now. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      table.set(Number(name), [ppid, fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim()]);
    } catch {
      /* gone meanwhile */
    }
  }
  return table;
}

/** The process and all its descendants: pid → command line. */
function tree(root: number): Map<number, string> {
  const table = processTable();
  const out = new Map<number, string>();
  const visit = (pid: number) => {
    const entry = table.get(pid);
    if (!entry || out.has(pid)) return;
    out.set(pid, entry[1]);
    for (const [child, [ppid]] of table) if (ppid === pid) visit(child);
  };
  visit(root);
  return out;
}

/** Those of `procs` still running the same command. */
function survivors(procs: Map<number, string>): string[] {
  const now = processTable();
  return [...procs].filter(([pid, cmd]) => now.get(pid)?.[1] === cmd).map(([pid, cmd]) => `${pid} ${cmd.slice(0, 160)}`);
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms: number, log: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} within ${ms / 1000} s; output:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Stop = "ctrl-c" | "sigterm-npm" | "timeout";

const cases: { stop: Stop; title: string }[] = [
  { stop: "ctrl-c", title: "Ctrl-C (SIGINT to the terminal's process group)" },
  { stop: "sigterm-npm", title: "SIGTERM to npm alone" },
  { stop: "timeout", title: "a `timeout` wrapper ending (its SIGTERM)" },
];

describe("npm run hub leaves nothing running when stopped", function () {
  this.timeout(600_000);
  const users: string[] = [];
  after(() => {
    if (!isRoot) return;
    for (const u of users) {
      // What still runs as the test's own accounts (nothing, when the test passed), by pid.
      for (const pid of spawnSync("ps", ["-u", u, "-o", "pid="], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          /* gone */
        }
      }
      spawnSync("userdel", [u]);
    }
  });

  for (const { stop, title } of cases) {
    it(`on ${title}`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "course-signals-"));
      const port = await freePort();
      const suffix = crypto.randomBytes(3).toString("hex");
      const prof = `sigprof${suffix}`;
      const student = `sigstud${suffix}`;
      users.push(prof, student);
      const hubArgs = ["run", "hub", "--", "--port", String(port), "--data-dir", dataDir, "--instructor", prof, "--time-zone", "UTC"];
      const [command, args] = stop === "timeout" ? ["timeout", ["600", "npm", ...hubArgs]] : ["npm", hubArgs];
      let output = "";
      // Its own process group, as a terminal's job is.
      const child: ChildProcess = spawn(command, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: "" } });
      const keep = (c: Buffer) => (output = (output + c.toString()).slice(-100_000));
      child.stdout!.on("data", keep);
      child.stderr!.on("data", keep);
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
      const log = () => output;
      try {
        const url = `http://127.0.0.1:${port}`;
        await until("the course service answering through the hub", async () => (await fetch(`${url}/services/course/health`)).ok, 300_000, log);

        // The instructor logs in (setting the password), makes a token, imports a roster, releases.
        const staff = new BrowserSession(url);
        await staff.hubLogin(prof, "instructor-pass-1");
        const tokenFor = async (s: BrowserSession, user: string) => {
          const r = await s.request("POST", `/hub/api/users/${user}/tokens`, { body: JSON.stringify({ note: "signals test", expires_in: 3600 }), headers: { "Content-Type": "application/json", "X-XSRFToken": s.cookie("_xsrf") ?? "" } });
          assert.equal(r.status, 201, await r.clone().text());
          return ((await r.json()) as { token: string }).token;
        };
        const profToken = await tokenFor(staff, prof);
        const course = (p: string, token: string, body?: string | Buffer, type?: string) => fetch(`${url}/services/course/${p}`, { method: body ? "POST" : "GET", body, headers: { Authorization: `token ${token}`, ...(type ? { "Content-Type": type } : {}) } });
        assert.equal((await course("api/instructor/roster", profToken, `id,name,email\n${student},S,\n`, "text/csv")).status, 200);
        const now = Date.now();
        const released = await course("api/instructor/assignments", profToken, JSON.stringify({ id: "ae", exercise: "autoencoders", opensAt: new Date(now - 3600e3).toISOString(), dueAt: new Date(now + 86400e3).toISOString(), timeZone: "UTC", latePolicy: { kind: "none" }, resubmission: "last" }), "application/json");
        assert.ok(released.status < 300, await released.text());

        // The student: their JupyterLab with a running course kernel, and a submission being graded.
        const s = new BrowserSession(url);
        await s.hubLogin(student, "student-pass-1");
        const token = await tokenFor(s, student);
        const auth = { Authorization: `token ${token}` };
        const spawned = await fetch(`${url}/hub/api/users/${student}/server`, { method: "POST", headers: auth });
        assert.ok([201, 202].includes(spawned.status), `spawn: ${spawned.status}`);
        await until("the student's JupyterLab", async () => (await fetch(`${url}/user/${student}/api/status`, { headers: auth })).status === 200, 180_000, log);
        const kernel = await fetch(`${url}/user/${student}/api/kernels`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify({ name: "ts-course" }) });
        assert.equal(kernel.status, 201, await kernel.clone().text());
        const submitted = await course("api/assignments/ae/submissions", token, SOLUTION, "application/x-ipynb+json");
        assert.ok([200, 201].includes(submitted.status), await submitted.text());

        const started = await until(
          "the kernel process",
          async () => {
            const t = tree(child.pid!);
            return [...t.values()].some((c) => /tslab/.test(c)) && t;
          },
          60_000,
          log,
        );
        for (const [kind, re] of [["JupyterHub", /jupyterhub -f/], ["proxy", /configurable-http-proxy/], ["course service", /course-service\/main\.ts/], ["culler", /jupyterhub_idle_culler/], ["single-user server", /jupyterhub-singleuser/], ["course kernel", /tslab/]] as const) {
          assert.ok([...started.values()].some((c) => re.test(c)), `no ${kind} among the processes started:\n${[...started.values()].join("\n")}`);
        }

        if (stop === "ctrl-c") process.kill(-child.pid!, "SIGINT");
        else process.kill(child.pid!, "SIGTERM"); // npm, or the timeout wrapper
        const result = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
        assert.ok(result, `npm run hub did not exit within 90 s of the signal; output:\n${output.slice(-3000)}`);
        // npm may exit before the hub has finished stopping what it started: give that a minute.
        let left: string[] = [];
        for (let i = 0; i < 120; i++) {
          left = survivors(started);
          if (!left.length) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.deepEqual(left, [], `still running after npm run hub exited (${JSON.stringify(result)}):\n${left.join("\n")}`);
        assert.equal(await portInUse(port), false, `port ${port} still answers`);
        if (isRoot) {
          // Anything of the student's, started before or after the snapshot (a few seconds for a kernel to see its server gone).
          let theirs = "";
          for (let i = 0; i < 10; i++) {
            theirs = spawnSync("ps", ["-u", student, "-o", "pid=,ppid=,etime=,args="], { encoding: "utf8" }).stdout.trim();
            if (!theirs) break;
            await new Promise((r) => setTimeout(r, 1000));
          }
          assert.equal(theirs, "", `processes of ${student} remain`);
        }
      } finally {
        if (child.exitCode == null && child.signalCode == null) {
          for (const pid of tree(child.pid!).keys()) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              /* gone */
            }
          }
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
