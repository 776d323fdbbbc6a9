/** Finding the data files that ship inside npm packages, with errors that say how to fix them. */
import * as fs from "fs";
import * as path from "path";

/** The absolute path of `file` inside the installed npm package `pkg`. */
export function packageFile(pkg: string, file: string): string {
  let root: string;
  try {
    root = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`The data package "${pkg}" is not installed. Run \`npm ci\` at the repository root (see data/README.md).`);
  }
  const full = path.join(root, file);
  if (!fs.existsSync(full)) {
    throw new Error(`Data file missing: ${full}. The package "${pkg}" looks incomplete; reinstall it with \`rm -rf node_modules/${pkg} && npm ci\`.`);
  }
  return full;
}
