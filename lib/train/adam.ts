/**
 * Adam, the course's optimiser: `adam(learningRate)` where TensorFlow.js has `tf.train.adam`.
 *
 * Same maths as tf.train.adam (Kingma & Ba, with TensorFlow.js's epsilon added to the
 * bias-corrected √v̂), on every backend. On the native backend (tfjs-node) each weight is updated
 * by one TensorFlow kernel, ResourceApplyAdam, where tf.train.adam runs twelve element-wise
 * operations per weight, each allocating a fresh tensor: on the course's dense autoencoder, Adam
 * went from about a third of a training step to a few percent (docs/backends.md). On the other
 * backends it is tf.train.adam itself.
 *
 * ResourceApplyAdam keeps the epsilon outside the bias correction:
 *   θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε′)
 * which equals TensorFlow.js's  θ ← θ − lr · m̂ / (√v̂ + ε)  when ε′ = ε·√(1−β₂ᵗ).
 */
import * as tf from "@tensorflow/tfjs";
import { ResourceVariable } from "../native/resourceVariable";
import { attr, isNativeBackend, runOpForEffect } from "../native/tfOp";

type NamedTensor = { name: string; tensor: tf.Tensor };
type OptimizerVariable = { originalName: string; variable: tf.Variable };

/** One weight's optimiser state on the native backend: the weight itself and its two moments. */
interface NativeSlot {
  weight: ResourceVariable;
  m: ResourceVariable;
  v: ResourceVariable;
  /** The TensorFlow.js buffer last written back: anything else means the weight was set from outside. */
  syncedDataId: object;
}

export class FusedAdam extends tf.AdamOptimizer {
  private readonly slots = new Map<string, NativeSlot>();
  /** Steps taken on the native backend (t in the bias correction), counting restored ones. */
  private nativeSteps = 0;

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (!isNativeBackend()) {
      if (this.slots.size > 0) throw new Error(`FusedAdam: trained on the native backend, now asked to step on "${tf.getBackend()}"; use one optimiser per backend`);
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
      return;
    }
    const grads = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    if (this.slots.size === 0) this.nativeSteps = this.iterations;
    this.nativeSteps += 1;
    const t = this.nativeSteps;
    // Made at every step: a schedule may change the learning rate (lrSchedule.ts) between steps.
    const scalars = [this.learningRate, this.beta1, this.beta2, this.beta1 ** t, this.beta2 ** t, this.epsilon * Math.sqrt(1 - this.beta2 ** t)].map((x) => tf.scalar(x));
    const [lr, beta1, beta2, beta1Power, beta2Power, epsilon] = scalars;
    for (const { name, tensor: grad } of grads) {
      if (grad == null) continue;
      const variable = tf.engine().registeredVariables[name];
      const slot = this.slot(name, variable);
      runOpForEffect("ResourceApplyAdam", [attr.float32("T"), attr.bool("use_locking", false), attr.bool("use_nesterov", false)], [
        slot.weight.handle, slot.m.handle, slot.v.handle, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad,
      ]);
      const updated = slot.weight.read();
      variable.assign(updated);
      updated.dispose(); // the variable holds its own reference to the buffer
      slot.syncedDataId = variable.dataId;
    }
    tf.dispose(scalars);
    this.incrementIterations();
  }

  /** The slot of weight `name`, made on first use; re-read from the variable if it was set from outside. */
  private slot(name: string, variable: tf.Variable): NativeSlot {
    let slot = this.slots.get(name);
    if (slot == null) {
      const moments = this.restoredMoments(name, variable);
      slot = {
        weight: new ResourceVariable(variable.shape, variable),
        m: new ResourceVariable(variable.shape, moments.m),
        v: new ResourceVariable(variable.shape, moments.v),
        syncedDataId: variable.dataId,
      };
      tf.dispose([moments.m, moments.v]);
      this.slots.set(name, slot);
    } else if (slot.syncedDataId !== variable.dataId) {
      slot.weight.assign(variable); // e.g. weights loaded from a checkpoint between steps
      slot.syncedDataId = variable.dataId;
    }
    return slot;
  }

  /** Moments given by setWeights (tf.train.adam's layout), or zeros. */
  private restoredMoments(name: string, variable: tf.Variable): { m: tf.Tensor; v: tf.Tensor } {
    const state = this as unknown as { accumulatedFirstMoment: OptimizerVariable[]; accumulatedSecondMoment: OptimizerVariable[] };
    const find = (list: OptimizerVariable[], suffix: string) => list.find((s) => s.originalName === `${name}/${suffix}`)?.variable;
    const m = find(state.accumulatedFirstMoment, "m");
    const v = find(state.accumulatedSecondMoment, "v");
    return { m: m ? m.clone() : tf.zerosLike(variable), v: v ? v.clone() : tf.zerosLike(variable) };
  }

  /** tf.train.adam's layout ([iterations, …m, …v]), whichever backend holds the state. */
  override async getWeights(): Promise<NamedTensor[]> {
    if (this.slots.size === 0) return super.getWeights();
    const names = [...this.slots.keys()];
    const m = names.map((name) => ({ name: `${name}/m`, tensor: this.slots.get(name)!.m.read() }));
    const v = names.map((name) => ({ name: `${name}/v`, tensor: this.slots.get(name)!.v.read() }));
    return [await this.saveIterations(), ...m, ...v];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.disposeSlots(); // the next native step starts from the restored moments
    await super.setWeights(weightValues);
  }

  override dispose(): void {
    this.disposeSlots();
    super.dispose();
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) for (const r of [slot.weight, slot.m, slot.v]) r.dispose();
    this.slots.clear();
  }
}

/** Adam with TensorFlow.js's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7): a drop-in for tf.train.adam. */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdam {
  return new FusedAdam(learningRate, beta1, beta2, epsilon);
}
