/** HTML escaping for text and attribute values (one home for the tools: @ts-course/cli). */
export { escapeHtml } from "@ts-course/cli";

/** JSON inside a <script> element: "</script>" and "<!--" must not appear in it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
