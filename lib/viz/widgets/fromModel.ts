/**
 * A trained tf.layers stack as the layers a widget carries: Dense (kernel encoded at the chosen
 * precision, bias kept float32: it is a few hundred numbers), LeakyReLU, and nothing from
 * training only (Dropout is the identity at inference and is left out). Any other layer is an
 * error that names it, never a silently different model.
 */
import * as tf from "@tensorflow/tfjs";
import { encodeArray, Precision } from "./encoding";
import { DenseActivation, EncodedLayer } from "./denseStack";

const ACTIVATIONS = new Set<string>(["linear", "relu", "elu", "sigmoid", "tanh"]);

export function encodeLayers(layers: tf.layers.Layer[], precision: Precision): EncodedLayer[] {
  const out: EncodedLayer[] = [];
  for (const layer of layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    if (kind === "Dropout" || kind === "InputLayer") continue;
    if (kind === "LeakyReLU") {
      out.push({ op: "leakyRelu", alpha: Number(config.alpha) });
      continue;
    }
    if (kind !== "Dense") throw new Error(`widget: layer "${layer.name}" is a ${kind}; a widget's model may hold Dense, LeakyReLU and Dropout layers only`);
    const activation = String(config.activation ?? "linear");
    if (!ACTIVATIONS.has(activation)) throw new Error(`widget: layer "${layer.name}" has activation "${activation}" (supported: ${[...ACTIVATIONS].join(", ")})`);
    const weights = layer.getWeights(); // [kernel [in, out], bias [out]?]
    const [kernel, bias] = weights.map((w) => w.dataSync() as Float32Array);
    out.push({
      op: "dense",
      kernel: encodeArray(kernel, weights[0].shape as number[], precision),
      bias: bias ? encodeArray(bias, weights[1].shape as number[], "float32") : null,
      activation: activation as DenseActivation,
    });
  }
  return out;
}
