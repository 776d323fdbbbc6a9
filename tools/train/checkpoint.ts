/**
 * Writing a checkpoint's folder: each file atomically (@ts-course/cli's writeFileAtomic: fsync,
 * rename), in the order the model gives them (weights before the config that describes them), so
 * a lecture that loads the checkpoint while training runs sees the old one or the new one.
 */
import * as path from "path";
import { writeFileAtomic } from "@ts-course/cli";
import type { CheckpointFile } from "../../lib/models/saveLoad";

export function writeCheckpoint(dir: string, files: CheckpointFile[]): void {
  for (const file of files) writeFileAtomic(path.join(dir, file.name), file.data);
}

/** A recipe.json (what made the checkpoint), with the indent the folder's other recipes use. */
export function writeRecipe(dir: string, recipe: Record<string, unknown>, indent = 1): void {
  writeFileAtomic(path.join(dir, "recipe.json"), JSON.stringify(recipe, null, indent) + "\n");
}
