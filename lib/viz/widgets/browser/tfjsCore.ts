/**
 * "@tensorflow/tfjs" as the page sees it (../runtime.ts aliases the name here): tfjs-core, plus
 * the one name of tfjs-layers that lib code reached by the widgets touches when it loads
 * (lib/layers/fusedLstm.ts defines a layer class next to the LSTM step the writer reuses).
 * That class is never used in a page; its base only has to exist.
 */
export * from "@tensorflow/tfjs-core";
export const layers = { Layer: class Layer {} };
