/**
 * What a handout embeds so that it works offline and makes no request at all: the theme,
 * KaTeX's stylesheet with its fonts as data URLs (woff2 only: every current browser reads it),
 * and plotly.js, once per page and only on pages with figures. Read once per process.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "@ts-course/cli";
import { PACKAGE_DIR, packageFile } from "../paths";

const cache = new Map<string, string>();

function once(key: string, make: () => string): string {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

function resolvePackageFile(request: string): string {
  const [scopeOrName, ...rest] = request.split("/");
  const name = scopeOrName.startsWith("@") ? `${scopeOrName}/${rest.shift()}` : scopeOrName;
  return packageFile(name, rest.join("/"));
}

export function themeCss(): string {
  return once("theme", () => fs.readFileSync(path.join(PACKAGE_DIR, "src", "html", "theme.css"), "utf8"));
}

export function headScript(): string {
  return once("head", () => fs.readFileSync(path.join(PACKAGE_DIR, "src", "html", "head.js"), "utf8"));
}

export function pageScript(): string {
  return once("page", () => fs.readFileSync(path.join(PACKAGE_DIR, "src", "html", "page.js"), "utf8"));
}

/**
 * A file derived from an installed package, kept in .cache/ under a name that holds the package's
 * version: valid in any checkout with that version installed (no paths, no modification times).
 */
function derived(name: string, make: () => string): string {
  const file = path.join(PACKAGE_DIR, ".cache", name);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // not made yet
  }
  const content = make();
  try {
    writeFileAtomic(file, content);
  } catch {
    // read-only: make it again next time
  }
  return content;
}

/** katex.min.css with every font inlined as a woff2 data URL (made once, then read from .cache/). */
export function katexCss(): string {
  return once("katex", () => {
    const cssFile = resolvePackageFile("katex/dist/katex.min.css");
    const dir = path.dirname(cssFile);
    return derived(`katex-${packageVersion("katex")}-inline.css`, () => inlineFonts(fs.readFileSync(cssFile, "utf8"), dir));
  });
}

function inlineFonts(css: string, dir: string): string {
  return css.replace(/src:(url\([^)]*\) format\("[a-z0-9]+"\),?)+/g, (decl) => {
    const woff2 = /url\(([^)]+\.woff2)\)/.exec(decl);
    if (!woff2) throw new Error(`KaTeX CSS: no woff2 font in ${decl.slice(0, 80)}`);
    const data = fs.readFileSync(path.join(dir, woff2[1])).toString("base64");
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
}

let plotly: Buffer | { copyOf: string } | null = null;

/**
 * plotly.js (the minified dist) for an inline <script>. At 4.8 MB it is most of a handout, so
 * it is copied from its file into the handout as it is written, never held as a string.
 */
export function plotlyScript(): Buffer | { copyOf: string } {
  if (plotly) return plotly;
  const file = resolvePackageFile("plotly.js-dist-min/plotly.min.js");
  // "</script" inside would end the element early; plotly 3.7 has none, but check (once per install).
  const unsafe = derived(`plotly-${plotlyVersion()}-has-script-end.txt`, () => String(/<\/script/i.test(fs.readFileSync(file, "latin1")))) === "true";
  plotly = unsafe ? Buffer.from(fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script")) : { copyOf: file };
  return plotly;
}

function packageVersion(name: string): string {
  return once(`${name}-version`, () => JSON.parse(fs.readFileSync(packageFile(name, "package.json"), "utf8")).version);
}

export function plotlyVersion(): string {
  return packageVersion("plotly.js-dist-min");
}
