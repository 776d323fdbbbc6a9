/**
 * A stack of dense layers as a page carries it, and its forward pass in plain tfjs-core ops:
 * what the VAE's decoder, the denoising autoencoder and the dense generator all are.
 *
 *   x [batch, in] ─► dense(W [in, out], b [out], activation) ─► leakyRelu(α) ─► … (─► sigmoid) ─► [batch, out]
 *
 * The pass does what tf.layers.dense does, op for op (a fused matMul for relu/linear/elu, a
 * matMul, a bias add and the activation otherwise), so on the same backend it gives the lecture's
 * numbers bit for bit. Shared by Node (the lecture's cell, the tests) and the browser bundle.
 */
import * as tf from "@tensorflow/tfjs-core";
import { decodeArray, EncodedArray, encodedSize } from "./encoding";

export type DenseActivation = "linear" | "relu" | "elu" | "sigmoid" | "tanh";

export type EncodedLayer =
  | { op: "dense"; kernel: EncodedArray; bias: EncodedArray | null; activation: DenseActivation }
  | { op: "leakyRelu"; alpha: number }
  | { op: "sigmoid" };

export type DecodedLayer =
  | { op: "dense"; kernel: tf.Tensor2D; bias: tf.Tensor1D | null; activation: DenseActivation }
  | { op: "leakyRelu"; alpha: number }
  | { op: "sigmoid" };

/** The stack's tensors, made once (the caller disposes with `disposeStack`). */
export function decodeStack(layers: EncodedLayer[]): DecodedLayer[] {
  return layers.map((layer) => {
    if (layer.op === "leakyRelu" || layer.op === "sigmoid") return layer;
    if (layer.op !== "dense") throw new Error(`decodeStack: unknown layer op "${(layer as { op: string }).op}"`);
    const [rows, cols] = layer.kernel.shape;
    return {
      op: "dense",
      kernel: tf.tensor2d(decodeArray(layer.kernel), [rows, cols]),
      bias: layer.bias ? tf.tensor1d(decodeArray(layer.bias)) : null,
      activation: layer.activation,
    };
  });
}

export function disposeStack(layers: DecodedLayer[]): void {
  for (const layer of layers) if (layer.op === "dense") tf.dispose([layer.kernel, ...(layer.bias ? [layer.bias] : [])]);
}

const FUSED = new Set<DenseActivation>(["linear", "relu", "elu"]);

/** x [batch, in] → [batch, out] (in tf.tidy: the caller disposes the result only). */
export function runStack(layers: DecodedLayer[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let y: tf.Tensor2D = x;
    for (const layer of layers) {
      if (layer.op === "leakyRelu") {
        y = tf.leakyRelu(y, layer.alpha) as tf.Tensor2D;
        continue;
      }
      if (layer.op === "sigmoid") {
        y = tf.sigmoid(y) as tf.Tensor2D; // logits → E[x|h] for the autoencoders, whose last layer is linear
        continue;
      }
      if (FUSED.has(layer.activation)) {
        y = tf.fused.matMul({ a: y, b: layer.kernel, bias: layer.bias ?? undefined, activation: layer.activation as "linear" | "relu" | "elu" }) as tf.Tensor2D;
        continue;
      }
      y = tf.matMul(y, layer.kernel);
      if (layer.bias) y = tf.add(y, layer.bias) as tf.Tensor2D;
      y = (layer.activation === "sigmoid" ? tf.sigmoid(y) : tf.tanh(y)) as tf.Tensor2D;
    }
    return y;
  });
}

/** Page bytes of the stack's weights. */
export function stackSize(layers: EncodedLayer[]): number {
  return layers.reduce((sum, l) => sum + (l.op === "dense" ? encodedSize(l.kernel) + (l.bias ? encodedSize(l.bias) : 0) : 0), 0);
}

/** Input and output widths. */
export function stackWidths(layers: EncodedLayer[]): { input: number; output: number } {
  const dense = layers.filter((l): l is Extract<EncodedLayer, { op: "dense" }> => l.op === "dense");
  if (dense.length === 0) throw new Error("a widget's model has no dense layer");
  return { input: dense[0].kernel.shape[0], output: dense[dense.length - 1].kernel.shape[1] };
}
