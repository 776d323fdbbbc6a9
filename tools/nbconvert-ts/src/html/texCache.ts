/**
 * KaTeX's HTML for each formula, kept between runs in .cache/katex-<version>.json.
 *
 * Rendering the maths is most of the cost of exporting a lecture (about 250 of 400 ms for
 * 2022-10-29), and a lecture's maths rarely changes between two exports: `npm run handouts`
 * re-executes the code, not the prose. The key is the formula, its display mode and the macros
 * defined before it, so a cached entry is exactly what KaTeX would render. The file is written
 * atomically (two exports at once: the last one wins, both are whole); a broken or foreign
 * file is ignored. NBCONVERT_TS_NO_CACHE=1 turns the cache off.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "@ts-course/cli";
import { PACKAGE_DIR } from "../paths";

const MAX_ENTRIES = 20_000;

let entries: Map<string, string> | null = null;
let dirty = false;

function cacheFile(): string {
  const version = (require("katex/package.json") as { version: string }).version;
  return path.join(PACKAGE_DIR, ".cache", `katex-${version}.json`);
}

const enabled = () => process.env.NBCONVERT_TS_NO_CACHE !== "1";

function load(): Map<string, string> {
  if (entries) return entries;
  entries = new Map();
  if (!enabled()) return entries;
  try {
    const json = JSON.parse(fs.readFileSync(cacheFile(), "utf8")) as unknown;
    if (json && typeof json === "object" && !Array.isArray(json)) {
      for (const [k, v] of Object.entries(json)) if (typeof v === "string") entries.set(k, v);
    }
  } catch {
    /* no cache yet, or an unreadable one: start empty */
  }
  return entries;
}

/** The cached HTML of `key`, or render it (and remember it unless `remember` is false). */
export function cachedTex(key: string, render: () => string, remember = true): string {
  const map = load();
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const html = render();
  if (remember && map.size < MAX_ENTRIES) {
    map.set(key, html);
    dirty = true;
  }
  return html;
}

/** Writes what this run added (called once an export is done). */
export function saveTexCache(): void {
  if (!dirty || !entries || !enabled()) return;
  try {
    writeFileAtomic(cacheFile(), JSON.stringify(Object.fromEntries(entries)));
    dirty = false;
  } catch {
    /* a read-only checkout: the cache is only an optimisation */
  }
}
