/**
 * Tables in notebooks. danfojs prints DataFrames as box-drawn text only; `showTable` renders
 * a DataFrame (or plain rows) as an HTML table, with the text table as the plain fallback.
 *
 * danfojs is loaded with a typed `require`: tslab ignores package.json `exports`, so
 * `import * as dfd from "danfojs"` does not type-check in a notebook.
 */
import type * as Danfo from "danfojs/dist/danfojs-browser/src/index";
import { displayBundle, MimeBundle } from "./display";
import { escapeHtml } from "./images";

export type DanfoModule = typeof Danfo;
/** danfojs, sharing the course's single @tensorflow/tfjs. */
export const dfd: DanfoModule = require("danfojs");

export interface TableLike {
  columns: string[];
  /** Row by row; a Series gives a single column. */
  values: unknown[][] | unknown[];
  index?: (string | number)[];
}

export function tableBundle(table: TableLike, options: { title?: string; maxRows?: number; digits?: number } = {}): MimeBundle {
  const rows = normaliseRows(table);
  const maxRows = options.maxRows ?? 50;
  const digits = options.digits ?? 4;
  const index = table.index ?? rows.map((_, i) => i);
  const shown = rows.slice(0, maxRows);
  const fmt = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(digits)) : String(v));
  const head = `<tr><th></th>${table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const body = shown.map((r, i) => `<tr><th>${escapeHtml(String(index[i]))}</th>${r.map((v) => `<td>${escapeHtml(fmt(v))}</td>`).join("")}</tr>`).join("");
  const more = rows.length > maxRows ? `<p>… ${rows.length - maxRows} more rows</p>` : "";
  const caption = options.title ? `<caption>${escapeHtml(options.title)}</caption>` : "";
  const html = `<table class="dataframe">${caption}<thead>${head}</thead><tbody>${body}</tbody></table>${more}`;
  const text = [["", ...table.columns].join("\t"), ...shown.map((r, i) => [index[i], ...r.map(fmt)].join("\t"))].join("\n");
  return { "text/html": html, "text/plain": (options.title ? options.title + "\n" : "") + text };
}

/** Shows a danfojs DataFrame or Series, or any {columns, values}, as an HTML table. */
export function showTable(table: TableLike | Danfo.DataFrame | Danfo.Series, options: { title?: string; maxRows?: number; digits?: number } = {}): void {
  displayBundle(tableBundle(asTableLike(table), options));
}

function asTableLike(table: TableLike | Danfo.DataFrame | Danfo.Series): TableLike {
  const t = table as unknown as { columns: unknown; values: unknown; index?: unknown };
  const index = Array.isArray(t.index) ? (t.index as (string | number)[]) : undefined;
  const columns = Array.isArray(t.columns) ? (t.columns as string[]) : ["value"];
  return { columns, values: t.values as unknown[][], index };
}

function normaliseRows(table: TableLike): unknown[][] {
  return (table.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
}
