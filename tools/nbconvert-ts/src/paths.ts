/** Where the package's own files live, found from this file (works from src/ and from a bundle). */
import * as fs from "fs";
import * as path from "path";

function findUp(start: string, test: (dir: string) => boolean): string {
  let dir = start;
  for (;;) {
    if (test(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`nbconvert-ts: could not find its package folder above ${start}`);
    dir = up;
  }
}

const isPackage = (dir: string) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "nbconvert-ts";
  } catch {
    return false;
  }
};

/** tools/nbconvert-ts */
export const PACKAGE_DIR = findUp(__dirname, isPackage);
/** The repository root (its node_modules has katex, plotly.js-dist-min, tslab, …). */
export const ROOT_DIR = path.resolve(PACKAGE_DIR, "..", "..");
export const SCHEMA_FILE = path.join(PACKAGE_DIR, "schema", "nbformat.v4.5.schema.json");

const packageDirs = new Map<string, string>();

/**
 * A file inside an installed package, found in the node_modules folders above this package.
 * (require.resolve reads each package's "exports" map: several times slower, and it matters
 * for a CLI that starts in a tenth of a second.)
 */
export function packageFile(name: string, file: string): string {
  let dir = packageDirs.get(name);
  if (!dir) {
    dir = findUp(PACKAGE_DIR, (d) => fs.existsSync(path.join(d, "node_modules", name, "package.json")));
    dir = path.join(dir, "node_modules", name);
    packageDirs.set(name, dir);
  }
  return path.join(dir, file);
}
