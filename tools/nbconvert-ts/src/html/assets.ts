/**
 * What a handout embeds so that it works offline and makes no request at all: the theme,
 * KaTeX's stylesheet with its fonts as data URLs (woff2 only: every current browser reads it),
 * and plotly.js, once per page and only on pages with figures. Read once per process.
 */
import * as fs from "fs";
import * as path from "path";
import { PACKAGE_DIR } from "../paths";

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
  return require.resolve(request, { paths: [PACKAGE_DIR] });
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

/** katex.min.css with every font inlined as a woff2 data URL. */
export function katexCss(): string {
  return once("katex", () => {
    const cssFile = resolvePackageFile("katex/dist/katex.min.css");
    const dir = path.dirname(cssFile);
    const css = fs.readFileSync(cssFile, "utf8");
    return css.replace(/src:(url\([^)]*\) format\("[a-z0-9]+"\),?)+/g, (decl) => {
      const woff2 = /url\(([^)]+\.woff2)\)/.exec(decl);
      if (!woff2) throw new Error(`KaTeX CSS: no woff2 font in ${decl.slice(0, 80)}`);
      const data = fs.readFileSync(path.join(dir, woff2[1])).toString("base64");
      return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
    });
  });
}

/** plotly.js (the minified dist), as the text of an inline <script>. */
export function plotlyScript(): string {
  return once("plotly", () => {
    const js = fs.readFileSync(resolvePackageFile("plotly.js-dist-min/plotly.min.js"), "utf8");
    return js.replace(/<\/script/gi, "<\\/script");
  });
}

export function plotlyVersion(): string {
  return once("plotly-version", () => JSON.parse(fs.readFileSync(resolvePackageFile("plotly.js-dist-min/package.json"), "utf8")).version);
}
