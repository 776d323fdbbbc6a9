/**
 * A TensorFlow resource variable on the native backend: a float32 buffer that TensorFlow's
 * own kernels update in place (ResourceApplyAdam), outside TensorFlow.js's bookkeeping.
 */
import * as tf from "@tensorflow/tfjs";
import { attr, runOp, runOpForEffect } from "./tfOp";

// TensorFlow's name for "anonymous": the resource lives as long as its handle (resource_handle.h).
const ANONYMOUS = "cd2c89b7-88b7-44c8-ad83-06c2a9158347";

export class ResourceVariable {
  /** The handle (a scalar "string" tensor on tfjs-node); pass it to ops that take a resource. */
  readonly handle: tf.Tensor;

  constructor(readonly shape: number[], initial: tf.Tensor) {
    // kept: the optimiser may make it inside a caller's tf.tidy, and it must outlive that
    this.handle = tf.keep(runOp("VarHandleOp", [attr.float32("dtype"), attr.shape("shape", shape), attr.string("container", ""), attr.string("shared_name", ANONYMOUS)], []));
    this.assign(initial);
  }

  assign(value: tf.Tensor): void {
    runOpForEffect("AssignVariableOp", [attr.float32("dtype")], [this.handle, value]);
  }

  /** The current value, a new TensorFlow.js tensor (TensorFlow copies on the next write, not now). */
  read(): tf.Tensor {
    return runOp("ReadVariableOp", [attr.float32("dtype")], [this.handle]);
  }

  dispose(): void {
    runOpForEffect("DestroyResourceOp", [attr.bool("ignore_lookup_error", true)], [this.handle]);
    this.handle.dispose();
  }
}
