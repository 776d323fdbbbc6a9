/**
 * Picks the fastest TensorFlow.js backend present, once per process.
 *
 *   tfjs-node-gpu  ("tensorflow", CUDA)   only where @tensorflow/tfjs-node-gpu is installed
 *   tfjs-node      ("tensorflow", CPU)    only where @tensorflow/tfjs-node is installed
 *   wasm           (XNNPACK, SIMD)        always: a dependency of the course
 *   cpu            (pure JavaScript)      always: the slow last resort
 *
 * COURSE_BACKEND=gpu|node|wasm|cpu forces one; a forced backend that cannot start is an error.
 *
 * Starting a backend is also when this folder plugs the course's speed work into TensorFlow.js,
 * through its kernel and gradient registries (and, where TensorFlow.js has no registry, the call
 * of two tfjs-layers layers and AdamOptimizer's step on their prototypes, and the outputs the
 * tape records of one kernel: patch.ts): on every
 * backend a faster tile gradient and layer normalisation (tileGradient.ts, layerNormalization.ts);
 * on wasm, kernels that 4.22 lacks or runs slowly (wasm/install.ts); on node, TensorFlow's fused
 * kernels (native/nativeSetup.ts). The teaching code (lib/layers, models, …) never imports this
 * folder; it runs the same maths with or without it.
 */
import * as tf from "@tensorflow/tfjs";
import { useFastLayerNormalization } from "./layerNormalization";
import { configureTensorFlow, patchTfjsNode, registerNativeKernels } from "./native/nativeSetup";
import { registerFastTileGradient } from "./tileGradient";
import { forwardedKernels } from "./wasm/fallbackKernels";
import { installWasmKernels } from "./wasm/install";

export type BackendChoice = "gpu" | "node" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendChoice[] = ["gpu", "node", "wasm", "cpu"];

export interface BackendInfo {
  choice: BackendChoice;
  /** The name tfjs registered it under: "tensorflow", "wasm" or "cpu". */
  tfName: string;
  tfjsVersion: string;
  forced: boolean;
  /** What was tried before this one, and why it was passed over. */
  skipped: { choice: BackendChoice; reason: string }[];
  /** Kernels forwarded to another backend because this one lacks them. */
  fallbackKernels: string[];
  summary: string;
}

let current: BackendInfo | null = null;

/** Starts the best backend (or the one COURSE_BACKEND forces) and prints one line saying which. */
export async function initBackend(options: { quiet?: boolean; force?: BackendChoice } = {}): Promise<BackendInfo> {
  const requested = options.force ?? parseChoice(process.env.COURSE_BACKEND);
  registerFastTileGradient(); // every backend: tf.tile's stock gradient is a slice-and-add loop (tileGradient.ts)
  useFastLayerNormalization(); // every backend: layer norm with its gradient written out (layerNormalization.ts)
  if (current && (requested == null || requested === current.choice)) return current;

  const candidates = requested ? [requested] : BACKEND_ORDER;
  const skipped: BackendInfo["skipped"] = [];
  for (const choice of candidates) {
    const failure = await tryStart(choice);
    if (failure == null) {
      current = describe(choice, requested != null, skipped);
      if (!options.quiet) console.log(current.summary);
      return current;
    }
    skipped.push({ choice, reason: failure });
  }
  const why = skipped.map((s) => `${s.choice}: ${s.reason}`).join("; ");
  throw new Error(requested ? `COURSE_BACKEND=${requested} cannot start (${why})` : `no TensorFlow.js backend could start (${why})`);
}

/** The backend initBackend chose, or null before it ran. */
export function backendInfo(): BackendInfo | null {
  return current;
}

function parseChoice(value: string | undefined): BackendChoice | undefined {
  if (value == null || value.trim() === "") return undefined;
  const v = value.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`COURSE_BACKEND="${value}" is not one of ${BACKEND_ORDER.join(", ")}`);
}

/** Returns null when the backend is running, or why it could not start. */
async function tryStart(choice: BackendChoice): Promise<string | null> {
  try {
    switch (choice) {
      case "gpu":
      case "node": {
        const pkg = choice === "gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
        if (!isInstalled(pkg)) return `${pkg} is not installed`;
        configureTensorFlow(); // log level, intra-op threads (native/nativeSetup.ts)
        require(pkg); // registers the "tensorflow" backend into our single tfjs-core
        patchTfjsNode();
        if (!(await tf.setBackend("tensorflow"))) return `${pkg} loaded but did not start`;
        registerNativeKernels();
        return null;
      }
      case "wasm": {
        require("@tensorflow/tfjs-backend-wasm");
        installWasmKernels();
        return (await tf.setBackend("wasm")) ? null : "the wasm module did not start";
      }
      case "cpu":
        return (await tf.setBackend("cpu")) ? null : "the cpu backend did not start";
    }
  } catch (err) {
    return (err as Error).message.split("\n")[0];
  }
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function threadsText(intraOp: string | undefined): string {
  if (intraOp == null || intraOp === "0") return "a thread per core";
  return intraOp === "1" ? "1 thread" : `${intraOp} threads`;
}

function describe(choice: BackendChoice, forced: boolean, skipped: BackendInfo["skipped"]): BackendInfo {
  const tfName = tf.getBackend();
  const fallbackKernels = choice === "wasm" ? forwardedKernels() : [];
  const detail: Record<BackendChoice, string> = {
    gpu: "TensorFlow C++ with CUDA",
    node: `TensorFlow C++ on the CPU, ${threadsText(process.env.TF_NUM_INTRAOP_THREADS)}`,
    wasm: `XNNPACK, ${fallbackKernels.length} kernels via cpu`,
    cpu: "pure JavaScript, slow",
  };
  const how = forced ? "forced by COURSE_BACKEND" : skipped.length ? `fastest present; ${skipped.map((s) => s.choice).join(", ")} not installed` : "fastest present";
  const summary = `TensorFlow.js ${tf.version.tfjs} backend: ${choice} (${detail[choice]}; ${how})`;
  return { choice, tfName, tfjsVersion: tf.version.tfjs, forced, skipped, fallbackKernels, summary };
}
