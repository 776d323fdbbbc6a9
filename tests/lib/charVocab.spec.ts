import { strict as assert } from "assert";
import { CharVocab, preprocessText } from "../../lib/text/charVocab";

describe("character vocabulary and preprocessing", () => {
  it("lowercases, removes digits and normalises line ends", () => {
    assert.equal(preprocessText("Call me Ishmael.\r\nIn 1851, 3 Whales!"), "call me ishmael.\nin ,  whales!");
    assert.equal(preprocessText("ABC 12", { lowercase: false }), "ABC ");
    assert.equal(preprocessText("abc 12", { removeDigits: false }), "abc 12");
  });

  it("maps every character to an id and back (round trip), ids sorted by code point", () => {
    const text = preprocessText("The whale, the WHALE — é and ☃!\nSecond line.");
    const vocab = CharVocab.fromText(text);
    const ids = vocab.encode(text);
    assert.equal(ids.length, [...text].length);
    assert.equal(vocab.decode(ids), text);
    assert.deepEqual(vocab.chars, [...vocab.chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    assert.equal(vocab.chars[0], "\n");
    assert.ok(vocab.has("☃") && vocab.has("é"));
    assert.equal(new Set(vocab.chars).size, vocab.size);
    const again = CharVocab.fromJSON(JSON.parse(JSON.stringify(vocab.toJSON())));
    assert.deepEqual(Array.from(again.encode(text)), Array.from(ids));
  });

  it("treats a character outside the BMP as one character", () => {
    const vocab = CharVocab.fromText("a🐳b");
    assert.equal(vocab.size, 3);
    assert.equal(vocab.decode(vocab.encode("🐳a")), "🐳a");
  });

  it("lists every unknown character, with counts, in one clear error", () => {
    const vocab = CharVocab.fromText("abc ");
    assert.throws(
      () => vocab.encode("a Xé\tXb"),
      (e: Error) => /3 unknown characters/.test(e.message) && e.message.includes("X (2×)") && e.message.includes("U+00E9 é (1×)") && e.message.includes("\\t (1×)"),
    );
    assert.deepEqual([...vocab.unknownChars("zz a")], [["z", 2]]);
    assert.throws(() => vocab.decode([0, 99]), /id 99 at position 1 is outside 0..3/);
  });
});
