/**
 * The repository root: the one place that knows where the course's checkout is.
 *
 * Found from this file's own location (tools/cli/ is two levels below the root), never from the
 * current directory or a path stored earlier, so a copied or moved checkout always means itself.
 */
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A path inside the checkout: repoPath("build", "executed") → <root>/build/executed. */
export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}
