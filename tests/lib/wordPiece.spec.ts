import { strict as assert } from "assert";
import { normalizeText, preTokenize, SPECIAL_TOKENS, trainWordPieceVocab, WordPieceTokenizer } from "../../lib/text/wordPiece";

const CORPUS = [
  "The cat sat on the mat. The cat is great!",
  "My cat loves food; she loves the sea and the ships.",
  "Unhappily, the whale was greater than the ship. The whales are great.",
  "Great food, great service, I loved it. The service was slow.",
].flatMap((s) => [s, s, s]);

describe("WordPiece tokenizer", () => {
  const tok = WordPieceTokenizer.train(CORPUS, { vocabSize: 100 });

  it("lowercases, strips accents and splits punctuation off", () => {
    assert.equal(normalizeText("Café NAÏVE"), "cafe naive");
    assert.deepEqual(preTokenize("Don't stop—go!"), ["don", "'", "t", "stop", "—", "go", "!"]);
  });

  it("puts [PAD] [UNK] [CLS] [SEP] [MASK] at ids 0-4 and reaches the asked size", () => {
    assert.deepEqual(tok.vocab.slice(0, 5), [...SPECIAL_TOKENS]);
    assert.deepEqual([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId], [0, 1, 2, 3, 4]);
    assert.equal(tok.size, 100);
    assert.ok(WordPieceTokenizer.train(CORPUS, { vocabSize: 10000 }).size < 10000, "stops when every word is one piece");
    assert.equal(new Set(tok.vocab).size, tok.size, "no duplicates");
    assert.ok(tok.vocab.includes("the") && tok.vocab.includes("cat"), "frequent words become single entries");
  });

  it("round-trips text whose characters it knows, with ## continuation pieces", () => {
    for (const s of ["The cat is great!", "Unhappily, the whales loved greater food.", "she sat on the mat ; the sea ."]) {
      const ids = tok.encode(s);
      assert.ok(ids.every((id) => id > 4), `no special/unknown ids for "${s}"`);
      assert.equal(tok.decode(ids), preTokenize(s).join(" "));
    }
    const pieces = tok.tokenize("unhappily greatest");
    assert.ok(pieces.length > 2 && pieces.slice(1).some((p) => p.startsWith("##")), pieces.join(" "));
  });

  it("keeps literal special tokens whole and drops them when decoding unless asked", () => {
    const ids = tok.encode("[CLS] my cat is great [SEP] she loves food [SEP]");
    assert.equal(ids[0], tok.clsId);
    assert.equal(ids.filter((id) => id === tok.sepId).length, 2);
    assert.equal(tok.decode(ids), "my cat is great she loves food");
    assert.equal(tok.decode(ids, { keepSpecial: true }), "[CLS] my cat is great [SEP] she loves food [SEP]");
  });

  it("maps a word with an unseen character to one [UNK] and names it", () => {
    assert.deepEqual(tok.tokenize("the zebra cat"), ["the", "[UNK]", "cat"]); // no 'z' or 'b' in the corpus
    assert.deepEqual(tok.unknownWords("the zebra cat 日本"), ["zebra", "日本"]);
  });

  it("saves and loads as vocab.txt, and rejects a vocabulary without the special tokens first", () => {
    const again = WordPieceTokenizer.fromVocabText(tok.toVocabText());
    assert.deepEqual(again.vocab, tok.vocab);
    assert.deepEqual(again.encode("the cat is great"), tok.encode("the cat is great"));
    assert.throws(() => new WordPieceTokenizer(["the", "[PAD]"]), /entry 0 must be \[PAD\]/);
  });

  it("is deterministic", () => {
    assert.deepEqual(trainWordPieceVocab(CORPUS, { vocabSize: 100 }), tok.vocab);
  });
});
