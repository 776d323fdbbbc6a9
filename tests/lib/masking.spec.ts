import { strict as assert } from "assert";
import { mulberry32 } from "../../lib/seed";
import { maskTokens } from "../../lib/text/masking";
import { packSegments } from "../../lib/text/bertInputs";
import { WordPieceTokenizer } from "../../lib/text/wordPiece";

const VOCAB = 500;
const isSpecial = (id: number) => id < 5;

describe("MLM masking", () => {
  it("chooses 15% of ordinary tokens and splits them 80% [MASK] / 10% random / 10% unchanged", () => {
    const rng = mulberry32(7);
    let ordinary = 0;
    const counts = { mask: 0, random: 0, keep: 0 };
    for (let r = 0; r < 2000; r++) {
      const n = 20 + Math.floor(rng() * 20);
      const row = [2, ...Array.from({ length: n }, () => 5 + Math.floor(rng() * (VOCAB - 5))), 3, 0, 0];
      const m = maskTokens(row, { maskId: 4, vocabSize: VOCAB, isSpecial, rng });
      ordinary += n;
      m.actions.forEach((a) => counts[a]++);
      m.positions.forEach((p, i) => {
        assert.equal(m.labels[i], row[p], "labels are the original tokens");
        if (m.actions[i] === "mask") assert.equal(m.input[p], 4);
        if (m.actions[i] === "keep") assert.equal(m.input[p], row[p]);
        if (m.actions[i] === "random") assert.ok(!isSpecial(m.input[p]), "random replacements are ordinary tokens");
      });
      row.forEach((id, p) => {
        if (!m.positions.includes(p)) assert.equal(m.input[p], id, "unchosen positions are untouched");
      });
    }
    const chosen = counts.mask + counts.random + counts.keep;
    assert.ok(Math.abs(chosen / ordinary - 0.15) < 0.01, `chosen share ${chosen / ordinary}`);
    assert.ok(Math.abs(counts.mask / chosen - 0.8) < 0.02, `mask share ${counts.mask / chosen}`);
    assert.ok(Math.abs(counts.random / chosen - 0.1) < 0.015, `random share ${counts.random / chosen}`);
    assert.ok(Math.abs(counts.keep / chosen - 0.1) < 0.015, `keep share ${counts.keep / chosen}`);
  });

  it("never chooses [CLS], [SEP], [PAD] (or any special token)", () => {
    const rng = mulberry32(3);
    for (let r = 0; r < 500; r++) {
      const row = [2, 10, 11, 12, 3, 13, 14, 3, 0, 0, 0, 1];
      const m = maskTokens(row, { maskId: 4, vocabSize: VOCAB, isSpecial, rng, rate: 0.5 });
      for (const p of m.positions) assert.ok(!isSpecial(row[p]), `position ${p} holds special token ${row[p]}`);
    }
    assert.deepEqual(maskTokens([2, 3, 0], { maskId: 4, vocabSize: VOCAB, isSpecial }).positions, []);
  });

  it("rejects rates outside (0, 1) and shares that do not add up", () => {
    assert.throws(() => maskTokens([2, 9, 3], { maskId: 4, vocabSize: VOCAB, isSpecial, rate: 0 }), /rate/);
    assert.throws(() => maskTokens([2, 9, 3], { maskId: 4, vocabSize: VOCAB, isSpecial, maskShare: 0.9, randomShare: 0.2 }), /maskShare/);
  });
});

describe("BERT input packing", () => {
  const tok = WordPieceTokenizer.train(["my cat is great . she loves food . the whale is big ."].flatMap((s) => [s, s]), { vocabSize: 80 });

  it("packs [CLS] a [SEP] b [SEP] with segment ids, padding and an attention mask", () => {
    const row = packSegments(tok, "my cat is great", "she loves food", 14);
    assert.equal(tok.decode(row.ids, { keepSpecial: true }), "[CLS] my cat is great [SEP] she loves food [SEP]");
    const n = row.mask.reduce((a, b) => a + b, 0);
    assert.equal(row.ids.length, 14);
    assert.deepEqual(row.ids.slice(n), Array(14 - n).fill(tok.padId));
    assert.deepEqual(row.mask, [...Array(n).fill(1), ...Array(14 - n).fill(0)]);
    const sep = row.ids.indexOf(tok.sepId);
    assert.deepEqual(row.segments.slice(0, sep + 1), Array(sep + 1).fill(0));
    assert.deepEqual(row.segments.slice(sep + 1, n), Array(n - sep - 1).fill(1));
  });

  it("packs a single sentence as [CLS] a [SEP] and truncates the longer segment first", () => {
    const single = packSegments(tok, "she loves food", null, 8);
    assert.equal(tok.decode(single.ids, { keepSpecial: true }), "[CLS] she loves food [SEP]");
    const cut = packSegments(tok, "my cat is great . the whale is big", "food", 9);
    assert.equal(cut.ids.length, 9);
    assert.equal(cut.mask.reduce((a, b) => a + b, 0), 9);
    assert.equal(tok.decode(cut.ids, { keepSpecial: true }), "[CLS] my cat is great . [SEP] food [SEP]");
    assert.throws(() => packSegments(tok, "a", "b", 3), /too short/);
  });
});
