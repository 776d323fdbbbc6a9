/**
 * What the course changes about the native backend (tfjs-node), in the order it must happen:
 * TensorFlow reads its settings from the environment when tfjs-node is loaded; the kernel and
 * gradient replacements go in once the "tensorflow" backend is registered; the course's fused
 * kernels once it runs (whether the binding can run them is found out by running them).
 */
import * as os from "os";
import { useNativeAdam } from "./adam";
import { registerNativeActivationGradients } from "./activationGradients";
import { registerNativeReshape } from "./fastReshape";
import { registerNativeDense } from "./fusedDense";
import { nativeLayerNormAvailable } from "./fusedLayerNorm";
import { registerNativeLstmSequence } from "./lstmSequence";
import { usePlainDenseOnNative } from "./plainDense";
import { registerSameTypeCast } from "./sameTypeCast";

/** Intra-op threads the course gives TensorFlow when the user did not choose (TF_NUM_INTRAOP_THREADS). */
export function defaultIntraOpThreads(cores = os.cpus().length): number | null {
  // On 2 cores, waking the pool's second thread for every op costs more than it saves on the
  // course's small ops (a [128, 784] multiply: 130 µs with 2 threads, 38 µs with 1): one
  // thread trains the MLP GAN 1.2× and the transformer block 1.3× faster, the batch-512
  // autoencoder (large products) 0.8× (docs/backends.md). Larger machines keep TensorFlow's
  // default, one thread per core: not measured here.
  return cores <= 2 ? 1 : null;
}

/** Before `require("@tensorflow/tfjs-node")`. */
export function configureTensorFlow(): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2"; // TensorFlow's C++ start-up banners, noise in a notebook
  const threads = defaultIntraOpThreads();
  if (threads != null) process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  // TensorFlow turns its oneDNN kernels on by default only on CPUs with the newest vector
  // extensions (AVX-512 VNNI and up). On the course's AVX2 machines it left them off, and its
  // batched products ran Eigen's generic contraction: half as fast on attention's
  // [32, 4, 64, 16] products (perf). On: transformer block 0.39 → 0.46-0.50 of PyTorch
  // (docs/backends.md). TensorFlow says so once on stderr when it loads.
  process.env.TF_ENABLE_ONEDNN_OPTS ??= "1";
}

/** After it: one TensorFlow kernel where tfjs-node runs several, or none where it runs one for nothing. */
export function patchTfjsNode(): void {
  registerNativeActivationGradients(); // ReluGrad where tfjs-node runs seven ops
  registerNativeReshape(); // no new shape tensor per reshape
  registerSameTypeCast(); // float32 → float32 without a TensorFlow op
  usePlainDenseOnNative(); // dense layers without fused matMul's reshapes
  useNativeAdam(); // tf.train.adam: one ResourceApplyAdam per weight
}

/** Once the "tensorflow" backend runs: the course's kernels for lib's named ops (../../kernels.ts), where the binding has what they need. */
export function registerNativeKernels(): void {
  registerNativeDense(); // dense(): TensorFlow's _FusedMatMul (needs the binding that setup:native builds)
  registerNativeLstmSequence(); // fusedLstmSequence(): BlockLSTMV2
  nativeLayerNormAvailable(); // tf.layers.layerNormalization: the course's CourseLayerNorm (setup:native's binding)
}
