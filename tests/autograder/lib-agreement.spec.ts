/**
 * The exercises teach what the lectures' library does: each reference solution agrees with its
 * counterpart in lib/ on random inputs. A pair whose lib file or export does not exist (yet) is
 * skipped, not failed, so the exercises never wait on the library.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { compileCell } from "../../tools/grader/extract";
import { gradedCells, readNotebook } from "@ts-course/notebook";
import { REPO_ROOT, SOLUTIONS_DIR } from "../../tools/grader/paths";
import { declaredNames } from "../../tools/grader/registry";
import { assertClose } from "../helpers/close";

type Fn = (...args: unknown[]) => unknown;

/** The solution notebook's graded functions, compiled and evaluated here (trusted code). */
function solutionFunctions(notebook: string): Record<string, Fn> {
  const cells = gradedCells(readNotebook(path.join(SOLUTIONS_DIR, notebook)));
  const js = cells.map((c) => compileCell(c.source).js ?? "").join("\n");
  const names = cells.flatMap((c) => declaredNames(c.source));
  return new Function("tf", `${js}\nreturn { ${names.join(", ")} };`)(tf) as Record<string, Fn>;
}

/** An export of a lib file, or null when the file or the export is not there. */
function libExport(file: string, name: string): Fn | null {
  const full = path.join(REPO_ROOT, "lib", file);
  if (!fs.existsSync(full)) return null;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(full) as Record<string, unknown>;
  return typeof mod[name] === "function" ? (mod[name] as Fn) : null;
}

const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync());
/** The solution's values (actual) against lib's (expected), as every spec compares numbers. */
const close = (solution: number[], lib: number[], what: string) => assertClose(solution, lib, 1e-4, `${what} (the solution against lib)`);

describe("reference solutions agree with lib/", () => {
  const cases: { name: string; notebook: string; fn: string; file: string; exportName: string; check: (sol: Fn, lib: Fn) => void }[] = [
    {
      name: "sparse L1 penalty",
      fn: "sparseL1Penalty",
      notebook: "autoencoders.ipynb",
      file: "losses/sparsity.ts",
      exportName: "l1ActivityPenalty",
      check: (sol, lib) => tf.tidy(() => {
        const h = tf.randomNormal([5, 7], 0, 1, "float32", 1);
        close(values(sol(h, 0.3)), values(lib(h, 0.3)), "sparseL1Penalty");
      }),
    },
    {
      name: "reparameterisation",
      fn: "reparameterize",
      notebook: "autoencoders.ipynb",
      file: "models/vae.ts",
      exportName: "reparameterise",
      check: (sol, lib) => tf.tidy(() => {
        const [m, lv, e] = [1, 2, 3].map((s) => tf.randomNormal([4, 3], 0, 1, "float32", s));
        close(values(sol(m, lv, e)), values(lib(m, lv, e)), "reparameterize");
      }),
    },
    {
      name: "KL term (lib: per example; the exercise: its batch mean)",
      fn: "vaeKlDivergence",
      notebook: "autoencoders.ipynb",
      file: "models/vae.ts",
      exportName: "klDivergenceToStandardNormal",
      check: (sol, lib) => tf.tidy(() => {
        const [m, lv] = [4, 5].map((s) => tf.randomNormal([6, 3], 0, 1, "float32", s));
        close(values(sol(m, lv)), values(tf.mean(lib(m, lv) as tf.Tensor)), "vaeKlDivergence");
      }),
    },
    {
      name: "AUROC",
      fn: "auroc",
      notebook: "autoencoders.ipynb",
      file: "metrics/auroc.ts",
      exportName: "auroc",
      check: (sol, lib) => {
        const scores = Array.from({ length: 60 }, (_, i) => Math.round(Math.sin(i * 12.9898) * 43758.5453 % 1 * 10) / 10);
        const labels = scores.map((_, i) => (i % 4 === 0 ? 1 : 0));
        close([sol(scores, labels) as number], [lib(scores, labels) as number], "auroc");
      },
    },
    {
      name: "sinusoidal positional encoding",
      fn: "sinusoidalPositionalEncoding",
      notebook: "transformers.ipynb",
      file: "layers/positionalEncoding.ts",
      exportName: "positionalEncodingValues",
      check: (sol, lib) => close(values(sol(20, 8)), Array.from(lib(20, 8) as Float32Array), "sinusoidalPositionalEncoding"),
    },
    {
      name: "scaled dot-product attention (lib: with a heads axis)",
      fn: "scaledDotProductAttention",
      notebook: "transformers.ipynb",
      file: "layers/attention.ts",
      exportName: "scaledDotProductAttention",
      check: (sol, lib) => tf.tidy(() => {
        const [q, k, v] = [6, 7, 8].map((s) => tf.randomNormal([2, 4, 8], 0, 1, "float32", s) as tf.Tensor3D);
        const mask = tf.linalg.bandPart(tf.ones([4, 4]), -1, 0).reshape([1, 4, 4]);
        const mine = sol(q, k, v, mask) as { output: tf.Tensor; weights: tf.Tensor };
        const four = (t: tf.Tensor) => t.reshape([2, 1, 4, 8]);
        const theirs = lib(four(q), four(k), four(v), mask.reshape([1, 1, 4, 4])) as { output: tf.Tensor; weights: tf.Tensor };
        close(values(mine.weights), values(theirs.weights), "attention weights");
        close(values(mine.output), values(theirs.output), "attention output");
      }),
    },
    ...([
      ["discriminatorLoss", "discriminatorLoss", 2],
      ["generatorLossMinimax", "saturatingGeneratorLoss", 1],
      ["generatorLossNonSaturating", "nonSaturatingGeneratorLoss", 1],
    ] as [string, string, number][]).map(([mine, theirs, arity]) => ({
      name: `${mine} (lib: ${theirs})`,
      fn: mine,
      notebook: "gans.ipynb",
      file: "losses/gan.ts",
      exportName: theirs,
      check: (sol: Fn, lib: Fn) => tf.tidy(() => {
        const args = Array.from({ length: arity }, (_, i) => tf.mul(tf.randomNormal([8, 1], 0, 1, "float32", 10 + i), 20));
        close(values(sol(...args)), values(lib(...args)), mine);
      }),
    })),
  ];

  for (const c of cases) {
    it(c.name, function () {
      const lib = libExport(c.file, c.exportName);
      if (!lib) this.skip();
      const fns = solutionFunctions(c.notebook);
      c.check(fns[c.fn], lib!);
    });
  }
});
