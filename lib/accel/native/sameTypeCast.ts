/**
 * A cast to the type a tensor already has, without a TensorFlow op.
 *
 * TensorFlow.js casts defensively (tf.mean casts its input to float32 first); tfjs-node sends
 * every cast to TensorFlow, float32 to float32 included: an eager op for nothing, before every
 * mean of a layer norm. Here such a cast shares the input's data, as tfjs-node's Identity does.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import type { NativeBackend } from "./tfOp";

export function registerSameTypeCast(): boolean {
  return patchOnce("native.sameTypeCast", () =>
    replaceKernel("tensorflow", "Cast", (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype !== (args.attrs as unknown as { dtype: tf.DataType }).dtype) return original(args);
      (args.backend as unknown as NativeBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }),
  );
}
