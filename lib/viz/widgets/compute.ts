/**
 * What each widget computes, as functions of its payload and its inputs: the browser bundle calls
 * them on every input event, and Node calls the very same ones to check the browser's numbers.
 * Randomness comes from mulberry32 seeds carried in the payload or typed by the reader, never
 * from Math.random, so a (seed, input) pair gives one answer everywhere.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32, randomNormal } from "../../seed";
import { psnr } from "../../metrics/psnr";
import { DecodedLayer, runStack } from "./denseStack";
import { base64ToBytes, bytesToBase64 } from "./encoding";

/** One forward pass of a batch given as a flat array: [count·in] → [count·out]. */
export function runFlat(stack: DecodedLayer[], input: Float32Array, count: number): Float32Array {
  const y = tf.tidy(() => runStack(stack, tf.tensor2d(input, [count, input.length / count])));
  const out = y.dataSync() as Float32Array; // read outside tidy (a tidy walks typed arrays)
  y.dispose();
  return Float32Array.from(out);
}

/** The VAE's E[x|h] at one point h = (h₁, h₂) of the latent plane: [784]. */
export function decodeLatent(decoder: DecodedLayer[], h: [number, number]): Float32Array {
  return runFlat(decoder, Float32Array.from(h), 1);
}

/** Masking noise: each pixel is set to 0 with probability `fraction` (mulberry32(seed), pixel by pixel). */
export function maskPixels(image: ArrayLike<number>, fraction: number, seed: number): Float32Array {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`maskPixels: the share of masked pixels must be in [0, 1], got ${fraction}`);
  const rng = mulberry32(seed);
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = rng() < fraction ? 0 : image[i];
  return out;
}

export interface DenoiseResult {
  noisy: Float32Array;
  denoised: Float32Array;
  psnrNoisy: number;
  psnrDenoised: number;
}

/** Mask an image, run it through the denoising autoencoder, score both against the original. */
export function denoise(autoencoder: DecodedLayer[], image: Float32Array, fraction: number, seed: number): DenoiseResult {
  const noisy = maskPixels(image, fraction, seed);
  const denoised = runFlat(autoencoder, noisy, 1);
  return { noisy, denoised, psnrNoisy: psnr(noisy, image), psnrDenoised: psnr(denoised, image) };
}

/** `count` noise vectors z ~ N(0, I) of length `dim`, drawn from mulberry32(seed): [count·dim]. */
export function gaussianNoise(seed: number, count: number, dim: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < out.length; i++) out[i] = randomNormal(rng);
  return out;
}

/** z(t) = (1 − t)·a + t·b, the straight walk between two noise vectors. */
export function interpolate(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

/** `count` samples of G for the noise drawn from `seed`: [count·outputDim]. */
export function generate(generator: DecodedLayer[], seed: number, count: number, noiseDim: number): Float32Array {
  return runFlat(generator, gaussianNoise(seed, count, noiseDim), count);
}

/** Images as a page carries them: one byte a pixel (v = byte / 255), base64. */
export function imagesToBase64(images: ArrayLike<number>): string {
  const bytes = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, images[i])) * 255);
  return bytesToBase64(bytes);
}

export function imagesFromBase64(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}
