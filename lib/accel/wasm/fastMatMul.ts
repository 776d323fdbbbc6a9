/**
 * Faster matrix products on the wasm backend.
 *
 * tfjs-backend-wasm 4.22 multiplies at ~26 GFLOP/s when neither operand is transposed, but
 * drops to ~2 GFLOP/s when `transposeA` or `transposeB` is set, and every backward pass sets
 * one (dL/dA = dL/dY · Bᵀ, dL/dB = Aᵀ · dL/dY). Transposing explicitly first and then running
 * the plain product is 8-10× faster for the product and 2-5× faster for a whole training step,
 * with the same results (measured in ../shared/FACTS.md and in `npm run bench`).
 *
 * Batched products ([batch, m, k] × [batch, k, n], e.g. attention) never reach XNNPACK in
 * 4.22: the kernel sends anything with a batch dimension to a naive triple loop. Two fixes:
 *   - b shared by the whole batch (b's batch is 1): a is viewed as one [batch·m, k] matrix and
 *     multiplied once (same numbers, one fast product);
 *   - both batched: each batch element is copied out and multiplied as a plain 2-D product on
 *     XNNPACK, the results copied into one output. Faster from about 16×16 matrices up
 *     (`splitBatchedMatMul` below; measured in bench/README.md).
 *
 * The wrapper sits below autograd (kernels are not taped), so gradients are unchanged.
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import { WasmHeapBackend } from "./wasmKernel";

const MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"];

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  [key: string]: unknown;
}

export function patchWasmMatMul(): boolean {
  return patchOnce("wasm.matMul", () => {
    const transpose = tf.getKernel("Transpose", "wasm");
    if (transpose == null) return false;
    for (const kernelName of MATMUL_KERNELS) replaceKernel("wasm", kernelName, (original) => explicitTranspose(original, transpose.kernelFunc));
    return true;
  });
}

function explicitTranspose(matMul: tf.KernelFunc, transposeKernel: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { transposeA = false, transposeB = false } = (attrs ?? {}) as MatMulAttrs;
    if (!transposeA && !transposeB) return plainMatMul(matMul, inputs, attrs ?? {}, backend);

    const temporaries: tf.TensorInfo[] = [];
    const transposeLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const r = t.shape.length;
      return transposeKernel({ inputs: { x: t }, attrs: { perm: [...Array(r - 2).keys(), r - 1, r - 2] }, backend }) as tf.TensorInfo;
    };
    const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const out = transposeLastTwo(t);
      temporaries.push(out);
      return out;
    };
    const plainAttrs = { ...(attrs as object), transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap;
    try {
      if (transposeA && !transposeB && transposeResultIsCheaper(inputs)) {
        // Aᵀ B = (Bᵀ A)ᵀ: transpose B and the (small) result instead of a tall A.
        const swapped = plainMatMul(matMul, { a: swapLastTwo(inputs.b as tf.TensorInfo), b: inputs.a as tf.TensorInfo }, plainAttrs, backend);
        temporaries.push(swapped);
        return transposeLastTwo(swapped);
      }
      const a = (transposeA ? swapLastTwo(inputs.a as tf.TensorInfo) : inputs.a) as tf.TensorInfo;
      const b = (transposeB ? swapLastTwo(inputs.b as tf.TensorInfo) : inputs.b) as tf.TensorInfo;
      return plainMatMul(matMul, { ...inputs, a, b }, plainAttrs, backend);
    } finally {
      for (const t of temporaries) (backend as tf.KernelBackend).disposeData(t.dataId);
    }
  };
}

/**
 * For Aᵀ B with A [k, m] and B [k, n] (a weight gradient xᵀ·dy): wasm's transpose costs ~8 ns
 * per element on tall matrices, so transposing B and the [n, m] result beats transposing A when
 * k·n + n·m < k·m: a transformer FFN's [2048, 256]ᵀ·[2048, 64] moves 147 k elements instead of
 * 524 k. Plain products only (no bias or activation), unbatched, float32.
 */
function transposeResultIsCheaper(inputs: tf.NamedTensorInfoMap): boolean {
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  if (inputs.bias != null || inputs.preluActivationWeights != null || a.dtype !== "float32") return false;
  if (size(a.shape.slice(0, -2)) > 1 || size(b.shape.slice(0, -2)) > 1) return false;
  const [k, m] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  return k * n + n * m < k * m;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** A product without transposes: routes batched shapes to XNNPACK's 2-D product where it can. */
function plainMatMul(matMul: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: unknown): tf.TensorInfo {
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  const run = (ins: tf.NamedTensorInfoMap) => matMul({ inputs: ins, attrs, backend: backend as tf.KernelBackend }) as tf.TensorInfo;
  if (batchA <= 1 && batchB <= 1) return run(inputs);
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const simpleBias = bias == null || bias.shape.length <= 1;

  if (batchB === 1 && simpleBias && a.dtype === "float32") {
    // Every batch element meets the same b: one [batch·m, k] × [k, n] product.
    const out = run({ ...inputs, a: { ...a, shape: [1, batchA * m, k] }, b: { ...b, shape: [1, k, n] } });
    return { ...out, shape: outShape };
  }
  // (The shipped loop also misplaces a 1-D bias after the first row: it indexes bias[min(i·n + j, n − 1)].
  // The split path adds it right, so batched products with a bias always take it.)
  const vectorBias = bias != null && simpleBias && size(bias.shape) === n;
  if (batchA === batchB && (bias == null || vectorBias) && inputs.preluActivationWeights == null && a.dtype === "float32" && (vectorBias || splitPays(m, k, n))) {
    return splitBatchedMatMul(run, a, b, bias, batchA, m, k, n, outShape, backend as WasmHeapBackend);
  }
  return run(inputs);
}

/** Per-element XNNPACK products pay for their copies and calls once the matrices are not tiny. */
function splitPays(m: number, k: number, n: number): boolean {
  const mode = process.env.COURSE_WASM_BATCHED_MATMUL; // "split" | "loop": force one path (for measurements)
  if (mode === "split") return true;
  if (mode === "loop") return false;
  return m * k * n >= 16 * 16 * 16;
}

function splitBatchedMatMul(
  run: (ins: tf.NamedTensorInfoMap) => tf.TensorInfo,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  batch: number,
  m: number,
  k: number,
  n: number,
  outShape: number[],
  backend: WasmHeapBackend,
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, "float32");
  for (let i = 0; i < batch; i++) {
    const ai = backend.makeOutput([1, m, k], "float32");
    const bi = backend.makeOutput([1, k, n], "float32");
    // Heap views only after allocating: an allocation may grow (and detach) the heap.
    backend.typedArrayFromHeap(ai).set(backend.typedArrayFromHeap(a).subarray(i * m * k, (i + 1) * m * k));
    backend.typedArrayFromHeap(bi).set(backend.typedArrayFromHeap(b).subarray(i * k * n, (i + 1) * k * n));
    const oi = run(bias == null ? { a: ai, b: bi } : { a: ai, b: bi, bias });
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(oi), i * m * n);
    backend.disposeData(ai.dataId);
    backend.disposeData(bi.dataId);
    backend.disposeData(oi.dataId);
  }
  return out;
}
