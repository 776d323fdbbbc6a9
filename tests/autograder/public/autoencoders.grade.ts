/**
 * Public tests of the autoencoder exercises: students run them with `npm run check -- autoencoders`.
 * Hidden tests (not shipped) add more points per exercise; these show the format and catch the
 * usual slips. Expected values are worked out by hand in the comments.
 */
import { mulberry32 } from "../../../lib/seed";
import { exercise, expectScalar, expectShape, expectTensor, expectTrue, optimizer, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { bars, daeInitialWeights, daeModel, daeWeightsOf, stepsTaken } from "./tasks";

const ex = exercise("autoencoders");

describe("autoencoders · public", () => {
  describe("ae-sparse-l1 · sparse L1 activity penalty", () => {
    ex.test("ae-sparse-l1", "λ times the batch mean of Σ|h|", async () => {
      // Σ|h| per example: 1 + 2 + 0 = 3 and 0.5 + 0 + 0.5 = 1; mean 2; λ = 0.1 → 0.2
      expectScalar(await ex.call("sparseL1Penalty", T([[1, -2, 0], [0.5, 0, -0.5]]), 0.1), 0.2, { what: "the penalty" });
    });
  });

  describe("ae-masking-noise · masking noise", () => {
    ex.test("ae-masking-noise", "keeps the shape; every entry is either 0 or unchanged", async () => {
      const x = Array.from({ length: 4 }, (_, r) => Array.from({ length: 50 }, (_, c) => 1 + r * 50 + c));
      const out = expectShape(await ex.call("maskingNoise", T(x), 0.5, 7), [4, 50], "the noisy input");
      const flat = x.flat();
      const bad = out.data.findIndex((v, i) => v !== 0 && v !== flat[i]);
      expectTrue(bad < 0, `entry ${bad} became ${out.data[bad]}; masking noise may only set entries to 0 (it was ${flat[bad]})`);
      const zeros = out.data.filter((v) => v === 0).length;
      expectTrue(zeros > 0 && zeros < flat.length, `with fraction 0.5, ${zeros} of ${flat.length} entries are 0: expected some zeros and some kept`);
    });
  });

  describe("ae-vae-reparam · reparameterisation", () => {
    ex.test("ae-vae-reparam", "z = μ + exp(½ log σ²) · ε on a hand-computed example", async () => {
      // σ = exp(½ ln 4) = 2 → 1 + 2 · 0.5 = 2 ;  σ = exp(0) = 1 → −1 + 1 · 2 = 1
      const z = await ex.call("reparameterize", T([[1, -1]]), T([[Math.log(4), 0]]), T([[0.5, 2]]));
      expectTensor(z, [[2, 1]], { what: "z" });
    });
  });

  describe("ae-vae-kl · KL divergence", () => {
    ex.test("ae-vae-kl", "zero at the prior, ½ μ² for a shifted mean", async () => {
      expectScalar(await ex.call("vaeKlDivergence", T([[0, 0, 0], [0, 0, 0]]), T([[0, 0, 0], [0, 0, 0]])), 0, { what: "KL(prior ‖ prior)" });
      // −½ [(1 + 0 − 4 − 1) + (1 + 0 − 0 − 1)] = 2
      expectScalar(await ex.call("vaeKlDivergence", T([[2, 0]]), T([[0, 0]])), 2, { what: "KL for μ = (2, 0), σ = 1" });
    });
  });

  describe("ae-threshold · anomaly threshold", () => {
    ex.test("ae-threshold", "the smallest score with at most the rate of scores strictly above it", async () => {
      expectScalar(await ex.call("anomalyThreshold", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.2), 8, { what: "threshold of 1…10 at rate 0.2" });
      // sorted 1 1 2 3 3 4 5 5 6 9: above 5 are 6 and 9 (2 of 10); above 4 would be four
      expectScalar(await ex.call("anomalyThreshold", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 0.2), 5, { what: "threshold of unsorted scores at rate 0.2" });
    });
  });

  describe("ae-auroc · AUROC", () => {
    ex.test("ae-auroc", "a hand-computed AUROC", async () => {
      // anomalies 0.35 and 0.8 against normals 0.1 and 0.4: 0.35 > 0.1, 0.35 < 0.4, 0.8 > both → 3 of 4 pairs
      expectScalar(await ex.call("auroc", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75, { what: "the AUROC" });
    });
  });

  describe("ae-denoising · train a denoising autoencoder", () => {
    ex.test("ae-denoising", "30 steps: exactly 30 optimizer steps, 30 finite losses, and the weights moved", async () => {
      const start = daeInitialWeights(mulberry32(2));
      const args = [daeModel(start), optimizer("adam", 0.01), T(bars(128, mulberry32(1))), { steps: 30, batchSize: 32, fraction: 0.3, seed: 3 }];
      const { value, args: after } = await ex.callObserved("trainDenoisingAutoencoder", args, { timeoutMs: trainingBudgetMs(20) });
      const steps = stepsTaken(after[1]);
      expectTrue(steps === 30, `the optimizer took ${steps} steps; the budget is exactly options.steps = 30`);
      const losses = Array.isArray(value) ? value.map(Number) : [];
      expectTrue(losses.length === 30 && losses.every(Number.isFinite), `expected 30 finite losses (one per step), got ${Array.isArray(value) ? `${value.length} values` : "no list"}`);
      const moved = daeWeightsOf(after[0]).some((w, i) => w.data.some((v, j) => Math.abs(v - (start[i].values as number[] | number[][]).flat()[j]) > 1e-6));
      expectTrue(moved, "the model's weights did not change: does the optimizer step update model.trainableWeights?");
    });
  });
});
