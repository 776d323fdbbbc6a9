/**
 * Markdown cells to HTML: marked (GitHub-flavoured), with LaTeX rendered by KaTeX at export
 * time, so the handout needs no MathJax and no script for maths.
 *
 * Maths delimiters as in Jupyter: `$…$` (pandoc's rule: no space inside the dollars, no digit
 * right after the closing one, so "$5 and $10" stays text; never across a code span) and `\(…\)` inline, `$$…$$`, `\[…\]` and
 * `\begin{equation|align|…}` blocks. Macros defined with \newcommand / \gdef in one cell
 * stay defined for the rest of the notebook, as in Jupyter's MathJax.
 *
 * Headings get ids (for the table of contents) and a ¶ link; `attachment:` images are
 * resolved to data URLs from the cell's attachments; fenced code is highlighted.
 */
import { Marked, Tokens } from "marked";
import { escapeHtml } from "./escape";
import { highlight } from "./highlight";
import { cachedTex } from "./texCache";

/** The one KaTeX function used (katex ships no type declarations). */
interface Katex {
  renderToString(tex: string, options: Record<string, unknown>): string;
}
let katexModule: Katex | null = null;
/** Loaded on the first formula: a notebook without maths does not pay for it. */
function katex(): Katex {
  return (katexModule ??= require("katex") as Katex);
}

export interface Heading {
  level: number;
  /** Plain text of the heading. */
  text: string;
  id: string;
}

export type Attachments = Record<string, Record<string, unknown>>;

const ENVIRONMENTS = "equation|equation\\*|align|align\\*|aligned|gather|gather\\*|multline|multline\\*|eqnarray|eqnarray\\*|split|cases|matrix|pmatrix|bmatrix";

export class MarkdownRenderer {
  readonly headings: Heading[] = [];
  /** True once any maths was rendered: the page then needs KaTeX's CSS and fonts. */
  usedMath = false;
  readonly mathErrors: string[] = [];
  private readonly macros: Record<string, string> = {};
  /** Every macro-defining formula so far, joined (part of the KaTeX cache key). */
  private definitions = "";
  private readonly slugs = new Map<string, number>();
  private attachments: Attachments = {};
  private readonly marked: Marked;

  constructor() {
    const self = this;
    this.marked = new Marked({
      gfm: true,
      extensions: [
        {
          name: "mathBlock",
          level: "block",
          start: (src: string) => src.match(/\$\$|\\\[|\\begin\{/)?.index,
          tokenizer(src: string) {
            const m =
              /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src) ??
              /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/.exec(src) ??
              new RegExp(`^ {0,3}(\\\\begin\\{(${ENVIRONMENTS})\\}[\\s\\S]+?\\\\end\\{\\2\\})[ \\t]*(?:\\n+|$)`).exec(src);
            if (m) return { type: "mathBlock", raw: m[0], text: m[1].trim() };
            return undefined;
          },
          renderer: (token) => `<div class="math-display">${self.tex(token.text, true)}</div>\n`,
        },
        {
          name: "mathInline",
          level: "inline",
          start: (src: string) => src.match(/\$|\\\(/)?.index,
          tokenizer(src: string) {
            let m = /^\$\$((?:\\.|[^\\$])+?)\$\$/.exec(src);
            if (m) return { type: "mathInline", raw: m[0], text: m[1], display: true };
            m = /^\$(?![\s$])((?:\\[\s\S]|[^\\$\n`]|\n(?!\s*\n))+?)(?<!\s)\$(?!\d)/.exec(src) ?? /^\\\(([\s\S]+?)\\\)/.exec(src);
            if (m) return { type: "mathInline", raw: m[0], text: m[1], display: false };
            return undefined;
          },
          renderer: (token) => self.tex(token.text, Boolean(token.display)),
        },
      ],
      renderer: {
        heading(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Heading) {
          const inner = this.parser.parseInline(token.tokens);
          // KaTeX writes each formula twice, as MathML (for screen readers, its TeX source included) and as
          // HTML glyphs: the plain text keeps the glyphs only, or "what $D$ believes" would read "what DDD believes".
          const text = inner.replace(/<span class="katex-mathml">[\s\S]*?<\/math><\/span>/g, "").replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").trim();
          const id = self.slug(text);
          self.headings.push({ level: token.depth, text, id });
          return `<h${token.depth} id="${id}">${inner}<a class="anchor" href="#${id}" aria-label="link to this section">¶</a></h${token.depth}>\n`;
        },
        code(token: Tokens.Code) {
          const lang = (token.lang ?? "").trim().split(/\s+/)[0] || "typescript";
          return `<pre class="code-block"><code class="hljs language-${escapeHtml(lang)}">${highlight(token.text, lang)}</code></pre>\n`;
        },
        image(token: Tokens.Image) {
          let href = token.href ?? "";
          if (href.startsWith("attachment:")) href = self.attachmentUrl(href.slice("attachment:".length)) ?? href;
          const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
          return `<img src="${escapeHtml(href)}" alt="${escapeHtml(token.text ?? "")}"${title}>`;
        },
      },
    });
  }

  render(markdown: string, attachments: Attachments = {}): string {
    this.attachments = attachments;
    return this.marked.parse(markdown, { async: false }) as string;
  }

  /** KaTeX HTML for a TeX string; errors are shown in place (and collected), never thrown. */
  tex(source: string, display: boolean): string {
    this.usedMath = true;
    // Rendered once per formula (and macros before it), across runs: see ./texCache.ts.
    // A formula that defines macros is rendered every time: rendering it is what defines them.
    const defines = /\\(g?def|newcommand|renewcommand|let)\b/.test(source);
    // The macros in force are a function of the defining formulas seen so far: they join the key.
    const key = `${display ? "$$" : "$"}${source}${this.definitions ? `\u0000${this.definitions}` : ""}`;
    if (defines) this.definitions += `\u0000${source}`;
    try {
      return cachedTex(key, () => katex().renderToString(source, { displayMode: display, throwOnError: true, macros: this.macros, globalGroup: true, strict: "ignore", trust: false }), !defines);
    } catch (e) {
      this.mathErrors.push(`${(e as Error).message} in ${display ? "$$" : "$"}${source}${display ? "$$" : "$"}`);
      return `<span class="math-error" title="${escapeHtml((e as Error).message)}">${escapeHtml(source)}</span>`;
    }
  }

  /** A unique id for a heading, GitHub-style. */
  slug(text: string): string {
    const base = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\p{L}\p{N}\s-]/gu, "").trim().replace(/\s+/g, "-") || "section";
    const n = this.slugs.get(base) ?? 0;
    this.slugs.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  }

  private attachmentUrl(name: string): string | null {
    const bundle = this.attachments[decodeURIComponent(name)];
    if (!bundle) return null;
    const mime = Object.keys(bundle).find((k) => k.startsWith("image/"));
    if (!mime) return null;
    const data = bundle[mime];
    const value = Array.isArray(data) ? data.join("") : String(data);
    return mime === "image/svg+xml" ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(value)}` : `data:${mime};base64,${value.replace(/\s+/g, "")}`;
  }
}
