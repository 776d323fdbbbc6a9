/**
 * Peak signal-to-noise ratio, the usual figure for how close a reconstructed image is to the
 * original: PSNR = 10 log10(MAX² / MSE) dB, with MAX = 1 for pixels in [0, 1]. Higher is better;
 * +3 dB halves the squared error, +10 dB divides it by ten. A perfect copy has PSNR = ∞.
 */

/** PSNR in dB from a mean squared error. */
export function psnrFromMse(mse: number, maxValue = 1): number {
  if (!(mse >= 0)) throw new Error(`psnrFromMse: the mean squared error must be ≥ 0, got ${mse}`);
  return 10 * Math.log10((maxValue * maxValue) / mse);
}

/** PSNR of one image against its original (flat arrays of the same length). */
export function psnr(image: ArrayLike<number>, original: ArrayLike<number>, maxValue = 1): number {
  if (image.length !== original.length) throw new Error(`psnr: ${image.length} pixels against ${original.length} in the original`);
  if (image.length === 0) throw new Error("psnr: the image has no pixels");
  let sum = 0;
  for (let i = 0; i < image.length; i++) sum += (image[i] - original[i]) ** 2;
  return psnrFromMse(sum / image.length, maxValue);
}

/** PSNR of each image of a batch (flat, `pixels` values per image) against its original. */
export function psnrPerImage(images: ArrayLike<number>, originals: ArrayLike<number>, pixels: number, maxValue = 1): number[] {
  if (images.length !== originals.length) throw new Error(`psnrPerImage: ${images.length} values against ${originals.length}`);
  const n = images.length / pixels;
  if (!Number.isInteger(n)) throw new Error(`psnrPerImage: ${images.length} values is not a whole number of ${pixels}-pixel images`);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let p = k * pixels; p < (k + 1) * pixels; p++) sum += (images[p] - originals[p]) ** 2;
    out.push(psnrFromMse(sum / pixels, maxValue));
  }
  return out;
}

/** Mean of finite values (an exact copy has PSNR ∞; it is counted apart). */
export function meanPsnr(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) throw new Error("meanPsnr: no finite PSNR values");
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}
