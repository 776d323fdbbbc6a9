/**
 * A cast to the type a tensor already has, without a TensorFlow op.
 *
 * TensorFlow.js casts defensively (tf.mean casts its input to float32 first); tfjs-node sends
 * every cast to TensorFlow, float32 to float32 included: an eager op for nothing, before every
 * mean of a layer norm. Here such a cast shares the input's data, as tfjs-node's Identity does.
 */
import * as tf from "@tensorflow/tfjs";

interface NodeBackend {
  incRef(dataId: tf.DataId): void;
}

let registered = false;

export function registerSameTypeCast(): void {
  if (registered) return;
  registered = true;
  const stock = tf.getKernel("Cast", "tensorflow");
  if (stock == null) throw new Error("tfjs-node registers no Cast kernel to wrap");
  tf.unregisterKernel("Cast", "tensorflow");
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype !== (args.attrs as unknown as { dtype: tf.DataType }).dtype) return stock.kernelFunc(args);
      (args.backend as unknown as NodeBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
