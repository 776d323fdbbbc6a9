/**
 * The lecture clock (lib/metrics/lectureClock.ts): both figures as metric lines; the CPU figure
 * held to the budget on wasm at full scale only (reported beside it on other backends and under
 * COURSE_TRAIN_SCALE).
 */
import { strict as assert } from "assert";
import { initBackend, type BackendChoice } from "../../lib/accel/backend";
import { LectureClock, startLectureClock } from "../../lib/metrics/lectureClock";
import { keepBackend, nativeInstalled } from "./onNativeBackend";
import { captureLog } from "../helpers/captureLog";


/** Keeps this process busy until it has used `ms` milliseconds of CPU (on a shared machine that takes longer in wall time). */
function burn(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + i);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) break;
  }
  assert.ok(x > 0);
}

const metricValue = (lines: string[], name: string) => Number(lines.find((l) => l.startsWith(`metric ${name} `))!.split(" ")[2]);
const TINY = 1e-9; // minutes: any real run is over it

describe("lecture clock (lib/metrics/lectureClock.ts)", function () {
  keepBackend();

  it("measures wall minutes from its start and this process's CPU minutes", () => {
    const clock = startLectureClock(10);
    const started = Date.now();
    const cpuBefore = clock.cpuMinutes();
    burn(200);
    const wallMs = Date.now() - started;
    assert.ok(Math.abs(clock.wallMinutes() * 60_000 - wallMs) < 50, `wall ${clock.wallMinutes() * 60_000} ms against ${wallMs} ms`);
    const cpuMs = (clock.cpuMinutes() - cpuBefore) * 60_000;
    assert.ok(cpuMs >= 200 && cpuMs < 200 + 1000, `200 ms of busy work shows as ${cpuMs} ms of CPU`);
  });

  describe("on wasm", () => {
    before(async () => {
      await initBackend({ quiet: true, force: "wasm" });
    });

    it("at full scale prints the two metric lines and holds CPU minutes to the budget", () => {
      const lines = captureLog(undefined, () => assert.equal(new LectureClock(60).report(), undefined));
      assert.match(lines[0], /^lecture budget: 60 CPU minutes on the wasm backend; held to it on this run \(wasm, full scale\)$/);
      assert.ok(metricValue(lines, "lecture_minutes") >= 0);
      assert.ok(metricValue(lines, "lecture_cpu_minutes") > 0);
      assert.equal(lines.length, 3);
    });

    it("at full scale fails a lecture over its budget, naming the figure", () => {
      assert.throws(() => captureLog(undefined, () => new LectureClock(TINY).report()), /metric lecture_cpu_minutes = [\d.e-]+ missed its target \(≤ 1e-9\)/);
    });

    it("under COURSE_TRAIN_SCALE reports the figure beside the budget without enforcing it", () => {
      const lines = captureLog("0.05", () => new LectureClock(TINY).report());
      assert.match(lines[0], /reported, not enforced: COURSE_TRAIN_SCALE=0\.05 shortens training/);
      assert.ok(metricValue(lines, "lecture_cpu_minutes") > TINY);
    });
  });

  const others: BackendChoice[] = ["cpu", ...(nativeInstalled() ? (["node"] as const) : [])];
  for (const backend of others) {
    it(`on ${backend} at full scale reports the figure beside the budget without enforcing it`, async () => {
      await initBackend({ quiet: true, force: backend });
      const lines = captureLog(undefined, () => new LectureClock(TINY).report());
      const name = backend === "node" ? "the native backend" : "the cpu backend";
      assert.equal(lines[0], `lecture budget: 1e-9 CPU minutes on the wasm backend; reported, not enforced: this run is on ${name}`);
      assert.ok(metricValue(lines, "lecture_cpu_minutes") > TINY);
    });
  }

  it("refuses a budget that is not a positive number of minutes", () => {
    for (const bad of [0, -5, NaN, Infinity]) assert.throws(() => startLectureClock(bad), /lecture clock: the budget must be a positive number of minutes, got/);
  });
});
