/**
 * tf.train.adam's step as one TensorFlow kernel per weight on the native backend.
 *
 * TensorFlow.js's AdamOptimizer runs twelve element-wise operations per weight and step, each
 * allocating a fresh tensor; on tfjs-node each is a TensorFlow eager op. TensorFlow's own
 * ResourceApplyAdam updates a weight and its two moments in place, in one kernel: on the
 * course's dense autoencoder, Adam went from about a third of a training step to a few percent
 * (docs/backends.md). So on the native backend every AdamOptimizer (tf.train.adam, the course's
 * adam(), model.compile({optimizer: "adam"})) keeps its weight and moments as TensorFlow
 * resource variables and steps with ResourceApplyAdam; on the other backends it is unchanged.
 *
 * ResourceApplyAdam keeps the epsilon outside the bias correction:
 *   θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε′)
 * which equals TensorFlow.js's  θ ← θ − lr · m̂ / (√v̂ + ε)  when ε′ = ε·√(1−β₂ᵗ).
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce } from "../patch";
import { ResourceVariable } from "./resourceVariable";
import { attr, isNativeBackend, runOpForEffect } from "./tfOp";

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

/** An optimiser's native state: its slots, and the steps taken natively (t in the bias correction, counting restored ones). */
interface NativeState {
  slots: Map<string, NativeSlot>;
  steps: number;
}

/** What the patch uses of a tf.AdamOptimizer (much of it protected or private in its typings). */
interface Adam {
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void;
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weightValues: NamedTensor[]): Promise<void>;
  dispose(): void;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  iterations: number;
  incrementIterations(): void;
  saveIterations(): Promise<NamedTensor>;
  accumulatedFirstMoment: OptimizerVariable[];
  accumulatedSecondMoment: OptimizerVariable[];
}

const states = new WeakMap<object, NativeState>();

export function useNativeAdam(): boolean {
  return patchOnce("native.adam", () => {
    const proto = tf.AdamOptimizer.prototype as unknown as Adam;
    const stock = { applyGradients: proto.applyGradients, getWeights: proto.getWeights, setWeights: proto.setWeights, dispose: proto.dispose };
    proto.applyGradients = function (this: Adam, variableGradients: tf.NamedTensorMap | NamedTensor[]) {
      const state = states.get(this);
      if (!isNativeBackend()) {
        if (state && state.slots.size > 0) throw new Error(`Adam: trained on the native backend, now asked to step on "${tf.getBackend()}"; use one optimiser per backend`);
        return stock.applyGradients.call(this, variableGradients);
      }
      nativeStep(this, variableGradients);
    };
    proto.getWeights = async function (this: Adam) {
      const slots = states.get(this)?.slots;
      if (slots == null || slots.size === 0) return stock.getWeights.call(this);
      // tf.train.adam's layout: [iterations, …m, …v]
      const names = [...slots.keys()];
      const m = names.map((name) => ({ name: `${name}/m`, tensor: slots.get(name)!.m.read() }));
      const v = names.map((name) => ({ name: `${name}/v`, tensor: slots.get(name)!.v.read() }));
      return [await this.saveIterations(), ...m, ...v];
    };
    proto.setWeights = async function (this: Adam, weightValues: NamedTensor[]) {
      disposeSlots(this); // the next native step starts from the restored moments
      return stock.setWeights.call(this, weightValues);
    };
    proto.dispose = function (this: Adam) {
      disposeSlots(this);
      return stock.dispose.call(this);
    };
    return true;
  });
}

function nativeStep(adam: Adam, variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
  let state = states.get(adam);
  if (state == null) states.set(adam, (state = { slots: new Map(), steps: 0 }));
  const grads = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
  if (state.slots.size === 0) state.steps = adam.iterations;
  const t = ++state.steps;
  // Made at every step: a schedule may change the learning rate between steps (lib/train/lrSchedule.ts).
  const scalars = [adam.learningRate, adam.beta1, adam.beta2, adam.beta1 ** t, adam.beta2 ** t, adam.epsilon * Math.sqrt(1 - adam.beta2 ** t)].map((x) => tf.scalar(x));
  const [lr, beta1, beta2, beta1Power, beta2Power, epsilon] = scalars;
  for (const { name, tensor: grad } of grads) {
    if (grad == null) continue;
    const variable = tf.engine().registeredVariables[name];
    const slot = slotOf(adam, state, name, variable);
    runOpForEffect("ResourceApplyAdam", [attr.float32("T"), attr.bool("use_locking", false), attr.bool("use_nesterov", false)], [
      slot.weight.handle, slot.m.handle, slot.v.handle, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad,
    ]);
    const updated = slot.weight.read();
    variable.assign(updated);
    updated.dispose(); // the variable holds its own reference to the buffer
    slot.syncedDataId = variable.dataId;
  }
  tf.dispose(scalars);
  adam.incrementIterations();
}

/** The slot of weight `name`, made on first use; re-read from the variable if it was set from outside. */
function slotOf(adam: Adam, state: NativeState, name: string, variable: tf.Variable): NativeSlot {
  let slot = state.slots.get(name);
  if (slot == null) {
    const moments = restoredMoments(adam, name, variable);
    slot = {
      weight: new ResourceVariable(variable.shape, variable),
      m: new ResourceVariable(variable.shape, moments.m),
      v: new ResourceVariable(variable.shape, moments.v),
      syncedDataId: variable.dataId,
    };
    tf.dispose([moments.m, moments.v]);
    state.slots.set(name, slot);
  } else if (slot.syncedDataId !== variable.dataId) {
    slot.weight.assign(variable); // e.g. weights loaded from a checkpoint between steps
    slot.syncedDataId = variable.dataId;
  }
  return slot;
}

/** Moments given by setWeights (tf.train.adam's layout), or zeros. */
function restoredMoments(adam: Adam, name: string, variable: tf.Variable): { m: tf.Tensor; v: tf.Tensor } {
  const find = (list: OptimizerVariable[], suffix: string) => list.find((s) => s.originalName === `${name}/${suffix}`)?.variable;
  const m = find(adam.accumulatedFirstMoment, "m");
  const v = find(adam.accumulatedSecondMoment, "v");
  return { m: m ? m.clone() : tf.zerosLike(variable), v: v ? v.clone() : tf.zerosLike(variable) };
}

function disposeSlots(adam: Adam): void {
  const state = states.get(adam);
  if (state == null) return;
  for (const slot of state.slots.values()) for (const r of [slot.weight, slot.m, slot.v]) r.dispose();
  state.slots.clear();
}
