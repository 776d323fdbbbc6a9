import { strict as assert } from "assert";
import { decode, DELIMITER, encode, newHeader, sign } from "../../../tools/nbconvert-ts/src/kernel/wire";

describe("nbconvert-ts wire protocol", () => {
  const key = "0123456789abcdef";

  it("signs the four JSON frames with HMAC-SHA256 (a known vector)", () => {
    // python: hmac.new(b"key", b"abc", hashlib.sha256).hexdigest()
    assert.equal(sign("key", ["a", "b", "c"]), "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab");
    assert.equal(sign("", ["a"]), "", "an empty key means unsigned messages");
  });

  it("round-trips a message and finds the delimiter after any routing ids", () => {
    const header = newHeader("execute_request", "session-1");
    const frames = encode(key, { header, parent_header: {}, metadata: {}, content: { code: "1 + 1" } });
    assert.equal(frames[0].toString(), DELIMITER);
    const routed = [Buffer.from("identity-a"), Buffer.from("identity-b"), ...frames];
    const msg = decode(key, routed);
    assert.equal(msg.header.msg_id, header.msg_id);
    assert.deepEqual(msg.content, { code: "1 + 1" });
  });

  it("rejects a message with a wrong signature or no delimiter", () => {
    const frames = encode(key, { header: newHeader("status", "s"), parent_header: {}, metadata: {}, content: {} });
    assert.throws(() => decode("another key", frames), /signature/);
    assert.throws(() => decode(key, frames.slice(1)), /delimiter/);
  });
});
