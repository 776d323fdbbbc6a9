/**
 * tf.layers.dense on the native backend as a plain matrix product and bias add.
 *
 * For a 2-D input, tfjs-layers calls tf.fused.matMul. When that fuses (a linear layer, or any
 * layer outside a gradient) it reshapes both operands to 3-D and the result back, and under a
 * gradient wraps it in a custom gradient that reshapes again; tfjs-node's fused kernel is then
 * a product and an add anyway. On tfjs-node every reshape is a TensorFlow op, so a linear layer
 * costs about eight more ops per training step than the product, the add and their gradients.
 * Measured: MLP GAN step (all its layers are linear) 36 → 29 ms. The product, bias and a ReLU
 * then run as lib/layers/dense.ts, one TensorFlow kernel where the binding allows it
 * (./fusedDense.ts). The other backends keep tfjs-layers' own code: wasm's XNNPACK really fuses.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceLayerCall } from "../patch";
import { dense } from "../../layers/dense";
import { isNativeBackend } from "./tfOp";

/** What the patch reads of a built tf.layers.Dense. */
interface DenseLayer {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } | null;
}

export function usePlainDenseOnNative(): boolean {
  return patchOnce("native.plainDense", () =>
    replaceLayerCall<DenseLayer>(tf.layers.dense({ units: 1 }), (original) =>
      function (inputs, kwargs) {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        if (!isNativeBackend() || x.rank !== 2 || (Array.isArray(inputs) && inputs.length !== 1)) return original.call(this, inputs, kwargs);
        return tf.tidy(() => {
          const kernel = this.kernel.read() as tf.Tensor2D;
          const bias = (this.bias?.read() ?? null) as tf.Tensor1D | null;
          const name = this.activation?.getClassName() ?? "linear";
          // linear and relu: one TensorFlow kernel with the bias (and ReLU) fused in, where the binding allows
          if (name === "linear" || name === "relu") return dense(x as tf.Tensor2D, kernel, bias, name);
          const y = dense(x as tf.Tensor2D, kernel, bias); // [batch, units]
          return this.activation!.apply(y);
        });
      },
    ),
  );
}
