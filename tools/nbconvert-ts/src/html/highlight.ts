/**
 * Syntax highlighting at export time (no script in the page). TypeScript and JavaScript go
 * through the course's own one-pass lexer (./tsHighlight.ts: about 20× faster than
 * highlight.js's grammar, with the same class names); the few other languages a course shows go
 * through highlight.js, each grammar registered on first use.
 */
import hljs from "highlight.js/lib/core";
import { escapeHtml } from "./escape";
import { highlightTypeScript } from "./tsHighlight";

type Grammar = Parameters<typeof hljs.registerLanguage>[1];

const GRAMMARS: Record<string, () => Grammar> = {
  typescript: () => require("highlight.js/lib/languages/typescript"),
  javascript: () => require("highlight.js/lib/languages/javascript"),
  json: () => require("highlight.js/lib/languages/json"),
  bash: () => require("highlight.js/lib/languages/bash"),
  python: () => require("highlight.js/lib/languages/python"),
  xml: () => require("highlight.js/lib/languages/xml"),
};
const ALIASES: Record<string, string> = { ts: "typescript", tsx: "typescript", js: "javascript", jsx: "javascript", sh: "bash", shell: "bash", console: "bash", html: "xml" };

const FAST_LANGUAGES = new Set(["typescript", "javascript"]);

function grammarName(language: string): string | null {
  const name = ALIASES[language] ?? language;
  if (!(name in GRAMMARS)) return null;
  if (!hljs.getLanguage(name)) {
    const mod = GRAMMARS[name]() as Grammar | { default: Grammar };
    hljs.registerLanguage(name, typeof mod === "function" ? mod : mod.default);
  }
  return name;
}

/** Highlighted HTML for inside <code>; plain escaped text for unknown languages. */
export function highlight(code: string, language = "typescript"): string {
  const lower = language.toLowerCase();
  if (FAST_LANGUAGES.has(ALIASES[lower] ?? lower)) return highlightTypeScript(code);
  const name = grammarName(lower);
  if (!name) return escapeHtml(code);
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}
