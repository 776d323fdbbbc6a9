/**
 * Values across the process boundary, as plain JSON.
 *
 * JSON has no NaN, no undefined, no tensors, so special values travel as one-key objects whose key
 * starts with "$":
 *
 *   {$num: "NaN" | "Infinity" | "-Infinity"}    {$undefined: true}       {$bigint: "12"}
 *   {$tensor: {shape, dtype, data}}             {$typed: {type, data}}   {$map: [[k, v], …]}   {$set: […]}
 *   {$model: {layers?, weights}}                {$optimizer: {kind, learningRate}}               {$rng: {values | seed, used?}}
 *   {$function: name}   {$object: {…}} (an object whose own keys start with "$")   {$unsupported: "…"}
 *
 * Both ends use this file; tensors, models and optimizers are built by hooks (the sandbox has
 * tfjs, the runner does not need it). Encoding is bounded: depth, array length and total numbers.
 *
 * Compiled into the sandbox runtime: it must not import anything.
 */

export const MAX_DEPTH = 12;
export const MAX_ITEMS = 4_000_000;
export const MAX_STRING = 100_000;

export function encodeNumber(x: number): number | { $num: string } {
  return Number.isFinite(x) ? x : { $num: String(x) };
}

export function decodeNumber(x: unknown): number {
  if (typeof x === "number") return x;
  if (x && typeof x === "object" && "$num" in x) {
    const s = (x as { $num: unknown }).$num;
    return s === "NaN" ? NaN : s === "Infinity" ? Infinity : s === "-Infinity" ? -Infinity : NaN;
  }
  return NaN;
}

export interface EncodeHooks {
  /** Returns an encoding for values only this side understands (tensors, models), or undefined. */
  special?: (value: unknown, encode: (v: unknown) => unknown) => unknown | undefined;
}

const TYPED_NAMES = ["Float32Array", "Float64Array", "Int32Array", "Int16Array", "Int8Array", "Uint32Array", "Uint16Array", "Uint8Array", "Uint8ClampedArray"];

function tag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Encodes any value into JSON-safe data; never throws (a getter that throws becomes $unsupported). */
export function encodeValue(value: unknown, hooks: EncodeHooks = {}): unknown {
  let items = 0;
  const seen = new Set<object>();
  const enc = (v: unknown, depth: number): unknown => {
    if (++items > MAX_ITEMS) return { $unsupported: "too many values" };
    switch (typeof v) {
      case "number":
        return encodeNumber(v);
      case "string":
        return v.length > MAX_STRING ? v.slice(0, MAX_STRING) + "…" : v;
      case "boolean":
        return v;
      case "undefined":
        return { $undefined: true };
      case "bigint":
        return { $bigint: v.toString() };
      case "function": {
        const special = hooks.special?.(v, (x) => enc(x, depth + 1));
        if (special !== undefined) return special;
        return { $function: String((v as { name?: unknown }).name ?? "") || "anonymous" };
      }
      case "symbol":
        return { $unsupported: "symbol" };
    }
    if (v === null) return null;
    const obj = v as object;
    if (depth > MAX_DEPTH) return { $unsupported: "nested too deeply" };
    if (seen.has(obj)) return { $unsupported: "a cycle" };
    try {
      const special = hooks.special?.(obj, (x) => enc(x, depth + 1));
      if (special !== undefined) return special;
      const t = tag(obj);
      if (TYPED_NAMES.includes(t)) {
        const arr = obj as unknown as ArrayLike<number>;
        items += arr.length;
        if (items > MAX_ITEMS) return { $unsupported: "too many values" };
        return { $typed: { type: t, data: Array.from(arr, encodeNumber) } };
      }
      seen.add(obj);
      try {
        if (Array.isArray(obj)) {
          if (obj.length > MAX_ITEMS) return { $unsupported: `an array of ${obj.length} items` };
          return Array.from(obj, (x) => enc(x, depth + 1));
        }
        if (t === "Map") return { $map: Array.from((obj as Map<unknown, unknown>).entries(), ([k, x]) => [enc(k, depth + 1), enc(x, depth + 1)]) };
        if (t === "Set") return { $set: Array.from((obj as Set<unknown>).values(), (x) => enc(x, depth + 1)) };
        if (t === "Promise") return { $unsupported: "a Promise (was the function meant to be synchronous?)" };
        const out: Record<string, unknown> = {};
        let dollar = false;
        for (const key of Object.keys(obj)) {
          if (key.startsWith("$")) dollar = true;
          out[key] = enc((obj as Record<string, unknown>)[key], depth + 1);
        }
        return dollar ? { $object: out } : out;
      } finally {
        seen.delete(obj);
      }
    } catch (err) {
      return { $unsupported: `a value that could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})` };
    }
  };
  return enc(value, 0);
}

export interface DecodeHooks {
  /** Builds a value for a marker ("$tensor", "$model", …); undefined when this side does not handle it. */
  marker?: (key: string, body: unknown, decode: (v: unknown) => unknown) => unknown | undefined;
}

/** Decodes what encodeValue produced (and what the specs send as arguments). */
export function decodeValue(data: unknown, hooks: DecodeHooks = {}, depth = 0): unknown {
  if (depth > MAX_DEPTH + 2) throw new Error("value nested too deeply");
  if (data === null || typeof data !== "object") return data;
  const dec = (v: unknown) => decodeValue(v, hooks, depth + 1);
  if (Array.isArray(data)) return data.map(dec);
  const keys = Object.keys(data);
  if (keys.length === 1 && keys[0].startsWith("$")) {
    const key = keys[0];
    const body = (data as Record<string, unknown>)[key];
    const custom = hooks.marker?.(key, body, dec);
    if (custom !== undefined) return custom;
    switch (key) {
      case "$num":
        return decodeNumber(data);
      case "$undefined":
        return undefined;
      case "$bigint":
        return BigInt(String(body));
      case "$typed": {
        const b = body as { type: string; data: unknown[] };
        const ctor = (globalThis as unknown as Record<string, new (xs: number[]) => unknown>)[b.type];
        if (!TYPED_NAMES.includes(b.type) || typeof ctor !== "function") throw new Error(`unknown typed array ${b.type}`);
        return new ctor(b.data.map(decodeNumber));
      }
      case "$map":
        return new Map((body as [unknown, unknown][]).map(([k, v]) => [dec(k), dec(v)]));
      case "$set":
        return new Set((body as unknown[]).map(dec));
      case "$object": {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(body as Record<string, unknown>)) setOwn(out, k, dec(v));
        return out;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) setOwn(out, k, dec((data as Record<string, unknown>)[k]));
  return out;
}

/** An own property even for "__proto__": decoded data never reaches a prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
