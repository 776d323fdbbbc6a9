/** Head habits (lib/metrics/headHabits.ts) on heads whose answers are known by hand. */
import { strict as assert } from "assert";
import { causalHeadHabits, uniformLookBack } from "../../lib/metrics/headHabits";

const T = 8;
/** A causal head whose row i is given by `weight(i, j)` for j ≤ i (normalised here). */
function head(weight: (i: number, j: number) => number): number[][] {
  return Array.from({ length: T }, (_, i) => {
    const row = Array.from({ length: T }, (_, j) => (j <= i ? weight(i, j) : 0));
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((p) => p / sum);
  });
}
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} against ${b}`);

describe("head habits (lib/metrics/headHabits.ts)", () => {
  it("a uniform head: entropy 100% of uniform, looking back as far as the uniform head", () => {
    const [h] = causalHeadHabits([head(() => 1)]);
    close(h.entropyShare, 1, "entropy share");
    close(h.lookBack, uniformLookBack(T), "look-back");
    close(uniformLookBack(T), (T - 1) / 4, "mean of i/2 over 0..T-1");
  });

  it("a head on its own position, and one on the first: no entropy, and the distances and recent shares by hand", () => {
    const [self, first] = causalHeadHabits([head((i, j) => (j === i ? 1 : 0)), head((_, j) => (j === 0 ? 1 : 0))]);
    assert.deepEqual(self, { lookBack: 0, recentShare: 1, entropyShare: 0 });
    close(first.lookBack, (T - 1) / 2, "first-token head looks back i on row i");
    close(first.recentShare, 3 / T, "rows 0, 1, 2 have the first token within 3 positions");
    assert.equal(first.entropyShare, 0);
  });

  it("refuses no heads and a head that is not square, naming it", () => {
    assert.throws(() => causalHeadHabits([]), /no heads/);
    assert.throws(() => causalHeadHabits([head(() => 1), [[1, 0]]]), /head 2 is not a square \[t, t\] matrix/);
  });
});
