/**
 * What a grading spec (tests/autograder/{public,hidden}/<exercise>.grade.ts) writes:
 *
 *   const ex = exercise("autoencoders");
 *   describe("ae-sparse-l1 · sparse L1 penalty", () => {
 *     ex.test("ae-sparse-l1", "matches a hand-computed batch", async () => {
 *       expectScalar(await ex.call("sparseL1Penalty", T([[1, -2], [0, 3]]), 0.5), 1.5);
 *     });
 *   });
 *
 * Specs are ordinary mocha files, loaded only by the trusted runner (runner.ts). `ex.call` sends
 * the arguments to the submission's sandbox and returns the decoded result; the assertions and the
 * expected values stay in the runner, where student code cannot reach them. Points are not written
 * here: a cell's points come from the solution notebook and are shared among its tests by weight
 * (result.ts).
 */
import { fail, TensorValue } from "./assertions";
import type { CallOptions, SandboxSession } from "./sandboxClient";
import { decodeValue, encodeNumber, encodeValue } from "./sandbox/values";

export * from "./assertions";

export interface GradedTestInfo {
  exercise: string;
  gradeId: string;
  /** Relative share of the cell's points (1 unless the spec says otherwise). */
  weight: number;
}

export interface TestOptions {
  /** Relative share of the cell's points among its tests (default 1). */
  weight?: number;
  timeoutMs?: number;
}

/**
 * The time a training task may take in one call (its budget, on the grader's CPU backend), scaled
 * like every other limit by COURSE_GRADER_TIMEOUT_SCALE. The tasks are sized to take a few seconds.
 */
export function trainingBudgetMs(seconds: number): number {
  return seconds * 1000 * (Number(process.env.COURSE_GRADER_TIMEOUT_SCALE ?? 1) || 1);
}

/** Set by the runner before it loads the specs. */
let session: SandboxSession | null = null;

export function setGradingSession(s: SandboxSession | null): void {
  session = s;
}

function currentSession(): SandboxSession {
  if (!session) throw new Error("no grading session: grading specs run through `npm run check` or `npm run autograde`, not mocha directly");
  return session;
}

// ── arguments ─────────────────────────────────────────────────────────────────────────────
export interface Encoded {
  readonly __encoded: unknown;
}

function isEncoded(x: unknown): x is Encoded {
  return x !== null && typeof x === "object" && "__encoded" in (x as object);
}

/** A tensor argument from nested arrays (shape inferred) or flat data and a shape. */
export function T(values: unknown, shape?: number[], dtype: "float32" | "int32" | "bool" = "float32"): Encoded {
  const flat: number[] = [];
  const inferred: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    inferred.push(level.length);
    level = level[0];
  }
  const walk = (x: unknown) => (Array.isArray(x) ? x.forEach(walk) : flat.push(Number(x)));
  walk(values);
  if (typeof values === "number") inferred.length = 0;
  const s = shape ?? inferred;
  const size = s.reduce((a, b) => a * b, 1);
  if (size !== flat.length) throw new Error(`T(): ${flat.length} values do not fill shape [${s.join(", ")}]`);
  return { __encoded: { $tensor: { shape: s, dtype, data: flat.map(encodeNumber) } } };
}

export interface DenseLayerSpec {
  units: number;
  activation?: "linear" | "relu" | "sigmoid" | "tanh";
  useBias?: boolean;
  inputDim?: number;
}

/** A small tf.sequential of dense layers, built in the sandbox with these weights (getWeights order). */
export function denseModel(layers: DenseLayerSpec[], weights: { values: unknown; shape?: number[] }[]): Encoded {
  return { __encoded: { $model: { layers, weights: weights.map((w) => T(w.values, w.shape).__encoded) } } };
}

export function optimizer(kind: "sgd" | "adam" | "momentum", learningRate: number): Encoded {
  return { __encoded: { $optimizer: { kind, learningRate } } };
}

/** A random-number function for student code: these numbers in order, then an error. */
export function rngValues(values: number[]): Encoded {
  return { __encoded: { $rng: { values: values.map(encodeNumber) } } };
}

/** A seeded random-number function (mulberry32). */
export function rngSeed(seed: number): Encoded {
  return { __encoded: { $rng: { seed } } };
}

function encodeArg(x: unknown): unknown {
  if (isEncoded(x)) return x.__encoded;
  return encodeValue(x, { special: (v, enc) => (isEncoded(v) ? v.__encoded : Array.isArray(v) ? v.map(enc) : undefined) });
}

// ── results ───────────────────────────────────────────────────────────────────────────────
export class ModelValue {
  constructor(readonly weights: TensorValue[]) {}
}

export class OptimizerValue {
  /** iterations: how many updates the optimizer applied (its own count, from the sandbox). */
  constructor(readonly kind: string, readonly iterations: number) {}
}

export class RngValue {
  constructor(readonly used: number) {}
}

const DTYPES = ["float32", "int32", "bool", "complex64", "string"];

/**
 * A tensor from the sandbox, only if it is one a real tensor could be: a shape of whole numbers,
 * exactly as many values as the shape holds, a known dtype. The sandbox runs student code, so a
 * "tensor" claiming shape [100, 200] with 10 values is a forgery (or a broken harness), never a result.
 */
function tensorValue(b: Record<string, unknown>): TensorValue | { $unsupported: string } {
  const shape = b.shape;
  const data = b.data;
  if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 0)) return { $unsupported: "a malformed tensor (its shape is not a list of whole numbers)" };
  const size = shape.reduce((a: number, d: number) => a * d, 1);
  if (!Array.isArray(data) || data.length !== size) {
    return { $unsupported: `a malformed tensor: shape [${shape.join(", ")}] holds ${size} values, but ${Array.isArray(data) ? data.length : "no list of"} values came` };
  }
  if (!DTYPES.includes(String(b.dtype))) return { $unsupported: `a malformed tensor (dtype ${JSON.stringify(b.dtype)?.slice(0, 40)})` };
  return new TensorValue(shape.slice(), String(b.dtype), data.map((x) => (typeof x === "string" ? NaN : Number(decodeValue(x)))));
}

export function decodeResult(data: unknown): unknown {
  return decodeValue(data, {
    marker: (key, body, dec) => {
      const b = body as Record<string, unknown>;
      if (key === "$tensor") return tensorValue(b);
      if (key === "$model") return new ModelValue((Array.isArray(b.weights) ? b.weights : []).map((w) => dec(w) as TensorValue));
      if (key === "$rng") {
        const used = Number(b.used ?? 0);
        return Number.isInteger(used) && used >= 0 ? new RngValue(used) : { $unsupported: "a malformed random stream" };
      }
      if (key === "$function") return { $function: String(body) };
      if (key === "$unsupported") return { $unsupported: String(body) };
      if (key === "$optimizer") {
        const iterations = Number(b.iterations ?? 0);
        return Number.isInteger(iterations) && iterations >= 0 ? new OptimizerValue(String(b.kind).slice(0, 40), iterations) : { $unsupported: "a malformed optimizer" };
      }
      return undefined;
    },
  });
}

// ── exercises and graded tests ────────────────────────────────────────────────────────────
export interface ExerciseHandle {
  readonly name: string;
  /** A graded test of the cell `gradeId`: its share of the cell's points is earned when `fn` passes. */
  test(gradeId: string, title: string, fn: () => Promise<void>, options?: TestOptions): void;
  /** Calls a function of the student's notebook; returns its result, decoded. */
  call(fn: string, ...args: unknown[]): Promise<unknown>;
  /** The same, with the arguments as they are after the call (e.g. models after a training step). */
  callObserved(fn: string, args: unknown[], options?: CallOptions): Promise<{ value: unknown; args: unknown[] }>;
  /** Gradients of sum(fn(...args)) with respect to the tensor arguments at `wrt`. */
  grad(fn: string, args: unknown[], wrt: number[]): Promise<TensorValue[]>;
}

export function exercise(name: string): ExerciseHandle {
  return {
    name,
    test(gradeId, title, fn, options = {}) {
      const weight = options.weight ?? 1;
      if (!(weight > 0 && Number.isFinite(weight))) throw new Error(`${gradeId} "${title}": a test's weight must be a positive number`);
      const t = it(title, fn);
      if (options.timeoutMs) t.timeout(options.timeoutMs);
      (t as unknown as { course: GradedTestInfo }).course = { exercise: name, gradeId, weight };
    },
    async call(fn, ...args) {
      const r = await currentSession().call(name, fn, args.map(encodeArg));
      return decodeResult(r.value);
    },
    async callObserved(fn, args, options = {}) {
      const r = await currentSession().call(name, fn, args.map(encodeArg), { ...options, observe: true });
      return { value: decodeResult(r.value), args: ((r.args ?? []) as unknown[]).map(decodeResult) };
    },
    async grad(fn, args, wrt) {
      const r = await currentSession().call(name, fn, args.map(encodeArg), { gradWrt: wrt });
      const v = decodeResult(r.value);
      if (!Array.isArray(v) || !v.every((g) => g instanceof TensorValue)) throw new Error(`the gradient of ${fn} could not be computed`);
      return v as TensorValue[];
    },
  };
}

/** Passes when the student's function threw an error of its own (not a timeout or a crash). */
export async function expectThrows(call: Promise<unknown>, message: string): Promise<void> {
  try {
    await call;
  } catch (err) {
    if ((err as { kind?: string }).kind === "threw") return;
    throw err;
  }
  fail(message);
}
