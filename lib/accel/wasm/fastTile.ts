/**
 * tf.tile on the wasm backend, copying whole rows instead of one element at a time.
 *
 * tf.layers.layerNormalization tiles its gain and offset ([dModel]) over every row before
 * multiplying: in a transformer block that is 8 tiles of [2048, 64] per training step, and
 * tfjs-backend-wasm 4.22's Tile kernel took ≈ 40% of the step (bench/README.md). Here each
 * output row (all axes but the last) is found in the input by index modulo its shape, and its
 * last axis is written with TypedArray.set, reps[last] times. Results are identical (a copy).
 */
import * as tf from "@tensorflow/tfjs";
import { patchOnce, replaceKernel } from "../patch";
import { WasmHeapBackend } from "./wasmKernel";

export function patchWasmTile(): boolean {
  return patchOnce("wasm.tile", () =>
    replaceKernel("wasm", "Tile", (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { reps } = args.attrs as unknown as { reps: number[] };
      if (x.dtype === "string" || x.shape.length === 0) return original(args);
      const backend = args.backend as unknown as WasmHeapBackend;
      const outShape = x.shape.map((s, i) => s * reps[i]);
      const out = backend.makeOutput(outShape, x.dtype);
      // Views are taken after makeOutput: allocating may grow (and so detach) the heap.
      tileRows(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
      return out;
    }),
  );
}

type Row = ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };

/** out = tile(x, reps) for row-major arrays; one `set` per (output row, repeat of the last axis). */
export function tileRows(x: Row, shape: number[], reps: number[], out: { set(v: ArrayLike<number>, o: number): void }): void {
  const rank = shape.length;
  const inner = shape[rank - 1];
  const strides = tf.util.computeStrides(shape); // input strides of the rank - 1 outer axes
  const outOuter = shape.slice(0, rank - 1).map((s, i) => s * reps[i]);
  const rows = outOuter.reduce((a, b) => a * b, 1);
  const index = new Array(rank - 1).fill(0);
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    let source = 0;
    for (let d = 0; d < rank - 1; d++) source += (index[d] % shape[d]) * strides[d];
    const row = x.subarray(source, source + inner);
    for (let k = 0; k < reps[rank - 1]; k++) {
      out.set(row, offset);
      offset += inner;
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < outOuter[d]) break;
      index[d] = 0;
    }
  }
}
