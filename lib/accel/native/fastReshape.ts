/**
 * Reshape on the native backend without a new shape tensor per call.
 *
 * tfjs-node's Reshape kernel makes a TensorFlow.js int32 tensor of the target shape, hands it
 * to TensorFlow's Reshape op and disposes it: three more trips through the binding and the
 * engine's bookkeeping for every reshape, and a training step has dozens (every matrix product
 * TensorFlow.js differentiates is reshaped to 3-D and back). Here each distinct shape becomes a
 * TensorFlow tensor once, held by the binding outside TensorFlow.js's engine (so it does not
 * count in tf.memory()), and is reused.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import type { NativeBackend } from "./tfOp";

// A training loop reshapes to a few dozen shapes; a program that makes endless new ones
// (growing sequences) must not grow this without bound, so it starts over when full.
const MAX_SHAPES = 1024;

const shapeIds = new Map<string, number>();

export function registerNativeReshape(): boolean {
  return patchOnce("native.reshape", () =>
    replaceKernel("tensorflow", "Reshape", () => ({ inputs, attrs, backend }) => {
      const nb = backend as unknown as NativeBackend;
      const x = inputs.x as tf.TensorInfo;
      const shape = (attrs as unknown as { shape: number[] }).shape;
      const typeAttrs = [
        { name: "T", type: nb.binding.TF_ATTR_TYPE, value: nb.getDTypeInteger(x.dtype) },
        { name: "Tshape", type: nb.binding.TF_ATTR_TYPE, value: nb.binding.TF_INT32 },
      ];
      const [xId] = nb.getInputTensorIds([x]);
      const [output] = nb.binding.executeOp("Reshape", typeAttrs, [xId, shapeTensorId(nb, shape)], 1);
      return nb.createOutputTensor(output);
    }),
  );
}

/** The binding's id of an int32 tensor holding `shape`, made on first use. */
function shapeTensorId(nb: NativeBackend, shape: number[]): number {
  const key = shape.join(",");
  let id = shapeIds.get(key);
  if (id == null) {
    if (shapeIds.size >= MAX_SHAPES) {
      for (const old of shapeIds.values()) nb.binding.deleteTensor(old);
      shapeIds.clear();
    }
    id = nb.binding.createTensor([shape.length], nb.binding.TF_INT32, Int32Array.from(shape));
    shapeIds.set(key, id);
  }
  return id;
}
