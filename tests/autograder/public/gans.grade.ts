/**
 * Public tests of the GAN exercises (`npm run check -- gans`).
 * Expected values are worked out by hand in the comments (softplus(t) = ln(1 + eᵗ)).
 */
import { mulberry32 } from "../../../lib/seed";
import { denseModel, exercise, expectIntArray, expectScalar, expectTensor, expectTrue, field, ModelValue, optimizer, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { criticInitialWeights, criticLogits, criticModel, ring, ringSamples, stepsTaken } from "./tasks";

const ex = exercise("gans");

describe("gans · public", () => {
  describe("gan-d-loss · discriminator loss", () => {
    ex.test("gan-d-loss", "2 ln 2 at logit 0, and a hand-computed batch", async () => {
      expectScalar(await ex.call("discriminatorLoss", T([[0], [0], [0]]), T([[0], [0], [0]])), 2 * Math.LN2, { what: "L_D when D says ½" });
      // mean(softplus(−2), softplus(0)) + mean(softplus(−1), softplus(1)) = 0.410038 + 0.813262
      expectScalar(await ex.call("discriminatorLoss", T([[2], [0]]), T([[-1], [1]])), 1.2232993, { what: "L_D" });
    });
  });

  describe("gan-g-minimax · minimax generator loss", () => {
    ex.test("gan-g-minimax", "mean log(1 − σ(a)) on a hand-computed batch", async () => {
      // −mean(softplus(0), softplus(2)) = −(0.693147 + 2.126928) / 2
      expectScalar(await ex.call("generatorLossMinimax", T([[0], [2]])), -1.4100376, { what: "the minimax loss" });
    });
  });

  describe("gan-g-nonsat · non-saturating generator loss", () => {
    ex.test("gan-g-nonsat", "−mean log σ(a) on a hand-computed batch", async () => {
      // mean(softplus(−0), softplus(−2)) = (0.693147 + 0.126928) / 2
      expectScalar(await ex.call("generatorLossNonSaturating", T([[0], [2]])), 0.4100376, { what: "the non-saturating loss" });
    });
  });

  describe("gan-step · one alternating step", () => {
    // G: z (2) → x (2), linear; D: x (2) → logit, linear; SGD with learning rate 0.1 for both.
    const G = () => denseModel([{ units: 2, inputDim: 2 }], [{ values: [[0.5, -0.2], [0.1, 0.3]] }, { values: [0, 0.1] }]);
    const D = () => denseModel([{ units: 1, inputDim: 2 }], [{ values: [[0.4], [-0.3]] }, { values: [0.05] }]);
    const args = () => [G(), D(), optimizer("sgd", 0.1), optimizer("sgd", 0.1), T([[1, 2], [0.5, 1.5]]), T([[0.2, -0.1], [-0.4, 0.3]])];

    ex.test("gan-step", "returns both losses of a tiny step", async () => {
      const out = await ex.call("ganTrainingStep", ...args());
      expectScalar(field(out, "dLoss"), 1.4731779, { what: "dLoss" });
      expectScalar(field(out, "gLoss"), 0.6914543, { what: "gLoss (after D's update)" });
    });

    ex.test("gan-step", "updates D, then G against the new D", async () => {
      const { args: after } = await ex.callObserved("ganTrainingStep", args());
      const [g, d] = after as ModelValue[];
      expectTensor(d.weights[0], [[0.4423206], [-0.2122145]], { what: "D's kernel after the step" });
      expectTensor(d.weights[1], [0.0546377], { what: "D's bias after the step" });
      expectTensor(g.weights[0], [[0.4975190, -0.1988097], [0.1023893, 0.2988537]], { what: "G's kernel after the step" });
      expectTensor(g.weights[1], [0.0220596, 0.0894164], { what: "G's bias after the step" });
    });
  });

  describe("gan-modes · mode-collapse measure", () => {
    ex.test("gan-modes", "a generator that found 2 of 8 modes, plus junk at the centre", async () => {
      // 45 samples at mode 0 (2, 0), 45 at mode 2 (0, 2), 10 at the origin (2 from every mode: not high quality).
      const samples = [...Array.from({ length: 90 }, (_, i) => (i % 2 ? [2.05, -0.03] : [0.02, 1.96])), ...Array.from({ length: 10 }, () => [0, 0])];
      const out = await ex.call("modeCoverage", T(samples), T(ring(8, 2)), 0.3, 5);
      expectIntArray(field(out, "counts"), [45, 0, 45, 0, 0, 0, 0, 0], "counts");
      expectScalar(field(out, "covered"), 2, { what: "covered (modes with at least 5)" });
      expectScalar(field(out, "highQualityShare"), 0.9, { what: "highQualityShare" });
      expectScalar(field(out, "klToUniform"), Math.log(4), { what: "klToUniform (two modes of eight, half each: log 4)" });
    });
  });

  describe("gan-discriminator · train D against a collapsed generator", () => {
    ex.test("gan-discriminator", "10 steps: exactly 10 optimizer steps, 10 finite losses, and D's weights moved", async () => {
      const rng = mulberry32(3);
      const start = criticInitialWeights(mulberry32(4));
      const args = [criticModel(start), optimizer("adam", 0.02), T(ringSamples(64, [0, 1, 2, 3, 4, 5, 6, 7], rng)), T(ringSamples(64, [0, 2], rng)), { steps: 10, batchSize: 32 }];
      const { value, args: after } = await ex.callObserved("trainDiscriminator", args, { timeoutMs: trainingBudgetMs(20) });
      const steps = stepsTaken(after[1]);
      expectTrue(steps === 10, `the optimizer took ${steps} steps; the budget is exactly options.steps = 10`);
      const losses = Array.isArray(value) ? value.map(Number) : [];
      expectTrue(losses.length === 10 && losses.every(Number.isFinite), `expected 10 finite losses (one per step), got ${Array.isArray(value) ? `${value.length} values` : "no list"}`);
      criticLogits(after[0], ring(8, 2)); // D came back whole: four finite tensors of the right shapes
      const moved = (after[0] as ModelValue).weights.some((w, i) => w.data.some((v, j) => Math.abs(v - (start[i].values as number[] | number[][]).flat()[j]) > 1e-6));
      expectTrue(moved, "D's weights did not change: does the optimizer step update discriminator.trainableWeights?");
    });
  });
});
