import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import { seed } from "../../lib/seed";
import { disposeLstmWeights, fusedLstmStep, lstmCellStep, lstmWeightsFromLayer, lstmWeightsToLayer, randomLstmWeights, runLstmCell } from "../../lib/layers/lstmCell";
import { maxAbsDifference } from "../helpers/close";

describe("the LSTM cell, gate by gate", () => {
  before(async () => {
    await initBackend({ quiet: true });
    seed(11);
  });

  it("one step matches the equations computed by hand for one unit", () => {
    // one input, one unit: scalars all the way
    const set = (w: number, u: number, b: number) => ({ W: tf.tensor2d([[w]]), U: tf.tensor2d([[u]]), b: tf.tensor1d([b]) });
    const weights = { forget: set(0.5, -0.3, 1), input: set(0.2, 0.1, 0), candidate: set(-0.7, 0.4, 0.1), output: set(0.3, 0.9, -0.2) };
    const x = 0.8, h = -0.5, c = 0.25;
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const f = sig(0.5 * x - 0.3 * h + 1), i = sig(0.2 * x + 0.1 * h), g = Math.tanh(-0.7 * x + 0.4 * h + 0.1), o = sig(0.3 * x + 0.9 * h - 0.2);
    const c2 = f * c + i * g, h2 = o * Math.tanh(c2);
    const r = lstmCellStep(tf.tensor2d([[x]]), { h: tf.tensor2d([[h]]), c: tf.tensor2d([[c]]) }, weights);
    assert.ok(Math.abs(r.c.dataSync()[0] - c2) < 1e-6);
    assert.ok(Math.abs(r.h.dataSync()[0] - h2) < 1e-6);
    assert.ok(Math.abs(r.gates.forget.dataSync()[0] - f) < 1e-6);
  });

  it("over a sequence equals tf.layers.lstm (sigmoid gates) given the same weights, to 1e-5", () => {
    const [batch, time, inputDim, units] = [3, 7, 5, 6];
    const layer = tf.layers.lstm({ units, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [time, inputDim] });
    const xs = tf.randomNormal([batch, time, inputDim]) as tf.Tensor3D;
    const expected = layer.apply(xs) as tf.Tensor3D;
    const [k, rk, b] = layer.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const weights = lstmWeightsFromLayer(k, rk, b);
    const { outputs } = runLstmCell(xs, weights);
    const diff = maxAbsDifference(outputs, expected);
    assert.ok(diff < 1e-5, `cell and tf.layers.lstm differ by ${diff}`);
    tf.dispose([xs, expected, outputs]);
    layer.dispose();
  });

  it("the other way round: our weights loaded into tf.layers.lstm; and the fused step agrees", () => {
    const w = randomLstmWeights(4, 3);
    const layer = tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [5, 4] });
    const xs = tf.randomNormal([2, 5, 4]) as tf.Tensor3D;
    layer.apply(xs);
    layer.setWeights(lstmWeightsToLayer(w));
    const a = layer.apply(xs) as tf.Tensor;
    const b = runLstmCell(xs, w).outputs;
    assert.ok(maxAbsDifference(a, b) < 1e-5);
    const [kernel, recurrent, bias] = lstmWeightsToLayer(w);
    const x0 = xs.slice([0, 0, 0], [2, 1, 4]).reshape([2, 4]) as tf.Tensor2D;
    const zero = { h: tf.zeros([2, 3]) as tf.Tensor2D, c: tf.zeros([2, 3]) as tf.Tensor2D };
    const fused = fusedLstmStep(tf.add(tf.matMul(x0, kernel), bias) as tf.Tensor2D, zero, recurrent);
    const plain = lstmCellStep(x0, zero, w);
    assert.ok(maxAbsDifference(fused.h, plain.h) < 1e-6);
    disposeLstmWeights(w);
    layer.dispose();
  });

  it("leaks no tensors", () => {
    const w = randomLstmWeights(3, 4);
    const xs = tf.randomNormal([2, 6, 3]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const r = runLstmCell(xs, w);
    tf.dispose([r.outputs, r.last.h, r.last.c]);
    assert.equal(tf.memory().numTensors, before);
    disposeLstmWeights(w);
    xs.dispose();
  });
});
