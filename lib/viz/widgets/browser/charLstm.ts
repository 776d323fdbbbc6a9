/**
 * The character LSTM writes: type a seed text, pick a temperature, press "write"; each press
 * samples anew (the next seed). Temperature 0 always takes the likeliest character.
 */
import type { CharLstmPayload } from "../payloads";
import { decodeCharLstm, promptIds, writeText } from "../charLstmCompute";
import { button, el, slider, uid } from "./dom";

export function mountCharLstm(root: HTMLElement, payload: CharLstmPayload): void {
  const model = decodeCharLstm(payload);
  const promptId = uid("prompt");
  const prompt = el("input", { type: "text", id: promptId, value: payload.prompt, size: "40", spellcheck: "false" });
  const temperature = slider("temperature", 0, 2, 0.05, payload.temperature, (v) => v.toFixed(2));
  const write = button("write");
  const out = el("pre", { "aria-live": "polite", style: "white-space:pre-wrap;margin:.5em 0;padding:.5em;border:1px solid currentColor;min-height:4em" });
  const note = el("p", { style: "margin:.25em 0;font-size:.85em" });
  root.append(el("div", { style: "display:flex;gap:.5em;align-items:center;flex-wrap:wrap" }, el("label", { for: promptId }, "seed text"), prompt, write), temperature.wrap, out, note);

  const state = { seed: payload.seed, prompt: payload.prompt, temperature: payload.temperature, text: "" };
  (root as any).courseWidgetState = state; // read by the browser tests

  function render(): void {
    const { ids, dropped } = promptIds(model, prompt.value);
    state.prompt = prompt.value;
    state.temperature = Number(temperature.input.value);
    if (ids.length === 0) {
      out.textContent = "";
      note.textContent = "The seed text needs at least one character the model knows (lower-case letters, punctuation, spaces).";
      state.text = "";
      return;
    }
    state.text = writeText(model, ids, payload.length, state.temperature, state.seed);
    out.textContent = "";
    out.append(el("b", {}, ids.map((i) => model.chars[i]).join("")), state.text); // the seed as the model read it
    note.textContent = `sample ${state.seed}, temperature ${state.temperature.toFixed(2)}` + (dropped.length ? `; left out, unknown to the model: ${[...new Set(dropped)].map((c) => JSON.stringify(c)).join(" ")}` : "");
  }
  write.addEventListener("click", () => {
    state.seed += 1;
    render();
  });
  prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      state.seed += 1;
      render();
    }
  });
  temperature.input.addEventListener("change", render);
  render();
}
