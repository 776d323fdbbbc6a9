/**
 * Weights small enough to travel inside a handout page, and the same numbers back on both sides.
 *
 *   "int8":    per output column j, q = round((w − min_j) / scale_j) ∈ 0..255 with
 *              scale_j = (max_j − min_j) / 255: one byte a weight, error ≤ scale_j / 2.
 *   "float16": IEEE half precision (round to nearest even): two bytes a weight, ~3 significant digits.
 *   "float32": as trained (biases, which are few).
 *
 * Decoding is one function that Node (the lecture, the tests) and the browser bundle both run,
 * so a widget computes with exactly the dequantised weights that a Node check uses. Pure
 * TypeScript: no tf, no DOM, no Node (atob/btoa exist in both).
 */

export type Precision = "int8" | "float16" | "float32";

/** A [rows, cols] matrix or a vector ([cols]) as it is stored in a page. */
export interface EncodedArray {
  shape: number[];
  precision: Precision;
  /** base64 of the bytes: uint8 codes, float16 or float32 little-endian. */
  data: string;
  /** int8 only: base64 float32 min_j and scale_j, one per column. */
  min?: string;
  scale?: string;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function floatsToBase64(values: Float32Array): string {
  return bytesToBase64(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
}

function base64ToFloats(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, rounding to nearest even; overflow → ±Infinity. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf, NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // too small: ±0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // may carry into the exponent: still right
  return h;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Encodes a row-major [rows, cols] matrix (or a vector: shape [n]). */
export function encodeArray(values: Float32Array, shape: number[], precision: Precision): EncodedArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`encodeArray: ${values.length} values for shape [${shape}]`);
  if (!values.every(Number.isFinite)) throw new Error("encodeArray: the weights hold NaN or Infinity (did training diverge?)");
  if (precision === "float32") return { shape, precision, data: floatsToBase64(Float32Array.from(values)) };
  if (precision === "float16") {
    const half = new Uint16Array(size);
    for (let i = 0; i < size; i++) half[i] = toHalf(values[i]);
    return { shape, precision, data: bytesToBase64(new Uint8Array(half.buffer)) };
  }
  if (precision !== "int8") throw new Error(`encodeArray: precision "${precision}" is not int8, float16 or float32`);
  const cols = shape[shape.length - 1];
  const rows = size / cols;
  const min = new Float32Array(cols).fill(Infinity);
  const max = new Float32Array(cols).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      if (v < min[c]) min[c] = v;
      if (v > max[c]) max[c] = v;
    }
  }
  const scale = new Float32Array(cols);
  for (let c = 0; c < cols; c++) scale[c] = (max[c] - min[c]) / 255;
  const codes = new Uint8Array(size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) codes[r * cols + c] = scale[c] > 0 ? Math.round((values[r * cols + c] - min[c]) / scale[c]) : 0;
  }
  return { shape, precision, data: bytesToBase64(codes), min: floatsToBase64(min), scale: floatsToBase64(scale) };
}

/** The values a widget computes with (the same in Node and in the browser). */
export function decodeArray(encoded: EncodedArray): Float32Array {
  const size = encoded.shape.reduce((a, b) => a * b, 1);
  const bytes = base64ToBytes(encoded.data);
  if (encoded.precision === "float32") {
    const out = base64ToFloats(encoded.data);
    if (out.length !== size) throw new Error(`decodeArray: ${out.length} float32 values for shape [${encoded.shape}]`);
    return Float32Array.from(out);
  }
  const out = new Float32Array(size);
  if (encoded.precision === "float16") {
    if (bytes.length !== 2 * size) throw new Error(`decodeArray: ${bytes.length} bytes of float16 for shape [${encoded.shape}]`);
    const half = new Uint16Array(bytes.buffer, bytes.byteOffset, size);
    for (let i = 0; i < size; i++) out[i] = fromHalf(half[i]);
    return out;
  }
  if (encoded.precision !== "int8" || !encoded.min || !encoded.scale) throw new Error(`decodeArray: unknown precision "${encoded.precision}"`);
  if (bytes.length !== size) throw new Error(`decodeArray: ${bytes.length} codes for shape [${encoded.shape}]`);
  const min = base64ToFloats(encoded.min);
  const scale = base64ToFloats(encoded.scale);
  const cols = min.length;
  for (let i = 0; i < size; i++) out[i] = min[i % cols] + bytes[i] * scale[i % cols];
  return out;
}

/** Bytes the encoded array takes in a page (base64 characters, which is what the page holds). */
export function encodedSize(encoded: EncodedArray): number {
  return encoded.data.length + (encoded.min?.length ?? 0) + (encoded.scale?.length ?? 0);
}
