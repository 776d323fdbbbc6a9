/**
 * Layer normalisation over the last axis with its gradient written out, and the patch that
 * makes tf.layers.layerNormalization use it.
 *
 *   y = x̂ · γ + β,   x̂ = (x − μ) / √(σ² + ε),   μ, σ² over the last axis of x
 *
 * tf.layers.layerNormalization tiles μ, σ², γ and β to x's full shape (a workaround in
 * tfjs-layers for tf.batchNorm's gradient, which cannot broadcast) and differentiates
 * tf.moments and tf.batchNorm op by op: about forty kernels per layer and step on full-size
 * tensors. The gradient in closed form (Ba et al. 2016; d = x's last dimension):
 *
 *   ∂L/∂β = Σ_rows dy      ∂L/∂γ = Σ_rows dy · x̂
 *   g = dy · γ             ∂L/∂x = (g − mean_d(g) − x̂ · mean_d(g · x̂)) / √(σ² + ε)
 *
 * twelve kernels, the same numbers to float32 rounding (tests/lib/layerNorm.spec.ts). On the
 * native backend built by `npm run setup:native`, one kernel each way (../native/fusedLayerNorm.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { nativeLayerNorm, nativeLayerNormAvailable, nativeLayerNormGrad } from "../native/fusedLayerNorm";
import { patchOnce, replaceLayerCall } from "../tfPatch";

/** x: [..., d], gamma and beta: [d] → [..., d] */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== d || beta.rank !== 1 || beta.shape[0] !== d) {
    throw new Error(`layerNorm: gamma ${JSON.stringify(gamma.shape)} and beta ${JSON.stringify(beta.shape)} must be [${d}], the last dimension of x ${JSON.stringify(x.shape)}`);
  }
  return layerNormWithGradient(epsilon)(x, gamma, beta);
}

const withGradient = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

/** One customGrad per epsilon (it is a constant of the function, not an input). */
function layerNormWithGradient(epsilon: number) {
  let f = withGradient.get(epsilon);
  if (f == null) {
    f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      if (x.dtype === "float32" && nativeLayerNormAvailable()) {
        const [y, normalised, invStd] = nativeLayerNorm(x, gamma, beta, epsilon); // one kernel each way
        save([normalised, invStd, gamma]);
        return { value: y, gradFunc: (dy, saved) => nativeLayerNormGrad(dy as tf.Tensor, saved[0], saved[1], saved[2]) };
      }
      const last = x.rank - 1;
      const centred = tf.sub(x, tf.mean(x, last, true)); // [..., d]
      const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), last, true), epsilon)); // [..., 1]
      const normalised = tf.mul(centred, invStd); // x̂: [..., d]
      save([normalised, invStd, gamma]);
      return {
        value: tf.add(tf.mul(normalised, gamma), beta),
        gradFunc: (dy, saved) => gradients(dy as tf.Tensor, saved[0], saved[1], saved[2]),
      };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    withGradient.set(epsilon, f);
  }
  return f;
}

/** [∂L/∂x, ∂L/∂γ, ∂L/∂β] from dy and the forward pass's x̂, 1/√(σ² + ε) and γ. */
function gradients(dy: tf.Tensor, normalised: tf.Tensor, invStd: tf.Tensor, gamma: tf.Tensor): tf.Tensor[] {
  const last = dy.rank - 1;
  const rows = Array.from({ length: last }, (_, i) => i);
  const g = tf.mul(dy, gamma);
  const meanG = tf.mean(g, last, true);
  const meanGx = tf.mean(tf.mul(g, normalised), last, true);
  const dx = tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(normalised, meanGx)), invStd);
  return [dx, tf.sum(tf.mul(dy, normalised), rows), tf.sum(dy, rows)];
}

// ---------------------------------------------------------------------------------------------

/** What the patch reads of a built tf.layers.LayerNormalization. */
interface LayerNormalizationLayer {
  axis: number[];
  epsilon: number;
  scale: boolean;
  center: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
}

/**
 * Makes every tf.layers.layerNormalization over the last axis (the transformer's, GPT's,
 * ViT's) compute with `layerNorm`: same weights, same outputs, fewer kernels in training. Other
 * configurations (several axes, no γ or β) keep tfjs-layers' own code.
 */
export function useFastLayerNormalization(): boolean {
  return patchOnce("layers.layerNormalization", () =>
    replaceLayerCall<LayerNormalizationLayer>(tf.layers.layerNormalization({}), (original) =>
      function (inputs, kwargs) {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const lastAxisOnly = this.axis.length === 1 && this.axis[0] === x.rank - 1;
        if (!lastAxisOnly || !this.scale || !this.center || (Array.isArray(inputs) && inputs.length !== 1)) return original.call(this, inputs, kwargs);
        return tf.tidy(() => layerNorm(x, this.gamma.read(), this.beta.read(), this.epsilon));
      },
    ),
  );
}
