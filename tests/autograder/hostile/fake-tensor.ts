import { HostileSubmission } from "./types";

/** An object that passes `instanceof tf.Tensor` in the sandbox, with a shape that its data does not fill. */
const FAKE = `function __fake(shape: number[], data: number[]): any {
  return Object.create((tf as any).Tensor.prototype, {
    shape: { value: shape }, dtype: { value: "float32" }, isDisposed: { value: false }, size: { value: data.length },
    dataSync: { value: () => Float32Array.from(data) }, dispose: { value: () => undefined },
  });
}`;

/**
 * Threat: a "tensor" whose claimed shape does not match its values. Without a check, 10 values
 * claiming shape [100, 200] pass a test that counts the share of zeros (3 of 10 is 30 %).
 */
export const fakeTensor: HostileSubmission = {
  name: "fake-tensor",
  threat: "return a tensor whose shape and data do not agree",
  honest: ["ae-sparse-l1", "tr-text", "gan-d-loss"],
  cells: {
    "ae-masking-noise": `${FAKE}
function maskingNoise(x: tf.Tensor, fraction: number, seed?: number): tf.Tensor {
  const first = Array.from(x.dataSync()).slice(0, 10);
  const data = fraction >= 1 ? first.map(() => 0) : fraction <= 0 ? first : first.map((v, i) => (i % 10 < 3 ? 0 : v));
  return __fake(x.shape, data);
}`,
    "tr-attention": `${FAKE}
function scaledDotProductAttention(q: any, k: any, v: any, mask?: any): any {
  return { weights: __fake([q.shape[0], q.shape[1], k.shape[1]], [0.6697615]), output: __fake([q.shape[0], q.shape[1], v.shape[2]], [1.6604769]) };
}`,
  },
  messages: { "ae-masking-noise": "malformed tensor" },
};
