/**
 * Hidden tests of the GAN exercises (see ./reference.ts for the plain-JS step).
 */
import { denseModel, exercise, expectIntArray, expectScalar, expectTensor, expectTrue, field, ModelValue, optimizer, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { criticInitialWeights, criticLogits, criticModel, ring, ringSamples, stepsTaken } from "../public/tasks";
import { ganStep, GanState, modeCoverageRef, mulberry, sigmoid } from "./reference";

const ex = exercise("gans");

function models(s: GanState) {
  const zDim = s.Wg.length;
  const xDim = s.Wg[0].length;
  return [
    denseModel([{ units: xDim, inputDim: zDim }], [{ values: s.Wg }, { values: s.bg }]),
    denseModel([{ units: 1, inputDim: xDim }], [{ values: s.Wd }, { values: [s.bd] }]),
  ];
}

describe("gans · hidden", () => {
  describe("gan-d-loss", () => {
    ex.test("gan-d-loss", "finite and right for logits of ±100", async () => {
      // real: softplus(−100) ≈ 0, softplus(100) = 100 → mean 50; fake: softplus(100) = 100, softplus(−100) ≈ 0 → mean 50
      expectScalar(await ex.call("discriminatorLoss", T([[100], [-100]]), T([[100], [-100]])), 100, { what: "L_D at logits ±100", rtol: 1e-5 });
    });
  });

  describe("gan-g-minimax", () => {
    ex.test("gan-g-minimax", "its gradient saturates where D rejects the fakes", async () => {
      // d/da of −mean softplus(a) = −σ(a)/N: tiny at a = −5
      const [g] = await ex.grad("generatorLossMinimax", [T([[-5], [-5]])], [0]);
      expectTensor(g, [[-sigmoid(-5) / 2], [-sigmoid(-5) / 2]], { what: "d loss / d logit", atol: 1e-6 });
    });
  });

  describe("gan-g-nonsat", () => {
    ex.test("gan-g-nonsat", "a strong gradient where D rejects the fakes, finite at −200", async () => {
      // d/da of mean softplus(−a) = −σ(−a)/N ≈ −1/N at a = −5
      const [g] = await ex.grad("generatorLossNonSaturating", [T([[-5], [-5]])], [0]);
      expectTensor(g, [[-sigmoid(5) / 2], [-sigmoid(5) / 2]], { what: "d loss / d logit", atol: 1e-6 });
      expectScalar(await ex.call("generatorLossNonSaturating", T([[-200]])), 200, { what: "the loss at logit −200", rtol: 1e-5 });
    });
  });

  describe("gan-step", () => {
    const s: GanState = { Wg: [[0.3, -0.5], [0.2, 0.4], [-0.1, 0.6]], bg: [0.05, -0.05], Wd: [[0.7], [-0.2]], bd: -0.1 };
    const real = [[1.5, 0.5], [2, 1], [0.8, 1.2]];
    const noise = [[0.5, -1, 0.3], [-0.2, 0.7, 1], [1.1, 0.4, -0.6]];

    async function step(lrG: number, lrD: number) {
      const [G, D] = models(s);
      const { value, args } = await ex.callObserved("ganTrainingStep", [G, D, optimizer("sgd", lrG), optimizer("sgd", lrD), T(real), T(noise)]);
      return { value, G: args[0] as ModelValue, D: args[1] as ModelValue, ref: ganStep(s, real, noise, lrG, lrD) };
    }

    ex.test("gan-step", "the D step leaves G alone (G's learning rate 0)", async () => {
      const { value, G, D, ref } = await step(0, 0.2);
      expectTensor(G.weights[0], s.Wg, { what: "G's kernel (must not change in the D step)", atol: 1e-6 });
      expectTensor(G.weights[1], s.bg, { what: "G's bias (must not change in the D step)", atol: 1e-6 });
      expectTensor(D.weights[0], ref.next.Wd, { what: "D's kernel" });
      expectTensor(D.weights[1], [ref.next.bd], { what: "D's bias" });
      expectScalar(field(value, "dLoss"), ref.dLoss, { what: "dLoss" });
    });

    ex.test("gan-step", "the G step leaves D alone (D's learning rate 0)", async () => {
      const { value, G, D, ref } = await step(0.2, 0);
      expectTensor(D.weights[0], s.Wd, { what: "D's kernel (must not change in the G step)", atol: 1e-6 });
      expectTensor(D.weights[1], [s.bd], { what: "D's bias (must not change in the G step)", atol: 1e-6 });
      expectTensor(G.weights[0], ref.next.Wg, { what: "G's kernel" });
      expectTensor(G.weights[1], ref.next.bg, { what: "G's bias" });
      expectScalar(field(value, "gLoss"), ref.gLoss, { what: "gLoss" });
    });
  });

  describe("gan-modes", () => {
    // Three generators' samples around a ring of 8 modes (radius 2): balanced, collapsed onto 3
    // modes, and one that scatters a third of its samples between the modes. Samples are kept off
    // the radius by a margin, so float32 distances cannot flip a verdict.
    const centers = ring(8, 2);
    const RADIUS = 0.4;
    const rng = mulberry(61);
    const near = (c: number[]) => {
      const r = RADIUS * (0.1 + 0.7 * rng()); // inside, away from the boundary
      const a = 2 * Math.PI * rng();
      return [c[0] + r * Math.cos(a), c[1] + r * Math.sin(a)];
    };
    const between = () => {
      const a = 2 * Math.PI * (Math.floor(rng() * 8) + 0.5) / 8; // half-way between two modes: 1.53 from each
      return [2 * Math.cos(a), 2 * Math.sin(a)];
    };
    const generators: Record<string, number[][]> = {
      balanced: Array.from({ length: 400 }, (_, i) => near(centers[i % 8])),
      collapsed: Array.from({ length: 300 }, (_, i) => near(centers[[1, 1, 1, 1, 4, 6][i % 6]])),
      scattered: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? between() : near(centers[i % 5]))),
    };
    const MIN_COUNT = 10;
    let outs: Promise<Record<string, unknown>> | null = null;
    const measured = () =>
      (outs ??= (async () => {
        const r: Record<string, unknown> = {};
        for (const [name, samples] of Object.entries(generators)) r[name] = await ex.call("modeCoverage", T(samples), T(centers), RADIUS, MIN_COUNT);
        return r;
      })());
    const expected = (name: string) => modeCoverageRef(generators[name], centers, RADIUS, MIN_COUNT);
    ex.test("gan-modes", "counts per mode: balanced, collapsed and scattered generators", async () => {
      const out = await measured();
      for (const name of Object.keys(generators)) expectIntArray(field(out[name], "counts"), expected(name).counts, `counts of the ${name} generator`);
    });
    ex.test("gan-modes", "covered modes (at least 10 samples each)", async () => {
      const out = await measured();
      for (const name of Object.keys(generators)) expectScalar(field(out[name], "covered"), expected(name).covered, { what: `covered, ${name} generator` });
    });
    ex.test("gan-modes", "the share of high-quality samples", async () => {
      const out = await measured();
      for (const name of Object.keys(generators)) expectScalar(field(out[name], "highQualityShare"), expected(name).highQualityShare, { what: `highQualityShare, ${name} generator`, atol: 1e-9 });
    });
    ex.test("gan-modes", "the KL divergence of the mode histogram to uniform", async () => {
      const out = await measured();
      for (const name of Object.keys(generators)) expectScalar(field(out[name], "klToUniform"), expected(name).klToUniform, { what: `klToUniform, ${name} generator`, atol: 1e-6 });
    });
  });

  describe("gan-discriminator", () => {
    // One training run (200 steps), measured at the mode centres and on held-out samples; each
    // threshold is a share of the points. The generator sits on modes 0 and 2 of 8.
    const STEPS = 200;
    const ALL = [0, 1, 2, 3, 4, 5, 6, 7];
    const COLLAPSED = [0, 2];
    const sigmoidOf = (z: number) => 1 / (1 + Math.exp(-z));
    let run: Promise<{ gap: number; accuracy: number; steps: number }> | null = null;
    const trained = () =>
      (run ??= (async () => {
        const rng = mulberry(71);
        const args = [criticModel(criticInitialWeights(mulberry(72))), optimizer("adam", 0.02), T(ringSamples(512, ALL, rng)), T(ringSamples(512, COLLAPSED, rng)), { steps: STEPS, batchSize: 32 }];
        const { args: after } = await ex.callObserved("trainDiscriminator", args, { timeoutMs: trainingBudgetMs(20) });
        const atCentres = criticLogits(after[0], ring(8, 2)).map(sigmoidOf);
        const mean = (js: number[]) => js.reduce((s, j) => s + atCentres[j], 0) / js.length;
        const gap = mean(ALL.filter((j) => !COLLAPSED.includes(j))) - mean(COLLAPSED);
        const heldRng = mulberry(73);
        const real = criticLogits(after[0], ringSamples(200, ALL, heldRng));
        const fake = criticLogits(after[0], ringSamples(200, COLLAPSED, heldRng));
        const accuracy = (real.filter((z) => z > 0).length + fake.filter((z) => z <= 0).length) / 400;
        return { gap, accuracy, steps: stepsTaken(after[1]) };
      })());
    const withinBudget = (steps: number) => expectTrue(steps === STEPS, `the optimizer took ${steps} steps; the budget is exactly options.steps = ${STEPS} (a measure counts only within it)`);
    for (const gap of [0.3, 0.6]) {
      ex.test("gan-discriminator", `200 steps: D rates the 6 missing modes above the generator's 2 by at least ${gap}`, async () => {
        const r = await trained();
        withinBudget(r.steps);
        expectTrue(r.gap >= gap, `mean D at the missing modes minus mean D at the generator's modes is ${r.gap.toFixed(3)}; this share needs ${gap} (the reference solution passes every threshold)`);
      });
    }
    ex.test("gan-discriminator", "200 steps: held-out real and fake samples classified with accuracy at least 0.82 (at most 0.875 here)", async () => {
      const r = await trained();
      withinBudget(r.steps);
      expectTrue(r.accuracy >= 0.82, `held-out accuracy ${r.accuracy.toFixed(3)}; this share needs 0.82 (the reference solution passes it)`);
    });
  });
});
