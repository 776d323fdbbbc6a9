import { strict as assert } from "assert";
import { defineCommand, positiveInt, UsageError } from "../../../tools/cli/command";

describe("tools/cli: one command-line dialect", () => {
  const cmd = defineCommand({
    name: "npm run demo",
    summary: "a demo command",
    usage: "<file>... [options]",
    options: {
      out: { type: "string", short: "o", value: "dir", help: "where to write" },
      "dry-run": { type: "boolean", help: "do nothing" },
      tag: { type: "string", multiple: true, help: "a tag" },
    },
    positionals: { min: 1, max: 2 },
  });

  it("parses kebab-case flags in both --flag value and --flag=value forms, short aliases and repeats", () => {
    const a = cmd.parse(["x.ipynb", "--out", "build", "--dry-run", "--tag=a", "--tag", "b"]);
    assert.deepEqual(a.positionals, ["x.ipynb"]);
    assert.equal(a.values.out, "build");
    assert.equal(a.values["dry-run"], true);
    assert.deepEqual(a.values.tag, ["a", "b"]);
    assert.equal(cmd.parse(["x", "-o", "y"]).values.out, "y");
  });

  it("says the same thing for the same mistake, naming the command and pointing at --help", () => {
    assert.throws(() => cmd.parse(["x", "--outt", "y"]), (e: Error) => e instanceof UsageError && e.message === "npm run demo: unknown option --outt (see --help)");
    assert.throws(() => cmd.parse(["x", "--out"]), /npm run demo: option --out needs a value \(see --help\)/);
    assert.throws(() => cmd.parse(["x", "--dry-run=yes"]), /option --dry-run takes no value/);
    assert.throws(() => cmd.parse([]), /expected an argument/);
    assert.throws(() => cmd.parse(["a", "b", "c"]), /unexpected argument "c"/);
  });

  it("answers --help without demanding arguments, listing every option", () => {
    assert.equal(cmd.parse(["--help"]).help, true);
    const text = cmd.helpText();
    for (const s of ["usage: npm run demo <file>... [options]", "-o, --out <dir>", "--dry-run", "--tag <value>", "(repeatable)", "-h, --help"]) assert.ok(text.includes(s), s);
  });

  it("refuses option names that are not kebab-case, and checks numbers", () => {
    assert.throws(() => defineCommand({ name: "x", summary: "", options: { stopAfter: { type: "string", help: "" } } }), /not kebab-case/);
    assert.equal(positiveInt("3", "jobs"), 3);
    assert.throws(() => positiveInt("0", "jobs"), /--jobs wants a positive whole number, not "0"/);
  });
});
