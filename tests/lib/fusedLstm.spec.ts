/**
 * FusedLstm (lib/layers/fusedLstm.ts) computes what tf.layers.lstm computes, with the same
 * weights: outputs and all gradients, on the backend in use (wasm here) and, when tfjs-node is
 * installed, with TensorFlow's BlockLSTM kernels.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { keepBackend, onNativeBackend } from "./onNativeBackend";
import { initBackend } from "../../lib/accel/backend";
import { FusedLstm, fusedLstmSequence, LSTM_SEQUENCE_KERNEL } from "../../lib/layers/fusedLstm";
import { seed } from "../../lib/seed";

const [BATCH, TIME, INPUT, UNITS] = [3, 6, 5, 4];

/** Output, loss gradients w.r.t. kernel, recurrent kernel, bias and input, as plain arrays. */
function lossAndGrads(layer: tf.layers.Layer, x: tf.Tensor3D, upstream: tf.Tensor): number[][] {
  const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const f = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, upstream)) as tf.Scalar;
  const { value, grads } = tf.variableGrads(f, vars);
  const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx) as tf.Tensor, upstream)))(x);
  const out = [value, ...vars.map((v) => grads[v.name]), dx].map((t) => Array.from(t.dataSync()));
  tf.dispose([value, dx, ...Object.values(grads)]);
  return out;
}

function compareWithLayersLstm(returnSequences: boolean, implementation: "auto" | "composite"): void {
  tf.tidy(() => {
    seed(7);
    const reference = tf.layers.lstm({ units: UNITS, returnSequences, recurrentActivation: "sigmoid", unitForgetBias: true });
    const fused = new FusedLstm({ units: UNITS, returnSequences, implementation });
    const x = tf.randomNormal([BATCH, TIME, INPUT]) as tf.Tensor3D;
    reference.apply(x);
    fused.apply(x);
    fused.setWeights(reference.getWeights()); // same layout: kernel, recurrent kernel, bias
    const upstream = tf.randomNormal(returnSequences ? [BATCH, TIME, UNITS] : [BATCH, UNITS]);
    const want = lossAndGrads(reference, x, upstream);
    const got = lossAndGrads(fused, x, upstream);
    const names = ["loss", "dKernel", "dRecurrentKernel", "dBias", "dInput"];
    want.forEach((w, k) => {
      const worst = Math.max(...w.map((v, i) => Math.abs(v - got[k][i])));
      assert.ok(worst < 1e-5, `${names[k]} differs by ${worst}`);
    });
  });
}

describe("FusedLstm", function () {
  keepBackend();
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("matches tf.layers.lstm (sigmoid gates) in outputs and every gradient, all steps", () => compareWithLayersLstm(true, "composite"));
  it("matches tf.layers.lstm when returning only the last step", () => compareWithLayersLstm(false, "composite"));

  it("serialises and trains without leaking tensors", () => {
    const model = tf.sequential({ layers: [new FusedLstm({ units: UNITS, inputShape: [TIME, INPUT] }), tf.layers.dense({ units: 2 })] });
    const config = model.getLayer(undefined as unknown as string, 0).getConfig();
    assert.equal(config.units, UNITS);
    const x = tf.randomNormal([BATCH, TIME, INPUT]);
    const y = tf.randomNormal([BATCH, 2]);
    const opt = tf.train.adam(0.01);
    const step = () => {
      const cost = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    };
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    assert.equal(tf.memory().numTensors, before, "tensors leaked across training steps");
    assert.ok(last < first, `loss should fall: ${first} → ${last}`);
    tf.dispose([x, y]);
    opt.dispose();
  });

  describe("on the native backend (BlockLSTMV2)", function () {
    onNativeBackend();
    it("matches tf.layers.lstm in outputs and gradients", () => compareWithLayersLstm(true, "auto"));
    it("matches when returning only the last step", () => compareWithLayersLstm(false, "auto"));

    it(`runs the whole sequence as one kernel (${LSTM_SEQUENCE_KERNEL}, lib/accel/native/lstmSequence.ts) and leaks nothing while training`, async () => {
      const x = tf.randomNormal([BATCH, TIME, INPUT], 0, 1, "float32", 1) as tf.Tensor3D;
      const w = [tf.variable(tf.randomNormal([INPUT, 4 * UNITS], 0, 0.3, "float32", 2)), tf.variable(tf.randomNormal([UNITS, 4 * UNITS], 0, 0.3, "float32", 3)), tf.variable(tf.zeros([4 * UNITS]))];
      const loss = () => tf.sum(tf.square(fusedLstmSequence(x, w[0] as tf.Tensor2D, w[1] as tf.Tensor2D, w[2] as tf.Tensor1D))) as tf.Scalar;
      const kernels = (await tf.profile(() => tf.dispose(loss()))).kernels.map((k) => k.name);
      assert.ok(kernels.includes(LSTM_SEQUENCE_KERNEL) && !kernels.includes("Sigmoid"), `kernels: ${kernels}`);
      const opt = tf.train.sgd(0.01);
      opt.minimize(loss)?.dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) opt.minimize(loss, true)?.dispose();
      assert.equal(tf.memory().numTensors, before, "tensors leaked across training steps");
      tf.dispose([x, ...w]);
      opt.dispose();
    });
  });
});
