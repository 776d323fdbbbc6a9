/**
 * Hidden tests of the autoencoder exercises: run only by `npm run autograde`, never shipped to
 * students, never readable from the sandbox. Expected values come from the plain-JavaScript
 * references in ./reference.ts or are worked out in the comments.
 */
import { exercise, expectScalar, expectThrows, expectShape, expectTensor, expectTrue, optimizer, scalarOf, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { bars, daeForward, daeInitialWeights, daeModel, daeWeightsOf, maskRows, psnr, stepsTaken } from "../public/tasks";
import { aurocPairs, mulberry } from "./reference";

const ex = exercise("autoencoders");

describe("autoencoders · hidden", () => {
  describe("ae-sparse-l1", () => {
    ex.test("ae-sparse-l1", "a scalar (shape []), batch of 3, negative activations, λ = 0.5", async () => {
      // Σ|h| per example: 2, 2, 3 → mean 7/3 → × 0.5 = 7/6
      const out = await ex.call("sparseL1Penalty", T([[-1, -1], [-2, 0], [0, -3]]), 0.5);
      expectShape(out, [], "the penalty");
      expectScalar(out, 7 / 6, { what: "the penalty" });
    });
  });

  describe("ae-masking-noise", () => {
    ex.test("ae-masking-noise", "zeroes about `fraction` of 20 000 entries; 0 keeps all, 1 drops all", async () => {
      const ones = T(new Array(20000).fill(1), [100, 200]);
      const out = expectShape(await ex.call("maskingNoise", ones, 0.3, 11), [100, 200], "the noisy input");
      const share = out.data.filter((v) => v === 0).length / out.size;
      expectTrue(Math.abs(share - 0.3) < 0.02, `with fraction 0.3, ${(100 * share).toFixed(1)}% of the entries are 0 (expected about 30%; is the mask inverted?)`);
      const none = expectShape(await ex.call("maskingNoise", ones, 0, 12), [100, 200]);
      expectTrue(none.data.every((v) => v === 1), "with fraction 0 nothing may be dropped");
      const all = expectShape(await ex.call("maskingNoise", ones, 1, 13), [100, 200]);
      expectTrue(all.data.every((v) => v === 0), "with fraction 1 everything must be dropped");
    });
  });

  describe("ae-masking-noise, randomness", () => {
    ex.test("ae-masking-noise", "a random mask: the seed decides it, and no position, row, column or pattern is favoured", async () => {
      const [rows, cols, p] = [100, 200, 0.3];
      const ones = T(new Array(rows * cols).fill(1), [rows, cols]);
      const zeros = async (seed: number) => expectShape(await ex.call("maskingNoise", ones, p, seed), [rows, cols], "the noisy input").data.map((v): number => (v === 0 ? 1 : 0));
      const [a, again, b] = [await zeros(21), await zeros(21), await zeros(22)];
      const n = a.length;
      expectTrue(a.every((z, i) => z === again[i]), 'the same seed gave two different masks: draw with tf.randomUniform(x.shape, 0, 1, "float32", seed)');
      // Independent masks of two seeds share about p² of their entries as zeros.
      const both = a.filter((z, i) => z && b[i]).length / n;
      expectTrue(Math.abs(both - p * p) < 0.02, `the masks of seeds 21 and 22 are both 0 at ${(100 * both).toFixed(1)}% of the entries; independent masks would share about ${(100 * p * p).toFixed(0)}%`);
      // Every row and every column about p zeros: within 5 standard deviations of a binomial count.
      const within = (count: number, size: number) => Math.abs(count - p * size) <= 5 * Math.sqrt(size * p * (1 - p));
      for (let r = 0; r < rows; r++) {
        const count = a.slice(r * cols, (r + 1) * cols).reduce((s, z) => s + z, 0);
        expectTrue(within(count, cols), `row ${r} has ${count} zeros of ${cols}; a random mask would have about ${p * cols}`);
      }
      for (let c = 0; c < cols; c++) {
        let count = 0;
        for (let r = 0; r < rows; r++) count += a[r * cols + c];
        expectTrue(within(count, rows), `column ${c} has ${count} zeros of ${rows}; a random mask would have about ${p * rows}`);
      }
      // Neighbours (1 to 7 entries apart) are both zero about p² of the time: no stripes, no period.
      for (let lag = 1; lag <= 7; lag++) {
        let pairs = 0;
        let hits = 0;
        for (let i = 0; i + lag < n; i++) if (Math.floor(i / cols) === Math.floor((i + lag) / cols)) (pairs++, (hits += a[i] & a[i + lag]));
        expectTrue(Math.abs(hits / pairs - p * p) < 0.02, `entries ${lag} apart are both 0 in ${((100 * hits) / pairs).toFixed(1)}% of the pairs; a random mask would give about ${(100 * p * p).toFixed(0)}%: is the mask a pattern?`);
      }
    });
  });

  describe("ae-vae-reparam", () => {
    ex.test("ae-vae-reparam", "the gradient reaches μ (1) and log σ² (½ σ ε)", async () => {
      const mu = [[0.3, -0.2, 1]];
      const logVar = [[0.5, -1, 2]];
      const eps = [[1, -0.5, 0.25]];
      const [dMu, dLogVar] = await ex.grad("reparameterize", [T(mu), T(logVar), T(eps)], [0, 1]);
      expectTensor(dMu, [[1, 1, 1]], { what: "dz/dμ" });
      expectTensor(dLogVar, [logVar[0].map((lv, j) => 0.5 * Math.exp(0.5 * lv) * eps[0][j])], { what: "dz/dlog σ²" });
    });
  });

  describe("ae-vae-kl", () => {
    ex.test("ae-vae-kl", "batch mean over two examples with σ ≠ 1", async () => {
      const mu = [[1, 2], [0, -1]];
      const logVar = [[0.5, -0.5], [1, 0]];
      const perExample = mu.map((m, b) => -0.5 * m.reduce((s, mj, j) => s + 1 + logVar[b][j] - mj * mj - Math.exp(logVar[b][j]), 0));
      const expected = (perExample[0] + perExample[1]) / 2; // 1.74339
      const out = await ex.call("vaeKlDivergence", T(mu), T(logVar));
      expectShape(out, [], "the KL term");
      expectScalar(out, expected, { what: "the KL term" });
    });
  });

  describe("ae-threshold", () => {
    ex.test("ae-threshold", "ties, rate 0, and random scores against the definition", async () => {
      expectScalar(await ex.call("anomalyThreshold", [2, 2, 7, 2, 2], 0.2), 2, { what: "threshold of [2, 2, 7, 2, 2] at 0.2" });
      expectScalar(await ex.call("anomalyThreshold", [0.5, 0.1, 0.9], 0), 0.9, { what: "threshold at rate 0" });
      const rng = mulberry(5);
      const scores = Array.from({ length: 101 }, () => Math.round(rng() * 40) / 4);
      for (const rate of [0.05, 0.1, 0.33]) {
        const t = scalarOf(await ex.call("anomalyThreshold", scores, rate), "the threshold");
        const above = scores.filter((s) => s > t).length;
        expectTrue(scores.includes(t), `the threshold ${t} at rate ${rate} is not one of the scores`);
        expectTrue(above <= rate * scores.length, `at rate ${rate}, ${above} of ${scores.length} scores lie above the threshold ${t}: more than allowed`);
        const smaller = scores.filter((s) => s < t && scores.filter((x) => x > s).length <= rate * scores.length);
        expectTrue(smaller.length === 0, `at rate ${rate}, the smaller score ${smaller[0]} would also do: the threshold must be the smallest`);
      }
    });
  });

  describe("ae-auroc", () => {
    ex.test("ae-auroc", "ties count one half", async () => {
      // pairs (anomaly, normal): (1,1) ½, (1,2) 0, (2,1) 1, (2,2) ½ → 2/4
      expectScalar(await ex.call("auroc", [1, 1, 2, 2], [0, 1, 0, 1]), 0.5, { what: "AUROC with ties" });
      const rng = mulberry(9);
      const labels = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
      const scores = labels.map((l) => Math.round((rng() + 0.3 * l) * 10) / 10); // many ties
      expectScalar(await ex.call("auroc", scores, labels), aurocPairs(scores, labels), { what: "AUROC of 200 tied scores", atol: 1e-9 });
    });
    ex.test("ae-auroc", "1 when perfect, 0 when reversed, an error with one class", async () => {
      expectScalar(await ex.call("auroc", [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1, { what: "perfect separation" });
      expectScalar(await ex.call("auroc", [0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0, { what: "reversed separation" });
      await expectThrows(ex.call("auroc", [0.1, 0.2], [0, 0]), "auroc with no anomalies must throw an Error (it returned a value)");
    });
  });

  describe("ae-denoising", () => {
    // One training run (200 steps, fresh data and weights), measured on 200 held-out images that the
    // grader corrupts itself; each threshold is a share of the points, so partial progress earns part.
    const STEPS = 200;
    let run: Promise<{ gain: number; steps: number }> | null = null;
    const trained = () =>
      (run ??= (async () => {
        const rng = mulberry(31);
        const train = bars(512, rng);
        const test = bars(200, rng);
        const args = [daeModel(daeInitialWeights(mulberry(32))), optimizer("adam", 0.01), T(train), { steps: STEPS, batchSize: 32, fraction: 0.3, seed: 33 }];
        const { args: after } = await ex.callObserved("trainDenoisingAutoencoder", args, { timeoutMs: trainingBudgetMs(20) });
        const noisy = maskRows(test, 0.3, mulberry(34));
        const gain = psnr(daeForward(daeWeightsOf(after[0]), noisy), test) - psnr(noisy, test);
        return { gain, steps: stepsTaken(after[1]) };
      })());
    for (const dB of [2, 5, 7]) {
      ex.test("ae-denoising", `200 steps: a PSNR gain of at least ${dB} dB on held-out noisy bars`, async () => {
        const { gain, steps } = await trained();
        expectTrue(steps === STEPS, `the optimizer took ${steps} steps; the budget is exactly options.steps = ${STEPS} (a gain counts only within it)`);
        expectTrue(gain >= dB, `the reconstructions are ${gain.toFixed(2)} dB better than the noisy inputs; this share needs ${dB} dB (the reference solution passes every threshold)`);
      });
    }
  });
});
