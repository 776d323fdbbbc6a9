/**
 * tf.layers.layerNormalization over the last axis (the transformer's, GPT's, ViT's, BERT's),
 * computed by lib/layers/layerNorm.ts, on every backend; on the native backend built by
 * `npm run setup:native`, by the course's own TensorFlow kernels (./native/fusedLayerNorm.ts).
 *
 * tfjs-layers tiles μ, σ², γ and β to x's full shape (a workaround for tf.batchNorm's gradient,
 * which cannot broadcast) and differentiates tf.moments and tf.batchNorm op by op: about forty
 * kernels per layer and step on full-size tensors, where layerNorm's written-out gradient takes
 * twelve and the native kernels one each way. Same weights, same outputs to float32 rounding.
 * Other configurations (several axes, no γ or β) keep tfjs-layers' own code.
 */
import * as tf from "@tensorflow/tfjs";
import { layerNorm } from "../layers/layerNorm";
import { nativeLayerNorm, nativeLayerNormAvailable } from "./native/fusedLayerNorm";
import { patchOnce, replaceLayerCall } from "./patch";

/** What the patch reads of a built tf.layers.LayerNormalization. */
interface LayerNormalizationLayer {
  axis: number[];
  epsilon: number;
  scale: boolean;
  center: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
}

export function useFastLayerNormalization(): boolean {
  return patchOnce("layers.layerNormalization", () =>
    replaceLayerCall<LayerNormalizationLayer>(tf.layers.layerNormalization({}), (original) =>
      function (inputs, kwargs) {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const lastAxisOnly = this.axis.length === 1 && this.axis[0] === x.rank - 1;
        if (!lastAxisOnly || !this.scale || !this.center || (Array.isArray(inputs) && inputs.length !== 1)) return original.call(this, inputs, kwargs);
        return tf.tidy(() => {
          const [gamma, beta] = [this.gamma.read(), this.beta.read()];
          if (x.dtype === "float32" && nativeLayerNormAvailable()) return nativeLayerNorm(x, gamma, beta, this.epsilon);
          return layerNorm(x, gamma, beta, this.epsilon);
        });
      },
    ),
  );
}
