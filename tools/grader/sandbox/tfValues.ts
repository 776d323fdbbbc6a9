/**
 * Tensors, models, optimizers and random streams across the sandbox's boundary: the markers the
 * specs send as arguments become real tfjs objects here, and what a call returns becomes plain data
 * (values.ts). Compiled into the sandbox runtime with main.ts.
 */
import * as path from "path";
import { decodeNumber, encodeNumber } from "./values";

type TF = typeof import("@tensorflow/tfjs");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const tf: TF = require("@tensorflow/tfjs");
/**
 * The course's one mulberry32 (lib/seed.ts), for seeded streams ({$rng: {seed}}), so that a spec's
 * reference (which imports lib/seed) and the sandbox draw the same numbers. The runtime compiles
 * lib/ next to sandbox/ (runtime.ts), so it is loaded from there; taken once, before any student
 * code runs, so a cell that rewrites the module's exports cannot change it.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { mulberry32 } = require(path.join(__dirname, "..", "lib", "seed.js")) as typeof import("../../../lib/seed");

/** What one call made (disposed after it) and the random streams it handed out. */
export interface CallState {
  disposables: { dispose(): void }[];
  rngs: WeakMap<object, { used: number }>;
}

/** Arguments from the specs: markers become tensors, small models, optimizers, random streams. */
export function argMarker(state: CallState) {
  return (key: string, body: unknown, decode: (v: unknown) => unknown): unknown => {
    const b = body as Record<string, unknown>;
    switch (key) {
      case "$tensor": {
        const shape = b.shape as number[];
        const dtype = (b.dtype as "float32" | "int32" | "bool") ?? "float32";
        return tf.tensor((b.data as unknown[]).map(decodeNumber), shape, dtype);
      }
      case "$model": {
        const layers = b.layers as { units: number; activation?: string; useBias?: boolean; inputDim?: number }[];
        const model = tf.sequential();
        layers.forEach((l, i) =>
          model.add(
            tf.layers.dense({
              units: l.units,
              activation: (l.activation ?? "linear") as "linear",
              useBias: l.useBias ?? true,
              ...(i === 0 ? { inputShape: [l.inputDim ?? 1] } : {}),
            }),
          ),
        );
        if (Array.isArray(b.weights)) model.setWeights((b.weights as unknown[]).map((w) => decode(w) as import("@tensorflow/tfjs").Tensor));
        state.disposables.push(model);
        return model;
      }
      case "$optimizer": {
        const lr = Number(b.learningRate ?? 0.01);
        const opt = b.kind === "adam" ? tf.train.adam(lr) : b.kind === "momentum" ? tf.train.momentum(lr, Number(b.momentum ?? 0.9)) : tf.train.sgd(lr);
        state.disposables.push(opt);
        return opt;
      }
      case "$rng": {
        const counter = { used: 0 };
        let rng: () => number;
        if (Array.isArray(b.values)) {
          const values = (b.values as unknown[]).map(decodeNumber);
          rng = () => {
            if (counter.used >= values.length) throw new Error(`the test's random stream has only ${values.length} numbers and they are all used: is something drawn that should not be?`);
            return values[counter.used++];
          };
        } else {
          const g = mulberry32(Number(b.seed ?? 0));
          rng = () => {
            counter.used++;
            return g();
          };
        }
        state.rngs.set(rng, counter);
        return rng;
      }
    }
    return undefined;
  };
}

export function encodeTfValue(value: unknown, encode: (v: unknown) => unknown, state?: CallState): unknown | undefined {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) return { $unsupported: "a tensor that was already disposed" };
    const data = value.dataSync() as unknown as ArrayLike<number | string>;
    const flat = value.dtype === "string" ? Array.from(data as ArrayLike<string>) : Array.from(data as ArrayLike<number>, encodeNumber);
    return { $tensor: { shape: value.shape, dtype: value.dtype, data: flat } };
  }
  if (value instanceof tf.LayersModel) {
    return { $model: { weights: value.getWeights().map((w) => encode(w)) } };
  }
  // The steps it took: a training task's step budget is judged on it (a count from where student code runs).
  if (value instanceof tf.Optimizer) return { $optimizer: { kind: value.getClassName(), iterations: value.iterations } };
  if (typeof value === "function" && state?.rngs.has(value)) return { $rng: { used: state.rngs.get(value)!.used } };
  return undefined;
}

export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? "an object" : typeof x;
}

