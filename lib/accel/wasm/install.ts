/**
 * What the course changes about the wasm backend (tfjs-backend-wasm 4.22), before it starts:
 * kernels it lacks (embedding, conv-filter and depthwise gradients, einsum), kernels it has
 * but runs slowly (transposed and batched products, sums over leading axes, slices, tiles), and
 * kernels that return stray memory for empty tensors.
 */
import { forwardEmptyInputsToCpu } from "./emptyInputs";
import { registerWasmFallbacks } from "./fallbackKernels";
import { patchWasmMatMul } from "./fastMatMul";
import { patchWasmReduce } from "./fastReduce";
import { patchWasmSlice } from "./fastSlice";
import { patchWasmTile } from "./fastTile";
import { registerWasmSegmentSum } from "./segmentSum";

export function installWasmKernels(): void {
  registerWasmSegmentSum(); // before the fallbacks: the cpu one is O(rows × ids × width)
  registerWasmFallbacks();
  patchWasmMatMul();
  patchWasmReduce(); // after the product: sums over rows become ones · X (fastReduce.ts)
  patchWasmSlice(); // the shipped Slice copies its whole input first
  patchWasmTile(); // the shipped Tile copies element by element (fastTile.ts)
  forwardEmptyInputsToCpu(); // last: it wraps every kernel above (emptyInputs.ts)
}
