/**
 * lib/layers/fusedLstm.ts's whole-sequence LSTM as TensorFlow's BlockLSTMV2 / BlockLSTMGradV2 on
 * the native backend: 64 time steps are one kernel forward and one backward.
 *
 * BlockLSTMV2 takes the input and recurrent weights stacked, w = [kernel; recurrentKernel]
 * ([inputDim + units, 4·units]), with the gate columns in Keras's order i, f, c, o (BlockLSTM,
 * version 1, used i, c, f, o and a built-in forget bias; V2 has neither), and is time-major.
 * Checked against the ops in tests/lib/fusedLstm.spec.ts.
 *
 * The kernel's outputs: h [batch, time, units], then what its gradient reads: x time-major, w,
 * and BlockLSTMV2's seven outputs (i, cs, f, o, ci, co, h, each [time, batch, units]). Only h is
 * differentiated (differentiateFirstOutputOnly in ../patch.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { LSTM_SEQUENCE_KERNEL } from "../../layers/fusedLstm";
import { differentiateFirstOutputOnly, patchOnce } from "../patch";
import { attr, runOpOutputs } from "./tfOp";

type Int64ScalarClass = new (value: number) => unknown;

/** Registers LSTM_SEQUENCE_KERNEL on the native backend; false when tfjs-node's int64 scalars (BlockLSTM's sequence length) are missing. */
export function registerNativeLstmSequence(): boolean {
  const Int64Scalar = int64ScalarClass();
  if (Int64Scalar == null) return false;
  patchOnce("native.lstmSequence", () => {
    tf.registerKernel({ kernelName: LSTM_SEQUENCE_KERNEL, backendName: "tensorflow", kernelFunc: ({ inputs }) => forward(Int64Scalar, inputs as tf.NamedTensorMap) });
    tf.registerGradient({
      kernelName: LSTM_SEQUENCE_KERNEL,
      inputsToSave: ["bias"],
      outputsToSave: [false, ...new Array(9).fill(true)],
      gradFunc: (dy, saved) => backward(Int64Scalar, dy as tf.Tensor, saved),
    });
    differentiateFirstOutputOnly(LSTM_SEQUENCE_KERNEL); // the other outputs are only for the gradient
    return true;
  });
  return true;
}

function int64ScalarClass(): Int64ScalarClass | null {
  for (const pkg of ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"]) {
    try {
      return (require(`${pkg}/dist/int64_tensors`) as { Int64Scalar: Int64ScalarClass }).Int64Scalar;
    } catch {
      // not this package
    }
  }
  return null;
}

function blockLstm(name: "BlockLSTMV2" | "BlockLSTMGradV2", inputs: unknown[], outputs: number): tf.Tensor[] {
  const attrs = [attr.float32("T"), attr.bool("use_peephole", false)];
  if (name === "BlockLSTMV2") attrs.push(attr.float("cell_clip", 0)); // ≤ 0: no clipping
  return runOpOutputs(name, attrs, inputs as tf.Tensor[], outputs);
}

function forward(Int64Scalar: Int64ScalarClass, inputs: tf.NamedTensorMap): tf.Tensor[] {
  const { x, kernel, recurrentKernel, bias } = inputs;
  const [batch, time] = x.shape;
  const units = recurrentKernel.shape[0];
  const xt = tf.transpose(x, [1, 0, 2]); // [time, batch, inputDim]
  const w = tf.concat([kernel, recurrentKernel], 0); // [inputDim + units, 4·units]
  const zeros = tf.zeros([batch, units]); // initial c and h
  const peephole = tf.zeros([units]);
  const outs = blockLstm("BlockLSTMV2", [new Int64Scalar(time), xt, zeros, zeros, w, peephole, peephole, peephole, bias], 7);
  tf.dispose([zeros, peephole]);
  return [tf.transpose(outs[6], [1, 0, 2]), xt, w, ...outs];
}

function backward(Int64Scalar: Int64ScalarClass, dy: tf.Tensor, saved: tf.Tensor[]): Record<string, () => tf.Tensor> {
  const [bias, xt, w, ...fwd] = saved;
  const [time, batch, inputDim] = xt.shape;
  const units = w.shape[1]! / 4;
  const zeros = tf.zeros([batch, units]);
  const peephole = tf.zeros([units]);
  const hGrad = tf.transpose(dy, [1, 0, 2]); // [time, batch, units]
  const csGrad = tf.zerosLike(hGrad);
  // gradients of x, cs_prev, h_prev, w, wci, wcf, wco, b
  const [dxt, , , dw, , , , db] = blockLstm("BlockLSTMGradV2", [new Int64Scalar(time), xt, zeros, zeros, w, peephole, peephole, peephole, bias, ...fwd, csGrad, hGrad], 8);
  return {
    x: () => tf.transpose(dxt, [1, 0, 2]),
    kernel: () => tf.slice(dw, [0, 0], [inputDim, 4 * units]),
    recurrentKernel: () => tf.slice(dw, [inputDim, 0], [units, 4 * units]),
    bias: () => db,
  };
}
