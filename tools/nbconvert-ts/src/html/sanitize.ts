/**
 * Untrusted HTML made inert: what an export of someone else's notebook (a student's, in the
 * grader's feedback pages or the course service) does with every piece of HTML the notebook
 * carries — Markdown with raw HTML, text/html and SVG outputs, raw HTML cells.
 *
 * DOMPurify (cure53) does the work, on jsdom's spec-compliant HTML parser, with HTML, SVG and
 * MathML (KaTeX) allowed and, on top of its defaults:
 * - no elements that run, load, submit or restyle the page: script, style, link, meta, base,
 *   iframe/object/embed, form controls, media, SVG animation (which can rewrite links);
 * - links only to http(s), mailto and the page itself; every other URL may only be an image
 *   inlined as a data: URL or a place in the page itself, so nothing is ever fetched;
 * - style attributes keep layout and colour (KaTeX needs them) but lose url(), @-rules, escapes
 *   and positioning, so a fragment cannot fetch or cover the page;
 * - no data-* attributes (the page script reads some); ids that would shadow document
 *   properties (DOM clobbering) go.
 *
 * The exported page also gets a Content-Security-Policy that allows only its own two scripts
 * (by hash), so even a fragment the sanitiser missed could not run one. jsdom and DOMPurify are
 * loaded on the first call only: the course's own handouts never pay for them.
 */
import type { DOMPurify as Purifier, Config } from "dompurify";

const FORBID_TAGS = [
  "script", "style", "link", "meta", "base", "title", "noscript", "template",
  "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
  "form", "input", "button", "select", "option", "textarea", "datalist", "output",
  "audio", "video", "source", "track", "picture",
  "animate", "animatemotion", "animatetransform", "animatecolor", "set", "foreignobject", "use",
];

const CONFIG: Config = {
  USE_PROFILES: { html: true, svg: true, svgFilters: true, mathMl: true },
  FORBID_TAGS,
  FORBID_ATTR: ["srcset", "ping", "action", "formaction", "background", "poster", "target"],
  ALLOW_DATA_ATTR: false,
};

/**
 * Attributes holding a URL (DOMPurify's own URL check applies to these and, with a custom
 * pattern, to every attribute: so the policy is kept here instead). A link (<a href>) may lead
 * to a web page, a mail address or a place in this page; anything else may only be an inline
 * image or a place in this page, so nothing is ever fetched.
 */
const URL_ATTRIBUTES = new Set(["href", "xlink:href", "src", "action", "formaction", "data", "codebase", "cite", "longdesc", "usemap", "manifest"]);
const LINK_URL = /^(?:https?:|mailto:|#)/i;
const INLINE_URL = /^(?:#|data:image\/(?:png|jpe?g|gif|webp|svg\+xml)[;,])/i;

/** CSS properties a style attribute keeps: box sizes, spacing, alignment, colour, type. */
const STYLE_PROPERTIES = /^(?:(?:min-|max-)?(?:width|height)|vertical-align|top|bottom|left|right|(?:margin|padding)(?:-(?:top|right|bottom|left))?|border(?:-(?:top|right|bottom|left))?(?:-(?:width|style|color))?|color|background-color|text-align|text-decoration|font-(?:weight|style|size|family)|white-space|display)$/i;
const STYLE_VALUE_FORBIDDEN = /url\s*\(|image-set|expression|@|\\|\/\*|<|var\s*\(/i;

/** The declarations of a style attribute that are safe to keep, or "" when none is. */
export function cleanStyle(style: string): string {
  const kept: string[] = [];
  for (const declaration of style.split(";")) {
    const colon = declaration.indexOf(":");
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim();
    const value = declaration.slice(colon + 1).trim();
    if (STYLE_PROPERTIES.test(property) && value !== "" && !STYLE_VALUE_FORBIDDEN.test(value)) kept.push(`${property}:${value}`);
  }
  return kept.join(";");
}

let purifier: Purifier | null = null;

function load(): Purifier {
  if (purifier) return purifier;
  const { JSDOM } = require("jsdom") as { JSDOM: new (html: string) => { window: unknown } };
  const createDOMPurify = require("dompurify") as (window: unknown) => Purifier;
  const p = createDOMPurify(new JSDOM("").window);
  p.addHook("uponSanitizeAttribute", (node, data) => {
    const name = data.attrName.toLowerCase();
    if (URL_ATTRIBUTES.has(name)) {
      const url = data.attrValue.replace(/[\u0000-\u0020]/g, "");
      const isLink = node.nodeName.toLowerCase() === "a" && name === "href";
      if (!(isLink ? LINK_URL : INLINE_URL).test(url)) data.keepAttr = false;
    } else if (name === "style") {
      const cleaned = cleanStyle(data.attrValue);
      if (cleaned === "") data.keepAttr = false;
      else data.attrValue = cleaned;
    }
  });
  p.addHook("afterSanitizeAttributes", (node) => {
    // a student's link to a web page opens without telling it where it came from
    if (node.nodeName.toLowerCase() === "a" && /^https?:/i.test(node.getAttribute("href") ?? "")) node.setAttribute("rel", "noopener noreferrer nofollow");
  });
  purifier = p;
  return p;
}

/** The fragment with everything that could run, load or submit anything removed. */
export function sanitizeHtml(html: string): string {
  if (html === "") return "";
  return load().sanitize(html, CONFIG) as string;
}
