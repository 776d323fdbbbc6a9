/**
 * Where the package's own files are, and files of the packages it embeds (KaTeX, plotly.js).
 * Found from this file's location, so a copied or moved checkout uses its own files.
 */
import * as fs from "fs";
import * as path from "path";

/** tools/nbconvert-ts */
export const PACKAGE_DIR = path.resolve(__dirname, "..");

const packageDirs = new Map<string, string>();

/**
 * A file inside an installed package, found in the node_modules folders above this package.
 * (require.resolve reads each package's "exports" map: several times slower, and it matters
 * for a CLI that starts in a tenth of a second.)
 */
export function packageFile(name: string, file: string): string {
  let dir = packageDirs.get(name);
  if (!dir) {
    for (let d = PACKAGE_DIR; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, "node_modules", name, "package.json"))) {
        dir = path.join(d, "node_modules", name);
        break;
      }
      if (path.dirname(d) === d) throw new Error(`nbconvert-ts: the package ${name} is not installed (run npm ci)`);
    }
    packageDirs.set(name, dir);
  }
  return path.join(dir, file);
}
