/**
 * Faster matrix products on the wasm backend.
 *
 * tfjs-backend-wasm 4.22 multiplies at ~26 GFLOP/s when neither operand is transposed, but
 * drops to ~2 GFLOP/s when `transposeA` or `transposeB` is set, and every backward pass sets
 * one (dL/dA = dL/dY · Bᵀ, dL/dB = Aᵀ · dL/dY). Transposing explicitly first and then running
 * the plain product is 8-10× faster for the product and 2-5× faster for a whole training step,
 * with the same results (measured in ../shared/FACTS.md and in `npm run bench`).
 *
 * The wrapper sits below autograd (kernels are not taped), so gradients are unchanged.
 */
import * as tf from "@tensorflow/tfjs";

const PATCHED = Symbol.for("course.wasmMatMulPatched");
const MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"];

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  [key: string]: unknown;
}

export function patchWasmMatMul(): boolean {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  if (registry[PATCHED]) return false;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose == null) return false;
  for (const kernelName of MATMUL_KERNELS) {
    const original = tf.getKernel(kernelName, "wasm");
    if (original == null) continue;
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ ...original, kernelFunc: explicitTranspose(original.kernelFunc, transpose.kernelFunc) });
  }
  registry[PATCHED] = true;
  return true;
}

function explicitTranspose(matMul: tf.KernelFunc, transposeKernel: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { transposeA = false, transposeB = false } = (attrs ?? {}) as MatMulAttrs;
    if (!transposeA && !transposeB) return matMul({ inputs, attrs, backend });

    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const r = t.shape.length;
      const perm = [...Array(r - 2).keys(), r - 1, r - 2];
      const out = transposeKernel({ inputs: { x: t }, attrs: { perm }, backend }) as tf.TensorInfo;
      temporaries.push(out);
      return out;
    };
    const a = transposeA ? swapLastTwo(inputs.a as tf.TensorInfo) : inputs.a;
    const b = transposeB ? swapLastTwo(inputs.b as tf.TensorInfo) : inputs.b;
    try {
      return matMul({
        inputs: { ...inputs, a, b },
        attrs: { ...(attrs as object), transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
        backend,
      });
    } finally {
      for (const t of temporaries) (backend as tf.KernelBackend).disposeData(t.dataId);
    }
  };
}
