/**
 * Three sequence readers for the long-range experiment, with one interface: one-hot symbols
 * [b, T, symbols] in, logits for the answer [b, symbols] out, read at the last position.
 *
 *   vanilla RNN  h_t = tanh(x_t W + h_{t−1} U + b)            the gradient to x_0 passes T − 1 tanh' · U factors
 *   LSTM         the gated memory c_t = f ⊙ c_{t−1} + i ⊙ c̃    the gradient to x_0 is scaled by the forget gates
 *   transformer  one encoder block over x W + PE             the last position attends to x_0 directly
 *
 * The input is one-hot (not an embedding lookup) so that ∂loss/∂x_t is an ordinary gradient the
 * lecture can measure per position; its norm against t is the vanishing-gradient picture.
 */
import * as tf from "@tensorflow/tfjs";
import { fusedLstmStep, LstmState } from "../layers/lstmCell";
import { TransformerEncoderBlock } from "../layers/transformerBlock";
import { positionalEncoding } from "../layers/positionalEncoding";

export type ReaderKind = "vanilla RNN" | "LSTM" | "transformer";

export interface SequenceReaderConfig {
  kind: ReaderKind;
  symbols: number;
  units: number;
  /** Longest sequence (the transformer's position table). */
  maxLength: number;
  numHeads?: number;
}

const glorot = (rows: number, cols: number) => tf.variable(tf.randomNormal([rows, cols], 0, Math.sqrt(2 / (rows + cols))));

export class SequenceReader {
  readonly config: SequenceReaderConfig;
  private readonly W: tf.Variable; // [symbols, units] (×4 for the LSTM's gates)
  private readonly U: tf.Variable | null; // [units, units] (×4)
  private readonly bias: tf.Variable;
  private readonly readoutW: tf.Variable; // [units, symbols]
  private readonly readoutB: tf.Variable;
  private readonly block: TransformerEncoderBlock | null;
  private readonly pe: tf.Tensor2D | null;

  constructor(config: SequenceReaderConfig) {
    this.config = config;
    const { kind, symbols, units } = config;
    const gates = kind === "LSTM" ? 4 : 1;
    this.W = glorot(symbols, gates * units);
    // Orthogonal-ish recurrent start for the RNN (a scaled identity would be kinder; this is the textbook plain one).
    this.U = kind === "transformer" ? null : glorot(units, gates * units);
    // LSTM forget-gate bias 3 (columns i, f, c, o): σ(3) ≈ 0.95, so memory is kept by default and the
    // gradient through c shrinks by ~0.95 a step instead of σ(1) ≈ 0.73 (0.73^29 ≈ 1e-4: the LSTM would vanish too).
    const b = new Float32Array(gates * units);
    if (kind === "LSTM") b.fill(3, units, 2 * units);
    this.bias = tf.variable(tf.tensor1d(b));
    this.readoutW = glorot(units, symbols);
    this.readoutB = tf.variable(tf.zeros([symbols]));
    this.block = kind === "transformer" ? new TransformerEncoderBlock({ numHeads: config.numHeads ?? 4, dModel: units, ffDim: 2 * units, dropout: 0, norm: "pre" }) : null;
    this.pe = kind === "transformer" ? positionalEncoding(config.maxLength, units) : null;
  }

  /** One-hot input [b, T, symbols] → logits [b, symbols]. */
  logits(x: tf.Tensor3D): tf.Tensor2D {
    const [b, T, s] = x.shape;
    const { kind, units } = this.config;
    return tf.tidy(() => {
      const proj = tf.add(tf.matMul(x.reshape([b * T, s]), this.W), this.bias).reshape([b, T, -1]) as tf.Tensor3D; // [b, T, gates·units]
      let last: tf.Tensor2D;
      if (kind === "transformer") {
        const withPosition = tf.add(proj, this.pe!.slice([0, 0], [T, units])); // [b, T, units]
        const out = this.block!.apply(withPosition) as tf.Tensor3D; // [b, T, units]
        last = out.slice([0, T - 1, 0], [b, 1, units]).reshape([b, units]);
      } else {
        const steps = tf.unstack(proj, 1) as tf.Tensor2D[]; // T × [b, gates·units]
        let state: LstmState = { h: tf.zeros([b, units]), c: tf.zeros([b, units]) };
        for (const xt of steps) {
          state = kind === "LSTM" ? fusedLstmStep(xt, state, this.U as unknown as tf.Tensor2D) : { h: tf.tanh(tf.add(xt, tf.matMul(state.h, this.U!))) as tf.Tensor2D, c: state.c };
        }
        last = state.h;
      }
      return tf.add(tf.matMul(last, this.readoutW), this.readoutB) as tf.Tensor2D;
    });
  }

  /** Mean cross-entropy of the answer, in nats. */
  loss(x: tf.Tensor3D, targets: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(targets, this.config.symbols), this.logits(x)) as tf.Scalar);
  }

  get trainableVariables(): tf.Variable[] {
    if (this.block && !this.block.built) tf.tidy(() => { this.logits(tf.zeros([1, 1, this.config.symbols])); });
    const own = [this.W, this.bias, this.readoutW, this.readoutB, ...(this.U ? [this.U] : [])];
    return [...own, ...(this.block ? this.block.trainableWeights.map((w) => w.read() as tf.Variable) : [])];
  }

  get paramCount(): number {
    return this.trainableVariables.reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    tf.dispose([this.W, this.bias, this.readoutW, this.readoutB, ...(this.U ? [this.U] : []), ...(this.pe ? [this.pe] : [])]);
    this.block?.dispose();
  }
}
