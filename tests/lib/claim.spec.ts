import { strict as assert } from "assert";
import { claim } from "../../lib/metrics/claim";
import { captureLog } from "../helpers/captureLog";


describe("claim (lib/metrics/claim.ts)", () => {
  it("prints `claim <name> holds: <text>` on one line when the claim holds", () => {
    const lines = captureLog(undefined, () => assert.equal(claim("gpt_beats_bigram", true, "GPT 2.9 bits/char\n  against the bigram's 3.5"), undefined));
    assert.deepEqual(lines, ["claim gpt_beats_bigram holds: GPT 2.9 bits/char against the bigram's 3.5"]);
  });

  it("fails the run at full scale when the claim is false, naming it", () => {
    const lines = captureLog(undefined, () =>
      assert.throws(() => claim("gpt_beats_bigram", false, "GPT beats the bigram"), /claim gpt_beats_bigram is false on this run: GPT beats the bigram/),
    );
    assert.deepEqual(lines, [], "a false claim prints no `holds` line");
  });

  it("reports a false claim without failing under COURSE_TRAIN_SCALE", () => {
    const lines = captureLog("0.05", () => assert.equal(claim("gpt_beats_bigram", false, "GPT beats the bigram"), undefined));
    assert.equal(lines[0], "claim gpt_beats_bigram does not hold: GPT beats the bigram");
    assert.match(lines[1], /not enforced: COURSE_TRAIN_SCALE=0\.05/);
    assert.ok(!lines.some((l) => / holds: /.test(l)), "the summary must not count it");
  });

  it("rejects a name the summary could not parse, an empty text, and a non-boolean", () => {
    assert.throws(() => claim("two words", true, "x"), /claim name "two words" must be one word/);
    assert.throws(() => claim("ok", true, "  "), /claim ok: the text is empty/);
    assert.throws(() => claim("ok", 1 as unknown as boolean, "x"), /holds must be true or false, got 1/);
  });
});
