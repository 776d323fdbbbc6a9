/**
 * A faster LSTM layer with exactly the weights of `tf.layers.lstm` (sigmoid gates, tanh cell):
 * kernel [inputDim, 4·units], recurrentKernel [units, 4·units], bias [4·units], gate columns in
 * the order i, f, c, o. So `fused.setWeights(lstm.getWeights())` gives the same outputs, and a
 * model trained with one runs with the other.
 *
 * Why it is faster: tf.layers.lstm runs a generic RNN loop that records ~20 small operations per
 * time step on the autograd tape, and backpropagates through each of them. Here the whole
 * sequence is one differentiable operation with its backward pass (backpropagation through
 * time) written out: the input projection of all time steps is one
 * [batch·time, inputDim]×[inputDim, 4·units] product; each step then does one recurrent
 * product and the gate arithmetic; backward keeps per-step work to the recurrent product and
 * the gates' derivatives, and computes the three weight gradients and the input gradient once,
 * as single large products over all time steps.
 *
 * A backend may run the whole sequence as one kernel named LSTM_SEQUENCE_KERNEL instead
 * (../kernels.ts); the native backend does, with TensorFlow's BlockLSTM (64 steps = 1 + 1 kernels).
 *
 * Limits (kept small on purpose): zero initial state, no masking, no dropout, no returnState.
 */
import * as tf from "@tensorflow/tfjs";
import { backendHasKernel, runBackendKernel } from "../kernels";

type Initializer = ReturnType<typeof tf.initializers.zeros>;
type CustomGradientFn = Parameters<typeof tf.customGrad>[0];

export interface FusedLstmConfig {
  units: number;
  /** Output every step ([batch, time, units]) or only the last ([batch, units]). Default false. */
  returnSequences?: boolean;
  /** "auto" (default): the backend's LSTM_SEQUENCE_KERNEL where it has one, else the ops below; "composite": always the ops below. */
  implementation?: "auto" | "composite";
  kernelInitializer?: Initializer;
  recurrentInitializer?: Initializer;
  /** Start the forget-gate bias at 1 (often trains better). Default false, as in tf.layers.lstm. */
  unitForgetBias?: boolean;
  name?: string;
  trainable?: boolean;
  inputShape?: number[];
}

/** The kernel's name: inputs x, kernel, recurrentKernel, bias; first output h [batch, time, units]. */
export const LSTM_SEQUENCE_KERNEL = "CourseLstmSequence";

/**
 * The LSTM over a whole sequence, differentiable in all four arguments.
 * x: [batch, time, inputDim] → h for every step: [batch, time, units].
 */
export function fusedLstmSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  implementation: "auto" | "composite" = "auto",
): tf.Tensor3D {
  if (implementation === "auto" && backendHasKernel(LSTM_SEQUENCE_KERNEL)) {
    const [h, ...more] = runBackendKernel(LSTM_SEQUENCE_KERNEL, { x, kernel, recurrentKernel, bias }); // more: what its gradient reads, if any
    tf.dispose(more);
    return h as tf.Tensor3D;
  }
  return compositeLstm(x, kernel, recurrentKernel, bias);
}

// ---------------------------------------------------------------------------------------------
// The ops: forward step by step, backward written out.

type LstmFn = (x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor3D;

const compositeLstm: LstmFn = tf.customGrad(((x: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const [batch, time, inputDim] = x.shape;
  const units = recurrent.shape[0];
  const x2d = x.reshape([batch * time, inputDim]); // [batch·time, inputDim]
  // Input projections of every step in one product, then split by time: time × [batch, 4·units].
  const projected = tf.unstack(tf.add(tf.matMul(x2d, kernel), bias).reshape([batch, time, 4 * units]), 1) as tf.Tensor2D[];

  // Saved per step: gate activations [i, f, g, o] as one [batch, 4·units] tensor, c, tanh(c), h.
  const acts: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  const tanhCs: tf.Tensor2D[] = [];
  const hs: tf.Tensor2D[] = [];
  let h: tf.Tensor2D | null = null;
  let c: tf.Tensor2D | null = null;
  for (let t = 0; t < time; t++) {
    const z = h == null ? projected[t] : tf.add<tf.Tensor2D>(projected[t], tf.matMul(h, recurrent));
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
    const i = tf.sigmoid(zi);
    const f = tf.sigmoid(zf);
    const g = tf.tanh(zc);
    const o = tf.sigmoid(zo);
    c = (c == null ? tf.mul(i, g) : tf.add(tf.mul(f, c), tf.mul(i, g))) as tf.Tensor2D;
    const tc = tf.tanh(c) as tf.Tensor2D;
    h = tf.mul(o, tc) as tf.Tensor2D;
    acts.push(tf.concat([i, f, g, o], 1) as tf.Tensor2D);
    cs.push(c);
    tanhCs.push(tc);
    hs.push(h);
  }
  const value = tf.stack(hs, 1) as tf.Tensor3D; // [batch, time, units]
  save([x2d, kernel, recurrent, ...acts, ...cs, ...tanhCs, ...hs]);

  const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
    const [x2dS, kernelS, recurrentS] = saved as tf.Tensor2D[];
    const at = (k: number) => saved.slice(3 + k * time, 3 + (k + 1) * time) as tf.Tensor2D[];
    const [A, C, TC, H] = [at(0), at(1), at(2), at(3)];
    const dys = tf.unstack(dy, 1) as tf.Tensor2D[]; // time × [batch, units]
    const recurrentT = tf.transpose(recurrentS); // [4·units, units], once instead of per step
    // Derivative of each gate's activation from its output a: σ' = a − a², tanh' = 1 − a².
    // One mask over the 4·units columns (1 on σ gates, 0 on the tanh candidate) does all four.
    const sigmoidCols = tf.concat([tf.ones([2 * units]), tf.zeros([units]), tf.ones([units])]);
    const tanhCols = tf.sub(1, sigmoidCols);

    const dzs: tf.Tensor2D[] = new Array(time);
    let dhNext: tf.Tensor2D | null = null;
    let dcNext: tf.Tensor2D | null = null;
    for (let t = time - 1; t >= 0; t--) {
      const dh: tf.Tensor2D = dhNext == null ? dys[t] : tf.add(dys[t], dhNext);
      const [i, f, g, o] = tf.split(A[t], 4, 1) as tf.Tensor2D[];
      // dc = dcNext + dh · o · (1 − tanh²c)
      let dc: tf.Tensor2D = tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(TC[t])));
      if (dcNext != null) dc = tf.add(dc, dcNext);
      const cPrev = t > 0 ? C[t - 1] : tf.zerosLike(C[t]);
      // Gradient w.r.t. each gate's output, then through its activation: [batch, 4·units].
      const dAct = tf.concat([tf.mul(dc, g), tf.mul(dc, cPrev), tf.mul(dc, i), tf.mul(dh, TC[t])], 1);
      const a = A[t];
      const slope = tf.sub(tf.add(tf.mul(a, sigmoidCols), tanhCols), tf.square(a));
      dzs[t] = tf.mul(dAct, slope) as tf.Tensor2D;
      dcNext = tf.mul(dc, f) as tf.Tensor2D;
      if (t > 0) dhNext = tf.matMul(dzs[t], recurrentT) as tf.Tensor2D;
    }
    // All time steps at once: [batch·time, 4·units], rows in the same order as x2d.
    const dz = (tf.stack(dzs, 1) as tf.Tensor3D).reshape([batch * time, 4 * units]) as tf.Tensor2D;
    const hPrev = tf.stack([tf.zerosLike(H[0]), ...H.slice(0, time - 1)], 1).reshape([batch * time, units]) as tf.Tensor2D;
    return [
      tf.matMul(dz, kernelS, false, true).reshape([batch, time, inputDim]), // dx
      tf.matMul(x2dS, dz, true, false), // dKernel
      tf.matMul(hPrev, dz, true, false), // dRecurrentKernel
      tf.sum(dz, 0), // dBias
    ];
  };
  return { value, gradFunc };
}) as unknown as CustomGradientFn) as unknown as LstmFn;

// ---------------------------------------------------------------------------------------------
// The layer.

export class FusedLstm extends tf.layers.Layer {
  static className = "FusedLstm";
  readonly units: number;
  readonly returnSequences: boolean;
  readonly implementation: "auto" | "composite";
  private readonly kernelInitializer: Initializer;
  private readonly recurrentInitializer: Initializer;
  private readonly unitForgetBias: boolean;
  private kernel!: tf.LayerVariable;
  private recurrentKernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(config: FusedLstmConfig) {
    super(config as unknown as ConstructorParameters<typeof tf.layers.Layer>[0]);
    if (!(config.units > 0)) throw new Error(`FusedLstm: units must be a positive integer, got ${config.units}`);
    this.units = config.units;
    this.returnSequences = config.returnSequences ?? false;
    this.implementation = config.implementation ?? "auto";
    this.kernelInitializer = config.kernelInitializer ?? tf.initializers.glorotNormal({}); // tf.layers.lstm's defaults
    this.recurrentInitializer = config.recurrentInitializer ?? tf.initializers.orthogonal({});
    this.unitForgetBias = config.unitForgetBias ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) throw new Error("FusedLstm: the last input dimension must be known");
    const u = this.units;
    this.kernel = this.addWeight("kernel", [inputDim, 4 * u], "float32", this.kernelInitializer);
    this.recurrentKernel = this.addWeight("recurrent_kernel", [u, 4 * u], "float32", this.recurrentInitializer);
    const forgetOnes = this.unitForgetBias;
    const biasInit = {
      apply: (s: tf.Shape) => tf.concat([tf.zeros([u]), forgetOnes ? tf.ones([u]) : tf.zeros([u]), tf.zeros([2 * u])]).reshape(s as number[]),
      getConfig: () => ({}),
      getClassName: () => "FusedLstmBias",
    } as unknown as Initializer;
    this.bias = this.addWeight("bias", [4 * u], "float32", biasInit);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [batch, time, inputDim]
      if (x.rank !== 3) throw new Error(`FusedLstm expects [batch, time, features], got shape [${x.shape}]`);
      const hs = fusedLstmSequence(
        x,
        this.kernel.read() as tf.Tensor2D,
        this.recurrentKernel.read() as tf.Tensor2D,
        this.bias.read() as tf.Tensor1D,
        this.implementation,
      );
      if (this.returnSequences) return hs;
      const [batch, time] = hs.shape;
      return hs.slice([0, time - 1, 0], [batch, 1, this.units]).reshape([batch, this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, returnSequences: this.returnSequences, implementation: this.implementation };
  }
}
tf.serialization.registerClass(FusedLstm);
