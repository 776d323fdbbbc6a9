/**
 * Assertions for grading specs, with messages a student can act on: what shape was expected and
 * which came back, the first wrong value and where it is, a NaN named as a NaN.
 *
 * They run in the trusted runner on values decoded from the sandbox (plain data), never on
 * objects student code could have shaped.
 */

/** A tensor as it comes back from the sandbox. */
export class TensorValue {
  constructor(readonly shape: number[], readonly dtype: string, readonly data: number[]) {}
  get size(): number {
    return this.data.length;
  }
  /** The element at a multi-index. */
  at(...index: number[]): number {
    let flat = 0;
    for (let i = 0; i < this.shape.length; i++) flat = flat * this.shape[i] + (index[i] ?? 0);
    return this.data[flat];
  }
  toNested(): unknown {
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
}

export class GradeAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

export function fail(message: string): never {
  throw new GradeAssertionError(message);
}

export function shapeText(shape: number[]): string {
  return `[${shape.join(", ")}]`;
}

export function describeValue(x: unknown): string {
  if (x instanceof TensorValue) return `a tensor of shape ${shapeText(x.shape)}`;
  if (x === undefined) return "undefined (did the function return something?)";
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "number") return Number.isNaN(x) ? "NaN" : `the number ${x}`;
  if (typeof x === "object") {
    const keys = Object.keys(x as object);
    const unsupported = (x as Record<string, unknown>)["$unsupported"];
    if (typeof unsupported === "string") return unsupported;
    return keys.length ? `an object with keys ${keys.slice(0, 6).join(", ")}` : "an empty object";
  }
  return `a ${typeof x} (${String(x).slice(0, 60)})`;
}

/** Infers the shape of nested arrays and flattens them. */
export function flatten(nested: unknown): { shape: number[]; data: number[] } {
  if (nested instanceof TensorValue) return { shape: nested.shape, data: nested.data };
  const shape: number[] = [];
  let level: unknown = nested;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const data: number[] = [];
  const walk = (x: unknown) => (Array.isArray(x) ? x.forEach(walk) : data.push(Number(x)));
  walk(nested);
  return { shape, data };
}

function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    idx.unshift(flat % shape[i]);
    flat = Math.floor(flat / shape[i]);
  }
  return shapeText(idx);
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(4);
}

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** What the value is, for the message ("the output", "weights"). */
  what?: string;
}

/** Asserts that a value is a tensor and returns it. */
export function asTensor(actual: unknown, what = "the result"): TensorValue {
  if (actual instanceof TensorValue) return actual;
  fail(`${what} should be a tensor, but it is ${describeValue(actual)}`);
}

/** Compares a tensor with expected values (nested arrays or a TensorValue): shape first, then values. */
export function expectTensor(actual: unknown, expected: unknown, opts: CloseOptions = {}): TensorValue {
  const what = opts.what ?? "the result";
  const t = asTensor(actual, what);
  const exp = flatten(expected);
  if (t.shape.length !== exp.shape.length || t.shape.some((d, i) => d !== exp.shape[i])) {
    fail(`${what}: expected shape ${shapeText(exp.shape)}, got ${shapeText(t.shape)}`);
  }
  expectCloseArrays(t.data, exp.data, exp.shape, opts);
  return t;
}

/** Elementwise closeness with the first offending element in the message. */
export function expectCloseArrays(actual: number[], expected: number[], shape: number[], opts: CloseOptions = {}): void {
  const what = opts.what ?? "the result";
  const atol = opts.atol ?? 1e-4;
  const rtol = opts.rtol ?? 1e-4;
  let first = -1;
  let wrong = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(a) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      wrong++;
      if (first < 0) first = i;
    }
  }
  if (first >= 0) {
    const a = actual[first];
    const e = expected[first];
    const where = shape.length ? ` at ${indexOf(first, shape)}` : "";
    const head = Number.isNaN(a) ? `${what}: the value${where} is NaN (expected ${fmt(e)})` : !Number.isFinite(a) ? `${what}: the value${where} is ${a} (expected ${fmt(e)})` : `${what}: first wrong value${where}: expected ${fmt(e)}, got ${fmt(a)}`;
    fail(`${head}${expected.length > 1 ? `; ${wrong} of ${expected.length} values are off by more than the tolerance ${atol}` : ""}`);
  }
}

/** A number, or a tensor holding exactly one number. */
export function scalarOf(actual: unknown, what = "the result"): number {
  if (typeof actual === "number") return actual;
  if (actual instanceof TensorValue) {
    if (actual.size !== 1) fail(`${what} should be a scalar, but it is a tensor of shape ${shapeText(actual.shape)} (${actual.size} values): did you forget to reduce (mean/sum)?`);
    return actual.data[0];
  }
  fail(`${what} should be a number or a scalar tensor, but it is ${describeValue(actual)}`);
}

export function expectScalar(actual: unknown, expected: number, opts: CloseOptions = {}): number {
  const what = opts.what ?? "the result";
  const x = scalarOf(actual, what);
  expectCloseArrays([x], [expected], [], { ...opts, what });
  return x;
}

export function expectShape(actual: unknown, shape: number[], what = "the result"): TensorValue {
  const t = asTensor(actual, what);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(`${what}: expected shape ${shapeText(shape)}, got ${shapeText(t.shape)}`);
  return t;
}

/** Exact equality of integer lists (token ids, labels), naming the first difference. */
export function expectIntArray(actual: unknown, expected: number[], what = "the result"): number[] {
  let xs: number[];
  if (actual instanceof TensorValue) xs = actual.data;
  else if (Array.isArray(actual)) xs = actual.map(Number);
  else fail(`${what} should be an array of ${expected.length} numbers, but it is ${describeValue(actual)}`);
  if (xs.length !== expected.length) fail(`${what}: expected ${expected.length} values, got ${xs.length}`);
  const i = xs.findIndex((x, k) => x !== expected[k]);
  if (i >= 0) fail(`${what}: first difference at index ${i}: expected ${expected[i]}, got ${xs[i]} (expected [${expected.slice(0, 12).join(", ")}${expected.length > 12 ? ", …" : ""}])`);
  return xs;
}

export function expectTrue(condition: boolean, message: string): void {
  if (!condition) fail(message);
}

/** An object result's field, with a message when it is missing. */
export function field(actual: unknown, key: string, what = "the result"): unknown {
  if (actual === null || typeof actual !== "object" || Array.isArray(actual) || actual instanceof TensorValue) {
    fail(`${what} should be an object with a "${key}" field, but it is ${describeValue(actual)}`);
  }
  if (!(key in (actual as object))) fail(`${what} has no "${key}" field (it has: ${Object.keys(actual as object).join(", ") || "nothing"})`);
  return (actual as Record<string, unknown>)[key];
}
