/**
 * The widgets' browser runtime: TensorFlow.js (tfjs-core with the cpu backend only) and the
 * widgets' own code, bundled by esbuild from this checkout's node_modules into one classic
 * script that defines `window.courseWidgets`. One copy per page serves every widget on it:
 * the handout exporter appends it once; in JupyterLab the first widget of a kernel session
 * sends it as an output of its own.
 *
 * Why the cpu backend: the models are small (a 2-256-784 decoder is 0.2 M multiply-adds), so a
 * pass takes milliseconds in plain JavaScript; cpu needs no file to load (wasm would fetch a .wasm
 * binary, which the handout's Content-Security-Policy and a file:// page both refuse, and WebGL
 * may be missing or compute in float16), and it runs the same IEEE arithmetic as Node's cpu
 * backend, so the browser's numbers equal Node's bit for bit.
 *
 * Built in a fraction of a second, once per process; no file is written.
 */
import * as crypto from "crypto";
import * as path from "path";

export interface WidgetRuntime {
  /** The script's text, safe inside <script>…</script>. */
  script: string;
  /** sha256 of the script, 12 hex digits: names the build. */
  id: string;
}

let built: WidgetRuntime | null = null;

/** The bundle's entry point (browser code, type-checked with the DOM library by its own tsconfig). */
export const RUNTIME_ENTRY = path.join(__dirname, "browser", "main.ts");

export function widgetRuntime(): WidgetRuntime {
  if (built) return built;
  // A plain require: tslab compiles what a notebook imports and needs no esbuild types for it.
  const esbuild = require("esbuild") as {
    buildSync(options: Record<string, unknown>): { outputFiles: { text: string }[] };
  };
  const result = esbuild.buildSync({
    entryPoints: [RUNTIME_ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    legalComments: "eof", // TensorFlow.js is Apache-2.0: its notices travel with it
    define: { "process.env.NODE_ENV": '"production"' },
    // lib's teaching code imports "@tensorflow/tfjs"; what the widgets reuse of it (the LSTM step,
    // the sampler) needs only tfjs-core's ops, so the page gets core and cpu, not all of TensorFlow.js.
    alias: { "@tensorflow/tfjs": path.join(__dirname, "browser", "tfjsCore.ts") },
    // A page may get the runtime twice (two notebooks open in one JupyterLab): the second copy does nothing.
    banner: { js: "if(!window.courseWidgets){" },
    footer: { js: "}" },
    logLevel: "silent",
  });
  const text = result.outputFiles[0].text;
  // "</script" inside would end the element early (the exporter and JupyterLab put it inline).
  const script = text.replace(/<\/script/gi, "<\\/script");
  built = { script, id: crypto.createHash("sha256").update(script).digest("hex").slice(0, 12) };
  return built;
}
