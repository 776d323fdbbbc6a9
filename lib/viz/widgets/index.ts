/** Live widgets for handouts and JupyterLab: one call in a lecture cell shows a trained model the reader can play with. */
export * from "./vaeLatent";
export * from "./denoiser";
export * from "./generator";
export * from "./charLstm";
export * from "./toyGan";
export * from "./attention";
export { widgetBundle, showWidget, WIDGET_METADATA_KEY } from "./widget";
export { widgetRuntime } from "./runtime";
