/**
 * lib/layers/layerNorm.ts: layer normalisation with its gradient written out gives the same
 * values and gradients as tf.layers.layerNormalization's op-by-op path, in fewer kernels, and
 * the patched layer keeps its weights and outputs.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { layerNorm } from "../../lib/layers/layerNorm";
import { assertClose } from "../helpers/close";

/** tfjs-layers' own code path (tiles everything to x's shape), differentiated op by op: the reference. */
function referenceLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const { mean, variance } = tf.moments(x, x.rank - 1, true);
  const rowsReps = [...x.shape.slice(0, -1), 1];
  const paramShape = [...x.shape.slice(0, -1).map(() => 1), d];
  const full = (t: tf.Tensor, reps: number[]) => tf.tile(t, reps);
  const momentsReps = [...x.shape.slice(0, -1).map(() => 1), d];
  return tf.batchNorm(x, full(mean, momentsReps), full(variance, momentsReps), full(beta.reshape(paramShape), rowsReps), full(gamma.reshape(paramShape), rowsReps), epsilon);
}


describe("layerNorm (lib/layers/layerNorm.ts)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("equals tf.moments + tf.batchNorm in value and in all three gradients", () => {
    const x = tf.randomNormal([3, 5, 8], 1, 2, "float32", 7);
    const gamma = tf.randomNormal([8], 1, 0.3, "float32", 8);
    const beta = tf.randomNormal([8], 0, 0.3, "float32", 9);
    const dy = tf.randomNormal([3, 5, 8], 0, 1, "float32", 10);
    const weighted = (f: typeof layerNorm) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b, 1e-5), dy));
    assertClose(layerNorm(x, gamma, beta, 1e-5), referenceLayerNorm(x, gamma, beta, 1e-5), 1e-5, "value");
    const ours = tf.grads(weighted(layerNorm))([x, gamma, beta]);
    const reference = tf.grads(weighted(referenceLayerNorm))([x, gamma, beta]);
    ["dx", "dgamma", "dbeta"].forEach((name, i) => assertClose(ours[i], reference[i], 1e-4, name));
  });

  it("names a gamma or beta that does not match x's last dimension", () => {
    assert.throws(() => layerNorm(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4]), 1e-5), /gamma \[3\] and beta \[4\] must be \[4\]/);
  });

  it("tf.layers.layerNormalization gives the same outputs and weight gradients, in fewer kernels", async () => {
    const layer = tf.layers.layerNormalization({ epsilon: 1e-5 });
    const x = tf.randomNormal([16, 32], 0, 1, "float32", 11);
    layer.apply(x); // builds gamma and beta
    layer.setWeights([tf.randomNormal([32], 1, 0.2, "float32", 12), tf.randomNormal([32], 0, 0.2, "float32", 13)]);
    const [gamma, beta] = layer.getWeights();
    const variables = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val); // [gamma, beta]
    const loss = () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    let grads: tf.NamedTensorMap = {};
    const profile = await tf.profile(() => {
      const result = tf.variableGrads(loss, variables);
      result.value.dispose();
      grads = result.grads; // made outside any tidy: they outlive the profile
    });
    const reference = tf.grads((g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(referenceLayerNorm(x, g, b, 1e-5))))([gamma, beta]);
    assertClose(layer.apply(x) as tf.Tensor, referenceLayerNorm(x, gamma, beta, 1e-5), 1e-5, "layer output");
    assertClose(grads[variables[0].name], reference[0], 1e-4, "dgamma");
    assertClose(grads[variables[1].name], reference[1], 1e-4, "dbeta");
    const kernels = profile.kernels.map((k) => k.name);
    assert.ok(!kernels.includes("Tile") && !kernels.includes("FusedBatchNorm"), `tfjs-layers' own path ran: ${kernels}`);
  });
});
