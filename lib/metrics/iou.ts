/**
 * Intersection over union (the Jaccard index) of a predicted binary mask and the true one:
 * IoU = |P ∩ T| / |P ∪ T|. 1 is a perfect mask; predicting everything or nothing scores low.
 */

/** IoU of two binary masks (values > threshold count as "in"). Two empty masks agree: IoU 1. */
export function iou(predicted: ArrayLike<number>, truth: ArrayLike<number>, threshold = 0.5): number {
  const { intersection, union } = maskOverlap(predicted, truth, threshold);
  return union === 0 ? 1 : intersection / union;
}

/** Pixel counts of intersection and union. */
export function maskOverlap(predicted: ArrayLike<number>, truth: ArrayLike<number>, threshold = 0.5): { intersection: number; union: number } {
  if (predicted.length !== truth.length) throw new Error(`iou: predicted mask has ${predicted.length} pixels, the true mask ${truth.length}`);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] > threshold;
    const t = truth[i] > threshold;
    if (p && t) intersection++;
    if (p || t) union++;
  }
  return { intersection, union };
}

/** IoU of each image (flat, `pixels` values each); and the data-set IoU, all pixels pooled. */
export function iouPerImage(predicted: ArrayLike<number>, truth: ArrayLike<number>, pixels: number, threshold = 0.5): { perImage: number[]; mean: number; pooled: number } {
  if (predicted.length !== truth.length) throw new Error(`iouPerImage: ${predicted.length} predicted values, ${truth.length} true ones`);
  const n = predicted.length / pixels;
  if (!Number.isInteger(n)) throw new Error(`iouPerImage: ${predicted.length} values is not a whole number of ${pixels}-pixel masks`);
  const perImage: number[] = [];
  let inter = 0;
  let uni = 0;
  for (let k = 0; k < n; k++) {
    const a = Array.prototype.slice.call(predicted, k * pixels, (k + 1) * pixels) as number[];
    const b = Array.prototype.slice.call(truth, k * pixels, (k + 1) * pixels) as number[];
    const o = maskOverlap(a, b, threshold);
    inter += o.intersection;
    uni += o.union;
    perImage.push(o.union === 0 ? 1 : o.intersection / o.union);
  }
  return { perImage, mean: perImage.reduce((s, v) => s + v, 0) / Math.max(1, n), pooled: uni === 0 ? 1 : inter / uni };
}
