/**
 * How the course swaps a piece of TensorFlow.js for a faster one: a backend's kernel, a
 * gradient, a tfjs-layers layer's `call`. Every swap happens once per process.
 *
 * Once per process, not per module: tfjs keeps one kernel and gradient registry per process,
 * and the same lib file can be loaded twice into one (tsx in the specs, tslab's own compiler in
 * notebooks). A patch applied twice would wrap its own wrapper.
 */
import * as tf from "@tensorflow/tfjs";

/** Runs `patch` unless a patch of this name already ran in this process; true when it ran and succeeded. */
export function patchOnce(name: string, patch: () => boolean): boolean {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  const key = Symbol.for(`course.${name}`);
  if (registry[key]) return false;
  if (!patch()) return false;
  registry[key] = true;
  return true;
}

/** Replaces `backendName`'s kernel `kernelName` by `wrap(original)`; false when it has no such kernel. */
export function replaceKernel(backendName: string, kernelName: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(kernelName, backendName);
  if (original == null) return false;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
  return true;
}

/** Registers `config` over TensorFlow.js's own gradient, without the warning it prints for a deliberate override. */
export function replaceGradient(config: Parameters<typeof tf.registerGradient>[0]): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes(`Overriding the gradient for '${config.kernelName}'`)) warn(...args);
  };
  try {
    tf.registerGradient(config);
  } finally {
    console.warn = warn;
  }
}

/** A tfjs-layers layer's `call`, as the patches below see it. */
export type LayerCall<L> = (this: L, inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor;

/** Replaces `call` of the tfjs-layers class that `sample` is an instance of by `wrap(original)`. */
export function replaceLayerCall<L>(sample: tf.layers.Layer, wrap: (original: LayerCall<L>) => LayerCall<L>): true {
  const proto = Object.getPrototypeOf(sample) as { call: LayerCall<L> };
  proto.call = wrap(proto.call);
  return true;
}

/**
 * Has the autograd tape record only the first output of kernel `kernelName`. Its other outputs
 * are what its registered gradient reads (outputsToSave) and carry no gradient themselves; left
 * on the tape, each would get a zero gradient allocated at every backward pass (for the char
 * LSTM's nine, 16 MB a step: ~8 % of its time on native). Patches TensorFlow.js's engine once.
 */
export function differentiateFirstOutputOnly(kernelName: string): void {
  const registry = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  const key = Symbol.for("course.firstOutputOnly");
  const names = (registry[key] ??= new Set<string>());
  names.add(kernelName);
  patchOnce("engine.firstOutputOnly", () => {
    const engine = tf.engine() as unknown as { addTapeNode: (name: string, inputs: unknown, outputs: tf.Tensor[], ...rest: unknown[]) => void };
    const addTapeNode = engine.addTapeNode;
    engine.addTapeNode = function (this: unknown, name, inputs, outputs, ...rest) {
      return addTapeNode.call(this, name, inputs, names.has(name) ? outputs.slice(0, 1) : outputs, ...rest);
    };
    return true;
  });
}
