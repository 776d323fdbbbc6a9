/**
 * The table of contents: headings as nested lists, three levels deep. A notebook whose only
 * top-level heading is its title lists the sections under it instead.
 */
import { escapeHtml } from "./escape";
import { Heading } from "./markdown";

interface Node {
  heading: Heading;
  children: Node[];
}

export function renderToc(headings: Heading[], depth = 3): string {
  if (headings.length === 0) return "";
  let list = headings;
  const top = Math.min(...list.map((h) => h.level));
  if (list.length > 1 && list.filter((h) => h.level === top).length === 1) list = list.filter((h) => h.level > top);
  const base = Math.min(...list.map((h) => h.level));
  list = list.filter((h) => h.level < base + depth);

  // Each heading goes under the nearest earlier heading of a smaller level.
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const heading of list) {
    const node = { heading, children: [] };
    while (stack.length && stack[stack.length - 1].heading.level >= heading.level) stack.pop();
    (stack.length ? stack[stack.length - 1].children : roots).push(node);
    stack.push(node);
  }
  const render = (nodes: Node[], level: number): string =>
    `<ol>${nodes
      .map(
        (n) =>
          `<li class="level-${level}"><a href="#${escapeHtml(n.heading.id)}">${escapeHtml(n.heading.text)}</a>${n.children.length ? render(n.children, level + 1) : ""}</li>`,
      )
      .join("")}</ol>`;
  return render(roots, 1);
}
