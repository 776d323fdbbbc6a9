/**
 * Conv2DBackpropFilter on wasm as im2col + one matrix product (tfjs-backend-wasm 4.22 has no
 * such kernel; before this it was forwarded to the pure-JS cpu backend).
 *
 *   patches P: [batch·outH·outW, fh·fw·inC]   every receptive field as a row (zeros where the
 *                                             window hangs over the padding)
 *   dW = Pᵀ · dy                              dy: [batch·outH·outW, outC] → [fh·fw·inC, outC]
 *
 * The patches are written with one TypedArray.set per (output position, filter row and column):
 * a contiguous run of inC channels in NHWC. The product goes through the (patched) wasm
 * BatchMatMul, so XNNPACK does the arithmetic. NCHW input returns null (the caller forwards it).
 */
import * as tf from "@tensorflow/tfjs";

import { WasmHeapBackend } from "./wasmKernel";

interface FilterGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

export function conv2dFilterGradIm2col(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as FilterGradAttrs;
  if (dataFormat !== "NHWC" || x.dtype !== "float32") return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rows = batchSize * outHeight * outWidth;
  const cols = filterHeight * filterWidth * inChannels;
  const backend = args.backend as unknown as WasmHeapBackend;

  const patches = backend.makeOutput([rows, cols], "float32"); // zero-filled by the loop below
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(patches);
  dst.fill(0);
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, row++) {
        const rowStart = row * cols;
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight + fh - padTop;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            const from = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            dst.set(src.subarray(from, from + inChannels), rowStart + (fh * filterWidth + fw) * inChannels);
          }
        }
      }
    }
  }
  const matMul = tf.getKernel("BatchMatMul", "wasm")!; // the patched one: explicit transpose, XNNPACK
  const product = matMul.kernelFunc({
    inputs: { a: { ...patches, shape: [1, rows, cols] }, b: { ...dy, shape: [1, rows, outChannels] } },
    attrs: { transposeA: true, transposeB: false },
    backend: args.backend,
  }) as tf.TensorInfo;
  backend.disposeData(patches.dataId);
  return { ...product, shape: [filterHeight, filterWidth, inChannels, outChannels] };
}
