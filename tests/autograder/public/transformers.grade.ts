/**
 * Public tests of the sequence-model exercises (`npm run check -- transformers`).
 * Expected values are worked out by hand in the comments.
 */
import { mulberry32 } from "../../../lib/seed";
import { exercise, expectIntArray, expectTensor, expectTrue, field, optimizer, RngValue, rngValues, T, trainingBudgetMs } from "../../../tools/grader/spec";
import { labelsOf, majorityData, stepsTaken } from "./tasks";

const ex = exercise("transformers");

describe("transformers · public", () => {
  describe("tr-text · character preprocessing", () => {
    ex.test("tr-text", "lowercases, drops digits, collapses whitespace", async () => {
      const out = await ex.call("preprocessText", "Call me Ishmael.  Some years ago -\n never mind 42 how long");
      expectTrue(out === "call me ishmael. some years ago - never mind how long", `expected "call me ishmael. some years ago - never mind how long", got ${JSON.stringify(out)}`);
    });
  });

  describe("tr-lstm-cell · one LSTM step", () => {
    ex.test("tr-lstm-cell", "all-zero weights: every gate ½, candidate 0", async () => {
      // i = f = o = σ(0) = ½, g = tanh(0) = 0 → c = ½ · 1 = 0.5, h = ½ · tanh(0.5) = 0.2310586
      const out = await ex.call("lstmCellStep", T([[1]]), T([[0]]), T([[1]]), T([[0, 0, 0, 0]]), T([[0, 0, 0, 0]]), T([0, 0, 0, 0]));
      expectTensor(field(out, "c"), [[0.5]], { what: "c" });
      expectTensor(field(out, "h"), [[0.2310586]], { what: "h" });
    });
  });

  describe("tr-attention · scaled dot-product attention", () => {
    ex.test("tr-attention", "one query, two keys, no mask", async () => {
      // scores (q·k)/√2 = [0.7071, 0] → softmax [0.66976, 0.33024] → output 0.66976·[1, 2] + 0.33024·[3, 4]
      const out = await ex.call("scaledDotProductAttention", T([[[1, 0]]]), T([[[1, 0], [0, 1]]]), T([[[1, 2], [3, 4]]]));
      expectTensor(field(out, "weights"), [[[0.6697615, 0.3302385]]], { what: "weights" });
      expectTensor(field(out, "output"), [[[1.6604769, 2.6604769]]], { what: "output" });
    });
  });

  describe("tr-positional · sinusoidal positional encoding", () => {
    ex.test("tr-positional", "length 3, dModel 4", async () => {
      // columns: sin(pos), cos(pos), sin(pos/100), cos(pos/100)
      expectTensor(await ex.call("sinusoidalPositionalEncoding", 3, 4), [
        [0, 1, 0, 1],
        [0.8414710, 0.5403023, 0.0099998, 0.9999500],
        [0.9092974, -0.4161468, 0.0199987, 0.9998000],
      ], { what: "PE" });
    });
  });

  describe("tr-mlm-masking · 80/10/10 masking", () => {
    ex.test("tr-mlm-masking", "the example of the notebook, draw by draw", async () => {
      // 2 and 3 are special (no draw). 17: u 0.05 → selected, r 0.5 → [MASK]=4. 18: u 0.9 → not.
      // 19: u 0.1 → selected, r 0.85 → random floor(0.3·30) = 9. 20: u 0.12 → selected, r 0.95 → kept.
      const draws = rngValues([0.05, 0.5, 0.9, 0.1, 0.85, 0.3, 0.12, 0.95]);
      const { value, args } = await ex.callObserved("maskTokens", [[2, 17, 18, 19, 20, 3], { maskId: 4, vocabSize: 30, specialIds: [2, 3] }, draws]);
      expectIntArray(field(value, "inputs"), [2, 4, 18, 9, 20, 3], "inputs");
      expectIntArray(field(value, "labels"), [-100, 17, -100, 19, 20, -100], "labels");
      const used = (args[2] as RngValue).used;
      expectTrue(used === 8, `rng() was called ${used} times; the rules draw exactly 8 numbers here`);
    });
  });

  describe("tr-heads · multi-head split and merge", () => {
    ex.test("tr-heads", "2 heads of width 2: head 0 gets columns 0–1, head 1 columns 2–3; merge undoes it", async () => {
      const split = [[[[1, 2], [5, 6]], [[3, 4], [7, 8]]]]; // [batch 1, heads 2, time 2, headDim 2]
      expectTensor(await ex.call("splitHeads", T([[[1, 2, 3, 4], [5, 6, 7, 8]]]), 2), split, { what: "splitHeads" });
      expectTensor(await ex.call("mergeHeads", T(split)), [[[1, 2, 3, 4], [5, 6, 7, 8]]], { what: "mergeHeads" });
    });
  });

  describe("tr-classifier · train an attention classifier", () => {
    ex.test("tr-classifier", "5 steps: exactly 5 optimizer steps, one label in 0…4 per test sequence", async () => {
      const train = majorityData(64, mulberry32(4));
      const test = majorityData(20, mulberry32(5));
      const options = { vocabSize: 5, dModel: 8, heads: 2, steps: 5, batchSize: 16, seed: 7 };
      const { value, args } = await ex.callObserved("trainMajorityClassifier", [train.tokens, train.labels, test.tokens, optimizer("adam", 0.02), options], { timeoutMs: trainingBudgetMs(20) });
      const steps = stepsTaken(args[3]);
      expectTrue(steps === 5, `the optimizer took ${steps} steps; the budget is exactly options.steps = 5`);
      labelsOf(value, 20, 5);
    });
  });
});
