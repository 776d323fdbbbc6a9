/** The course's one worker pool (@ts-course/cli): the grader's batches and the handouts run on it. */
import { strict as assert } from "assert";
import { mapPool, runPool } from "@ts-course/cli";

/** A job that finishes when the test says so, recording how many ran at once. */
function gate() {
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const release = new Map<number, () => void>();
  const job = async (i: number) => {
    started.push(i);
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise<void>((resolve) => release.set(i, resolve));
    inFlight--;
    return i * 10;
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { job, release, started, tick, most: () => most };
}

describe("@ts-course/cli worker pool", () => {
  it("runs at most `concurrency` jobs at a time, starting them in order as others finish", async () => {
    const g = gate();
    const items = [0, 1, 2, 3, 4, 5];
    const done = runPool(items, 2, (i) => g.job(i));
    await g.tick();
    assert.deepEqual(g.started, [0, 1], "two started, the rest wait");
    g.release.get(1)!();
    await g.tick();
    assert.deepEqual(g.started, [0, 1, 2], "a finished job makes room for the next item");
    for (const i of [0, 2, 3, 4, 5]) {
      await g.tick();
      g.release.get(i)?.();
      await g.tick();
    }
    for (const i of items) g.release.get(i)?.();
    const out = await done;
    assert.equal(g.most(), 2);
    assert.deepEqual(g.started, items);
    assert.deepEqual(out, items.map((i) => ({ ok: true, value: i * 10 })));
  });

  it("gives the results in the items' order, whatever order they finish in", async () => {
    const out = await mapPool([30, 5, 20, 1], 4, (ms, i) => new Promise<string>((r) => setTimeout(() => r(`item ${i}`), ms)));
    assert.deepEqual(out, ["item 0", "item 1", "item 2", "item 3"]);
  });

  it("reports each job's error without stopping the others (thrown or rejected)", async () => {
    const ran: number[] = [];
    const out = await runPool([1, 2, 3, 4], 2, async (n) => {
      ran.push(n);
      if (n === 2) throw new Error("two failed");
      if (n === 3) return Promise.reject(new Error("three failed"));
      return n;
    });
    assert.deepEqual(ran, [1, 2, 3, 4]);
    assert.deepEqual(out.map((o) => (o.ok ? o.value : (o.error as Error).message)), [1, "two failed", "three failed", 4]);
    const sync = await runPool(["a"], 1, () => {
      throw new Error("synchronous");
    });
    assert.equal(sync[0].ok, false);
  });

  it("mapPool throws the first failed item's error, once every job has finished", async () => {
    const finished: number[] = [];
    const jobs = mapPool([1, 2, 3], 3, async (n) => {
      await new Promise((r) => setTimeout(r, n === 3 ? 30 : 1));
      finished.push(n);
      if (n >= 2) throw new Error(`job ${n}`);
      return n;
    });
    await assert.rejects(jobs, /job 2/);
    assert.deepEqual(finished.sort(), [1, 2, 3], "the slow job ran to its end before the error came back");
  });

  it("takes an empty list, more workers than items, and refuses a concurrency that is not a whole number ≥ 1", async () => {
    assert.deepEqual(await mapPool([], 4, () => 1), []);
    assert.deepEqual(await mapPool([7], 8, (x) => x + 1), [8]);
    for (const bad of [0, -1, 1.5, NaN]) await assert.rejects(runPool([1], bad, (x) => x), new RegExp(`concurrency must be a whole number ≥ 1, not ${bad}`));
  });
});
