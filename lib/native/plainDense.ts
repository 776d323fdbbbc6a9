/**
 * tf.layers.dense on the native backend as a plain matrix product and bias add.
 *
 * For a 2-D input, tfjs-layers calls tf.fused.matMul. When that fuses (a linear layer, or any
 * layer outside a gradient) it reshapes both operands to 3-D and the result back, and under a
 * gradient wraps it in a custom gradient that reshapes again; tfjs-node's fused kernel is then
 * a product and an add anyway. On tfjs-node every reshape is a TensorFlow op, so a linear layer
 * costs about eight more ops per training step than the product, the add and their gradients.
 * Measured: MLP GAN step (all its layers are linear) 36 → 29 ms. The other backends keep
 * tfjs-layers' own code: wasm's XNNPACK really fuses.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceLayerCall } from "../tfPatch";
import { isNativeBackend } from "./tfOp";

/** What the patch reads of a built tf.layers.Dense. */
interface DenseLayer {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
}

export function usePlainDenseOnNative(): boolean {
  return patchOnce("native.plainDense", () =>
    replaceLayerCall<DenseLayer>(tf.layers.dense({ units: 1 }), (original) =>
      function (inputs, kwargs) {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        if (!isNativeBackend() || x.rank !== 2 || (Array.isArray(inputs) && inputs.length !== 1)) return original.call(this, inputs, kwargs);
        return tf.tidy(() => {
          let y = tf.matMul(x, this.kernel.read()); // [batch, units]
          if (this.bias != null) y = tf.add(y, this.bias.read());
          return this.activation != null ? this.activation.apply(y) : y;
        });
      },
    ),
  );
}
