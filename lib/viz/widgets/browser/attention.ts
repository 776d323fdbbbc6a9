/**
 * Attention of the number translator: type a number in words (or pick one), "translate" (or Enter)
 * runs the lecture's greedy decoding in the page; then hovering, focusing or pressing a token shows
 * its attention weights per head as a table (percentages, shaded): a digit the decoder wrote shows
 * where its cross-attention looked among the source words; a source word shows the encoder's
 * self-attention. Tokens are buttons: Tab reaches them, arrow keys move along a row, focus selects.
 */
import type { TranslatorPayload } from "../payloads";
import { attendSentence, decodeTranslator, SentenceAttention } from "../translatorCompute";
import { numberToWords } from "../../../data/translation";
import { button, el, uid } from "./dom";

type Selected = { side: "source" | "output"; index: number };

/** 0..9999 whose words these are, or null (the model may be given any words of its vocabulary). */
function valueOf(words: string[]): number | null {
  const text = words.join(" ");
  for (let n = 0; n <= 9999; n++) if (numberToWords(n) === text) return n;
  return null;
}

export function mountAttention(root: HTMLElement, payload: TranslatorPayload): void {
  const translator = decodeTranslator(payload);
  const inputId = uid("sentence");
  const listId = uid("examples");
  const input = el("input", { type: "text", id: inputId, list: listId, value: payload.start, size: "44", spellcheck: "false", autocomplete: "off" });
  const examples = el("datalist", { id: listId }, ...payload.examples.map((e) => el("option", { value: e })));
  const go = button("translate");
  const result = el("p", { "aria-live": "polite", style: "margin:.25em 0" });
  const sourceRow = el("div", { role: "group", "aria-label": "source words (the encoder reads them)", style: "display:flex;flex-wrap:wrap;gap:.25em;align-items:center" });
  const outputRow = el("div", { role: "group", "aria-label": "output tokens (the decoder wrote them)", style: "display:flex;flex-wrap:wrap;gap:.25em;align-items:center" });
  const table = el("table", { style: "border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums" });
  const vocabulary = payload.sourceTokens.filter((t) => !t.startsWith("["));
  root.append(
    el("div", { style: "display:flex;gap:.5em;align-items:center;flex-wrap:wrap" }, el("label", { for: inputId }, "number in words"), input, examples, go),
    el("p", { style: "margin:.25em 0;font-size:.85em" }, `Words the model knows: ${vocabulary.join(" ")}. Hover or focus a token (Tab, then the arrow keys) to see its attention per head.`),
    result,
    el("div", { style: "display:flex;gap:.5em;align-items:center;margin:.25em 0" }, el("span", { style: "min-width:5em" }, "source"), sourceRow),
    el("div", { style: "display:flex;gap:.5em;align-items:center;margin:.25em 0" }, el("span", { style: "min-width:5em" }, "output"), outputRow),
    table,
  );

  const state = { words: [] as string[], seen: null as SentenceAttention | null, selected: null as Selected | null, shown: [] as number[][], error: "" };
  (root as any).courseWidgetState = state; // read by the browser tests

  function tokenButton(text: string, side: Selected["side"], index: number, row: HTMLElement): HTMLButtonElement {
    const b = button(text);
    b.style.margin = "0";
    b.setAttribute("aria-pressed", "false");
    b.dataset.side = side;
    b.dataset.index = String(index);
    const pick = () => select({ side, index });
    b.addEventListener("mouseenter", pick);
    b.addEventListener("focus", pick);
    b.addEventListener("click", pick);
    b.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      const buttons = Array.from(row.querySelectorAll("button"));
      buttons[Math.min(buttons.length - 1, Math.max(0, index + step))]?.focus();
    });
    return b;
  }

  function select(sel: Selected): void {
    const seen = state.seen;
    if (!seen) return;
    state.selected = sel;
    for (const b of root.querySelectorAll<HTMLButtonElement>("button[data-side]")) {
      const on = b.dataset.side === sel.side && Number(b.dataset.index) === sel.index;
      b.setAttribute("aria-pressed", String(on));
      b.style.outline = on ? "2px solid #1f77b4" : "";
      b.style.fontWeight = on ? "bold" : "";
    }
    const rows = sel.side === "output" ? seen.cross : seen.encoderSelf; // [heads][query][source word]
    state.shown = rows.map((h) => h[sel.index]);
    const query = sel.side === "output" ? `the decoder position that predicts "${seen.predicts[sel.index]}"` : `the source word "${state.words[sel.index]}" (position ${sel.index})`;
    const kind = sel.side === "output" ? "cross-attention of the last decoder block" : "self-attention of the last encoder block";
    table.textContent = "";
    table.append(el("caption", { style: "text-align:left;caption-side:top;padding:.25em 0" }, `Where ${query} looks: ${kind}, % per head`));
    const head = el("tr", {}, el("th", { scope: "col" }, "head"), ...state.words.map((w, j) => el("th", { scope: "col", style: "padding:.1em .5em" }, `${j}: ${w}`)));
    table.append(head);
    const mean = state.words.map((_, j) => state.shown.reduce((s, h) => s + h[j], 0) / state.shown.length);
    [...state.shown, mean].forEach((weights, h) => {
      const label = h < state.shown.length ? `head ${h + 1}` : "mean";
      table.append(
        el("tr", {}, el("th", { scope: "row", style: "text-align:left;padding:.1em .5em" }, label), ...weights.map((v) => el("td", { style: `padding:.1em .5em;text-align:right;background:rgba(31,119,180,${(0.85 * v).toFixed(3)})` }, `${Math.round(100 * v)}%`))),
      );
    });
  }

  function translate(): void {
    state.words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    sourceRow.textContent = "";
    outputRow.textContent = "";
    table.textContent = "";
    state.seen = null;
    state.selected = null;
    state.shown = [];
    try {
      state.seen = attendSentence(translator, state.words);
      state.error = "";
    } catch (e) {
      state.error = (e as Error).message;
      result.textContent = state.error;
      return;
    }
    const seen = state.seen;
    const value = valueOf(state.words);
    const verdict = value == null ? "(these words are not a number from 0 to 9,999: the model answers anyway)" : seen.output.join("") === String(value) ? "✓ right" : `✗ the number is ${value}`;
    result.textContent = `→ ${seen.output.join("") || "(nothing)"} ${verdict}`;
    state.words.forEach((w, j) => sourceRow.append(tokenButton(w, "source", j, sourceRow)));
    seen.predicts.forEach((t, i) => outputRow.append(tokenButton(t, "output", i, outputRow)));
    select({ side: "output", index: 0 });
  }

  go.addEventListener("click", translate);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") translate();
  });
  input.addEventListener("change", translate); // a pick from the list
  translate();
}
