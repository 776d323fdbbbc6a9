/**
 * Hidden tests of the sequence-model exercises (see ./reference.ts for the plain-JS references).
 */
import { exercise, expectIntArray, expectTensor, expectThrows, expectTrue, field, optimizer, RngValue, rngSeed, rngValues, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { labelsOf, majorityData, stepsTaken } from "../public/tasks";
import { attention, lstmStep, maskTokensRef, mulberry, positionalEncoding, splitHeadsRef } from "./reference";

const ex = exercise("transformers");

describe("transformers · hidden", () => {
  describe("tr-text", () => {
    ex.test("tr-text", "vocabulary sorted, ids, an error for an unknown character", async () => {
      const clean = await ex.call("preprocessText", "\tA1B2\n\nC  ");
      expectTrue(clean === "ab c", `preprocessText("\\tA1B2\\n\\nC  ") should be "ab c", got ${JSON.stringify(clean)}`);
      const vocab = await ex.call("buildCharVocab", "hello world");
      expectTrue(JSON.stringify(vocab) === JSON.stringify([" ", "d", "e", "h", "l", "o", "r", "w"]), `buildCharVocab("hello world") should be [" ", "d", "e", "h", "l", "o", "r", "w"], got ${JSON.stringify(vocab)}`);
      expectIntArray(await ex.call("encodeChars", "hold", [" ", "d", "e", "h", "l", "o", "r", "w"]), [3, 5, 4, 1], 'encodeChars("hold")');
      await expectThrows(ex.call("encodeChars", "hi", [" ", "d", "e", "h", "l", "o", "r", "w"]), 'encodeChars("hi") with no "i" in the vocabulary must throw');
    });
  });

  describe("tr-lstm-cell", () => {
    ex.test("tr-lstm-cell", "batch 2, input 3, units 2, against a reference", async () => {
      const x = [[0.5, -1, 0.25], [1, 0.3, -0.7]];
      const h = [[0.1, -0.2], [0.4, 0.05]];
      const c = [[0.3, -0.6], [-0.1, 0.9]];
      const W = [[0.2, -0.1, 0.4, 0.3, -0.5, 0.6, 0.1, -0.2], [0.05, 0.3, -0.3, 0.2, 0.4, -0.1, 0.25, 0.15], [-0.4, 0.1, 0.2, -0.25, 0.3, 0.2, -0.35, 0.5]];
      const U = [[0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, -0.8], [-0.15, 0.25, 0.35, -0.45, 0.1, 0.3, -0.2, 0.05]];
      const b = [0.1, -0.1, 0.2, 1, 0, 0.05, -0.3, 0.2];
      const ref = lstmStep(x, h, c, W, U, b);
      const out = await ex.call("lstmCellStep", T(x), T(h), T(c), T(W), T(U), T(b));
      expectTensor(field(out, "c"), ref.c, { what: "c" });
      expectTensor(field(out, "h"), ref.h, { what: "h" });
    });
    ex.test("tr-lstm-cell", "the gates are in the order input, forget, candidate, output", async () => {
      // z = [0, −10, 0, 10]: i = ½, f ≈ 0 (forget the old memory), g = 0, o ≈ 1 → c ≈ 2σ(−10), h ≈ tanh(c)
      const ref = lstmStep([[1]], [[0]], [[2]], [[0, -10, 0, 10]], [[0, 0, 0, 0]], [0, 0, 0, 0]);
      const out = await ex.call("lstmCellStep", T([[1]]), T([[0]]), T([[2]]), T([[0, -10, 0, 10]]), T([[0, 0, 0, 0]]), T([0, 0, 0, 0]));
      expectTensor(field(out, "c"), ref.c, { what: "c (check the gate order i, f, g, o)", atol: 1e-6 });
      expectTensor(field(out, "h"), ref.h, { what: "h", atol: 1e-6 });
    });
  });

  describe("tr-attention", () => {
    const q = [[0.5, -1], [1, 0.2], [-0.3, 0.8]];
    const k = [[1, 0.5], [-0.5, 1], [0.2, -0.7]];
    const v = [[1, 0], [0, 2], [3, 1]];
    const causal = [[1, 0, 0], [1, 1, 0], [1, 1, 1]];
    ex.test("tr-attention", "a causal mask: masked weights are 0, rows sum to 1", async () => {
      const ref = attention(q, k, v, causal);
      const out = await ex.call("scaledDotProductAttention", T([q]), T([k]), T([v]), T([causal]));
      const w = expectTensor(field(out, "weights"), [ref.weights], { what: "weights" });
      expectTrue(w.at(0, 0, 1) < 1e-6 && w.at(0, 0, 2) < 1e-6 && w.at(0, 1, 2) < 1e-6, "masked positions must get weight 0");
      expectTensor(field(out, "output"), [ref.output], { what: "output" });
    });
    ex.test("tr-attention", "batch 2, d = 4 (the √d scaling), a mask broadcast over the batch", async () => {
      const qs = [[[0.1, 0.9, -0.4, 0.3], [1, -0.5, 0.2, 0.7]], [[-0.6, 0.2, 0.8, -0.1], [0.3, 0.3, -0.9, 0.5]]];
      const ks = [[[0.5, -0.2, 0.1, 0.9], [0.7, 0.4, -0.3, -0.6], [-0.2, 0.8, 0.6, 0.1]], [[0.9, 0.1, -0.5, 0.2], [-0.4, -0.7, 0.3, 0.6], [0.2, 0.5, 0.5, -0.8]]];
      const vs = [[[1, 2], [3, -1], [0, 0.5]], [[-2, 1], [0.5, 0.5], [1, -1]]];
      const mask = [[1, 1, 0], [1, 1, 1]];
      const ref = qs.map((qb, b) => attention(qb, ks[b], vs[b], mask));
      const out = await ex.call("scaledDotProductAttention", T(qs), T(ks), T(vs), T([mask]));
      expectTensor(field(out, "weights"), ref.map((r) => r.weights), { what: "weights" });
      expectTensor(field(out, "output"), ref.map((r) => r.output), { what: "output" });
    });
  });

  describe("tr-attention, per example", () => {
    ex.test("tr-attention", "a different mask for each example of the batch ([batch, tq, tk])", async () => {
      const qs = [[[0.3, -0.8], [1, 0.5]], [[-0.4, 0.9], [0.2, 0.2]]];
      const ks = [[[0.6, 0.1], [-0.7, 0.4], [0.2, -0.9]], [[0.5, 0.5], [-0.3, 0.8], [0.9, -0.2]]];
      const vs = [[[1, 0], [0, 2], [-1, 1]], [[2, 1], [0.5, -1], [1, 3]]];
      const masks = [[[1, 0, 1], [1, 1, 0]], [[0, 1, 1], [1, 0, 0]]];
      const ref = qs.map((qb, b) => attention(qb, ks[b], vs[b], masks[b]));
      const out = await ex.call("scaledDotProductAttention", T(qs), T(ks), T(vs), T(masks));
      expectTensor(field(out, "weights"), ref.map((r) => r.weights), { what: "weights (each example has its own mask)" });
      expectTensor(field(out, "output"), ref.map((r) => r.output), { what: "output" });
    });
  });

  describe("tr-positional", () => {
    ex.test("tr-positional", "length 50, dModel 16, against a reference", async () => {
      expectTensor(await ex.call("sinusoidalPositionalEncoding", 50, 16), positionalEncoding(50, 16), { what: "PE", atol: 1e-5 });
    });
  });

  describe("tr-mlm-masking", () => {
    ex.test("tr-mlm-masking", "random replacement, kept tokens, specials draw nothing, selectProb", async () => {
      const draws = [0.4, 0.85, 0.99, 0.6, 0.49, 0.95, 0.1, 0.79, 0.5];
      const options = { maskId: 3, vocabSize: 50, specialIds: [0, 1], selectProb: 0.5 };
      const ref = maskTokensRef([5, 1, 6, 7, 0, 8, 9], options, draws); // inputs [49,1,6,7,0,3,9], labels [5,-100,-100,7,-100,8,-100]
      const { value, args } = await ex.callObserved("maskTokens", [[5, 1, 6, 7, 0, 8, 9], options, rngValues(draws)]);
      expectIntArray(field(value, "inputs"), ref.inputs, "inputs");
      expectIntArray(field(value, "labels"), ref.labels, "labels");
      const used = (args[2] as RngValue).used;
      expectTrue(used === ref.used, `rng() was called ${used} times; the rules draw exactly ${ref.used} numbers here`);
    });
    ex.test("tr-mlm-masking", "about 15% selected; of those about 80% [MASK], 10% random, 10% kept", async () => {
      const tokens = Array.from({ length: 20000 }, (_, i) => 5 + ((i * 7919) % 95));
      const { value } = await ex.callObserved("maskTokens", [tokens, { maskId: 4, vocabSize: 100, specialIds: [0, 1, 2] }, rngSeed(123)]);
      const inputs = field(value, "inputs") as number[];
      const labels = field(value, "labels") as number[];
      expectTrue(Array.isArray(inputs) && inputs.length === tokens.length && Array.isArray(labels) && labels.length === tokens.length, "inputs and labels must have one entry per token");
      const selected = labels.map((l, i) => (l === -100 ? -1 : i)).filter((i) => i >= 0);
      expectTrue(selected.every((i) => labels[i] === tokens[i]), "a selected position's label must be its original token");
      expectTrue(inputs.every((t, i) => labels[i] !== -100 || t === tokens[i]), "unselected positions must keep their token");
      const share = selected.length / tokens.length;
      expectTrue(Math.abs(share - 0.15) < 0.01, `${(100 * share).toFixed(1)}% of the tokens are selected; expected about 15%`);
      const masked = selected.filter((i) => inputs[i] === 4).length / selected.length;
      const kept = selected.filter((i) => inputs[i] === tokens[i]).length / selected.length;
      const random = 1 - masked - kept;
      expectTrue(Math.abs(masked - 0.8) < 0.025, `${(100 * masked).toFixed(1)}% of the selected tokens became [MASK]; expected about 80%`);
      expectTrue(Math.abs(random - 0.1) < 0.025, `${(100 * random).toFixed(1)}% of the selected tokens became another token; expected about 10%`);
      expectTrue(Math.abs(kept - 0.1) < 0.025, `${(100 * kept).toFixed(1)}% of the selected tokens were kept; expected about 10%`);
    });
  });

  describe("tr-heads", () => {
    const rng = mulberry(41);
    const x = Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => Math.round(rng() * 20 - 10) / 4))); // [2, 3, 6]
    ex.test("tr-heads", "batch 2, 3 heads of width 2, against a reference; merge(split(x)) = x", async () => {
      expectTensor(await ex.call("splitHeads", T(x), 3), x.map((b) => splitHeadsRef(b, 3)), { what: "splitHeads(x, 3): [2, 3, 3, 2]" });
      expectTensor(await ex.call("mergeHeads", T(x.map((b) => splitHeadsRef(b, 3)))), x, { what: "mergeHeads" });
      expectTensor(await ex.call("splitHeads", T(x), 1), x.map((b) => [b]), { what: "splitHeads(x, 1): one head holds everything" });
    });
    ex.test("tr-heads", "an error when dModel is not divisible by the heads (and none when it is)", async () => {
      expectTensor(await ex.call("splitHeads", T(x), 2), x.map((b) => splitHeadsRef(b, 2)), { what: "splitHeads(x, 2)" });
      await expectThrows(ex.call("splitHeads", T(x), 4), "splitHeads with dModel 6 and 4 heads must throw an Error");
    });
  });

  describe("tr-classifier", () => {
    // One training run (60 steps on 512 sequences), measured on 200 held-out sequences; each
    // accuracy threshold is a share of the points. Guessing the most common label scores about 0.25.
    const STEPS = 60;
    const test = majorityData(200, mulberry(52));
    let run: Promise<{ accuracy: number; steps: number }> | null = null;
    const trained = () =>
      (run ??= (async () => {
        const train = majorityData(512, mulberry(51));
        const options = { vocabSize: 5, dModel: 16, heads: 2, steps: STEPS, batchSize: 32, seed: 53 };
        const { value, args } = await ex.callObserved("trainMajorityClassifier", [train.tokens, train.labels, test.tokens, optimizer("adam", 0.02), options], { timeoutMs: trainingBudgetMs(20) });
        const predicted = labelsOf(value, test.labels.length, 5);
        return { accuracy: predicted.filter((p, i) => p === test.labels[i]).length / test.labels.length, steps: stepsTaken(args[3]) };
      })());
    for (const target of [0.5, 0.75, 0.9]) {
      ex.test("tr-classifier", `60 steps: a held-out accuracy of at least ${target}`, async () => {
        const { accuracy, steps } = await trained();
        expectTrue(steps === STEPS, `the optimizer took ${steps} steps; the budget is exactly options.steps = ${STEPS} (accuracy counts only within it)`);
        expectTrue(accuracy >= target, `held-out accuracy ${accuracy.toFixed(3)}; this share needs ${target} (the reference solution passes every threshold)`);
      });
    }
  });
});
