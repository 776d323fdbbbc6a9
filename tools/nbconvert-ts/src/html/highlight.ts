/**
 * Syntax highlighting with highlight.js at export time (no script in the page). Only the
 * languages a TypeScript course shows are available, and each is registered on first use:
 * building a grammar costs a few milliseconds, and most pages need TypeScript alone.
 */
import hljs from "highlight.js/lib/core";
import { escapeHtml } from "./escape";

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
  const name = grammarName(language.toLowerCase());
  if (!name) return escapeHtml(code);
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}
