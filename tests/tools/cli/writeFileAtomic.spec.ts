/** @ts-course/cli's writeFileAtomic on names at the file system's limit (its flushes: tests/tools/notebook/model.spec.ts). */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "@ts-course/cli";

describe("writeFileAtomic: the longest names a folder allows", () => {
  let dir = "";
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-atomic-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes a file whose name is 255 bytes (ASCII, or 4-byte characters), leaving no temporary file", () => {
    for (const name of ["L".repeat(248) + ".tar.gz", "😀".repeat(62) + "abc.txt"]) {
      assert.equal(Buffer.byteLength(name), 255);
      const file = path.join(dir, name);
      writeFileAtomic(file, ["first ", Buffer.from("part")]);
      writeFileAtomic(file, "replaced");
      assert.equal(fs.readFileSync(file, "utf8"), "replaced");
    }
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0);
    assert.equal(fs.readdirSync(dir).length, 2);
  });
});
