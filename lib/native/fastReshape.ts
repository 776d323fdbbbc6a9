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

/** The parts of tfjs-node's NodeJSKernelBackend and binding this kernel uses. */
interface NodeBackend {
  binding: {
    TF_INT32: number;
    TF_ATTR_TYPE: number;
    createTensor(shape: number[], dtype: number, values: Int32Array): number;
    deleteTensor(id: number): void;
    executeOp(name: string, attrs: unknown[], inputIds: number[], numOutputs: number): unknown[];
  };
  getDTypeInteger(dtype: tf.DataType): number;
  getInputTensorIds(tensors: tf.TensorInfo[]): number[];
  createOutputTensor(metadata: unknown): tf.Tensor;
}

// A training loop reshapes to a few dozen shapes; a program that makes endless new ones
// (growing sequences) must not grow this without bound, so it starts over when full.
const MAX_SHAPES = 1024;

const shapeIds = new Map<string, number>();
let registered = false;

export function registerNativeReshape(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel("Reshape", "tensorflow") != null) tf.unregisterKernel("Reshape", "tensorflow"); // tfjs-node's
  tf.registerKernel({
    kernelName: "Reshape",
    backendName: "tensorflow",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const nb = backend as unknown as NodeBackend;
      const x = inputs.x as tf.TensorInfo;
      const shape = (attrs as unknown as { shape: number[] }).shape;
      const key = shape.join(",");
      let shapeId = shapeIds.get(key);
      if (shapeId == null) {
        if (shapeIds.size >= MAX_SHAPES) {
          for (const id of shapeIds.values()) nb.binding.deleteTensor(id);
          shapeIds.clear();
        }
        shapeId = nb.binding.createTensor([shape.length], nb.binding.TF_INT32, Int32Array.from(shape));
        shapeIds.set(key, shapeId);
      }
      const typeAttrs = [
        { name: "T", type: nb.binding.TF_ATTR_TYPE, value: nb.getDTypeInteger(x.dtype) },
        { name: "Tshape", type: nb.binding.TF_ATTR_TYPE, value: nb.binding.TF_INT32 },
      ];
      const [xId] = nb.getInputTensorIds([x]);
      const [output] = nb.binding.executeOp("Reshape", typeAttrs, [xId, shapeId], 1);
      return nb.createOutputTensor(output);
    },
  });
}
