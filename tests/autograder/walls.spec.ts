/**
 * The sandbox's walls on their own: a probe script started exactly as a sandbox is (same command
 * line: rlimits, namespaces, user, Node permissions) but WITHOUT the harness, so none of the
 * harness's in-process blocks (replaced process.kill, patched net) help. Everything must still be
 * denied by the operating system and Node's permission model.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { detectIsolation, fullyIsolated, sandboxCommand } from "../../tools/grader/isolation";
import { hiddenSpecFile, REPO_ROOT } from "../../tools/grader/paths";

const PROBE = `
const fs = require("fs");
const results = {};
const attempt = async (name, fn) => {
  try {
    const r = await fn();
    results[name] = "ALLOWED: " + String(r).slice(0, 100);
  } catch (e) {
    results[name] = "denied: " + String((e && (e.code || e.message)) || e).slice(0, 100);
  }
  process.stdout.write(JSON.stringify({ [name]: results[name] }) + "\\n");
};
(async () => {
  await attempt("read the hidden spec", () => fs.readFileSync(process.env.HIDDEN ?? __HIDDEN__, "utf8").length);
  await attempt("read the solutions", () => fs.readdirSync(__SOLUTIONS__).join(","));
  await attempt("read /etc/passwd", () => fs.readFileSync("/etc/passwd", "utf8").length);
  await attempt("read /proc/1/environ", () => fs.readFileSync("/proc/1/environ", "utf8").length);
  await attempt("write next to itself", () => fs.writeFileSync(__dirname + "/written.txt", "x"));
  await attempt("write the marker", () => fs.writeFileSync(__MARKER__, "x"));
  await attempt("start a process", () => require("child_process").execSync("id").toString());
  await attempt("start a worker", () => new (require("worker_threads").Worker)("0", { eval: true }));
  await attempt("raw bindings", () => typeof process.binding("fs"));
  await attempt("eval", () => eval("1 + 1"));
  await attempt("signal the grader (signal 0)", () => process.kill(__VICTIM__, 0));
  await attempt("tcp to the grader's honeypot", () => new Promise((resolve, reject) => {
    const s = require("net").connect(__PORT__, "127.0.0.1");
    s.on("connect", () => resolve("connected"));
    s.on("error", reject);
  }));
  await attempt("dns", () => new Promise((resolve, reject) => require("dns").lookup("registry.npmjs.org", (e, a) => (e ? reject(e) : resolve(a)))));
  await attempt("3 GB of memory", () => {
    const hog = [];
    for (let i = 0; i < 48; i++) hog.push(Buffer.alloc(64 << 20, 1));
    return hog.length;
  });
})();
`;

describe("sandbox walls without the harness (OS and Node permissions only)", function () {
  this.timeout(120_000);

  it("denies reading secrets, writing, processes, workers, bindings, eval, signals, network and unbounded memory", async function () {
    if (process.env.COURSE_GRADER_ALLOW_WEAK_ISOLATION === "1") this.skip();
    const iso = detectIsolation();
    assert.ok(fullyIsolated(iso), `this machine's isolation is incomplete: ${iso.summary}`);

    const connections: string[] = [];
    const honeypot = net.createServer((s) => {
      connections.push(String(s.remotePort));
      s.end("answers\n");
    });
    await new Promise<void>((r) => honeypot.listen(0, "127.0.0.1", r));
    const port = (honeypot.address() as net.AddressInfo).port;
    // A folder the sandbox's user can reach whatever the checkout's place (under /root, say).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-walls-"));
    fs.chmodSync(dir, 0o777); // file modes allow the write: only the walls may stop it
    const marker = path.join(dir, "marker.txt");
    const probe = path.join(dir, "probe.js");
    fs.writeFileSync(
      probe,
      PROBE.replace(/__HIDDEN__/g, JSON.stringify(hiddenSpecFile("gans")))
        .replace(/__SOLUTIONS__/g, JSON.stringify(path.join(REPO_ROOT, "solutions")))
        .replace(/__MARKER__/g, JSON.stringify(marker))
        .replace(/__VICTIM__/g, String(process.pid))
        .replace(/__PORT__/g, String(port)),
    );
    fs.chmodSync(probe, 0o644);
    try {
      const { command, args } = sandboxCommand(probe, [dir]);
      const results: Record<string, string> = {};
      await new Promise<void>((resolve, reject) => {
        const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c));
        child.stderr.resume();
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", reject);
        child.on("exit", () => {
          clearTimeout(timer);
          for (const line of out.split("\n")) if (line.trim()) Object.assign(results, JSON.parse(line));
          resolve();
        });
      });
      for (const [k, v] of Object.entries(results)) console.log(`      ${k.padEnd(30)} ${v}`);
      const allowed = Object.entries(results).filter(([, v]) => v.startsWith("ALLOWED"));
      assert.deepEqual(allowed, [], "the sandbox was allowed to do these");
      // Every probe ran (the memory probe may end the process instead of throwing: that is a denial too).
      const expected = ["read the hidden spec", "read the solutions", "read /etc/passwd", "read /proc/1/environ", "write next to itself", "write the marker", "start a process", "start a worker", "raw bindings", "eval", "signal the grader (signal 0)", "tcp to the grader's honeypot", "dns"];
      for (const name of expected) assert.ok(results[name]?.startsWith("denied"), `${name}: ${results[name] ?? "no answer"}`);
      assert.ok(!fs.existsSync(marker) && !fs.existsSync(path.join(dir, "written.txt")), "a file was written");
      assert.deepEqual(connections, []);
    } finally {
      honeypot.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
