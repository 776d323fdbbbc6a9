/**
 * Notebooks compile lib/ with tslab's own TypeScript (5.0, lib ES2022, module resolution Node10),
 * not with the repository's tsc. One file that 5.0 rejects breaks every notebook that imports it,
 * and `tsc` alone does not see it: so type-check all of lib/ here the way the kernel does
 * (options from tslab/dist/converter.js).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "@ts-course/cli";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [path.join(REPO_ROOT, "node_modules", "tslab")] })) as typeof import("typescript");

/** Browser code (the widgets' runtime): bundled by esbuild for a page, never compiled by the kernel; it has its own tsconfig with the DOM. */
const BROWSER_ONLY = path.join(REPO_ROOT, "lib", "viz", "widgets", "browser");

function libFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return full === BROWSER_ONLY ? [] : libFiles(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

describe("lib/ under tslab's TypeScript", () => {
  it(`type-checks every lib file with TypeScript ${ts.version} as the kernel does`, function () {
    this.timeout(300000);
    const program = ts.createProgram(libFiles(path.join(REPO_ROOT, "lib")), {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start != null ? `${path.relative(REPO_ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(problems, [], `tslab would reject lib/:\n${problems.join("\n")}`);
  });

  it("imports no directory (tslab resolves files only)", () => {
    const offenders: string[] = [];
    for (const file of libFiles(path.join(REPO_ROOT, "lib"))) {
      const source = fs.readFileSync(file, "utf8");
      for (const m of source.matchAll(/from\s+"(\.{1,2}\/[^"]*)"/g)) {
        const target = path.resolve(path.dirname(file), m[1]);
        if (fs.existsSync(target) && fs.statSync(target).isDirectory()) offenders.push(`${path.relative(REPO_ROOT, file)} imports "${m[1]}"`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
