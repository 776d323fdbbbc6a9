/**
 * A one-dimensional mixture of Gaussians: the target of the toy GAN, small enough that its density
 * can be drawn exactly and compared with a histogram of the generator's samples.
 *
 *   p(x) = Σ_k w_k · N(x; μ_k, σ_k²)
 */
import { random, randomNormal } from "../seed";

export interface GaussianMixture1D {
  weights: number[];
  means: number[];
  stds: number[];
}

/** The toy GAN's default target: three bumps of unequal weight and width. */
export const TOY_GAN_MIXTURE: GaussianMixture1D = {
  weights: [0.3, 0.45, 0.25],
  means: [-2.5, 0.5, 3],
  stds: [0.5, 0.6, 0.4],
};

function check(mix: GaussianMixture1D): void {
  const k = mix.weights.length;
  if (k === 0 || mix.means.length !== k || mix.stds.length !== k) {
    throw new Error(`GaussianMixture1D: ${mix.weights.length} weights, ${mix.means.length} means and ${mix.stds.length} stds must be equal and non-zero in number`);
  }
  const total = mix.weights.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6 || mix.weights.some((w) => w < 0)) throw new Error(`GaussianMixture1D: weights must be ≥ 0 and sum to 1 (they sum to ${total})`);
  if (mix.stds.some((s) => !(s > 0))) throw new Error("GaussianMixture1D: every std must be > 0");
}

/** n draws from the mixture (pick a component by weight, then draw from it), from the seeded stream. */
export function sampleGaussianMixture(mix: GaussianMixture1D, count: number, rng: () => number = random): Float32Array {
  check(mix);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let u = rng();
    let k = 0;
    while (k < mix.weights.length - 1 && u >= mix.weights[k]) u -= mix.weights[k++];
    out[i] = mix.means[k] + mix.stds[k] * randomNormal(rng);
  }
  return out;
}

/** The density p(x) at each x. */
export function gaussianMixtureDensity(mix: GaussianMixture1D, xs: ArrayLike<number>): Float64Array {
  check(mix);
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    let p = 0;
    for (let k = 0; k < mix.weights.length; k++) {
      const z = (xs[i] - mix.means[k]) / mix.stds[k];
      p += (mix.weights[k] * Math.exp(-0.5 * z * z)) / (mix.stds[k] * Math.sqrt(2 * Math.PI));
    }
    out[i] = p;
  }
  return out;
}

/** The probability mass the mixture puts in each bin [edges[i], edges[i+1]): the exact "histogram" of the target. */
export function gaussianMixtureBinMass(mix: GaussianMixture1D, edges: ArrayLike<number>): Float64Array {
  check(mix);
  const cdf = (x: number) => mix.weights.reduce((acc, w, k) => acc + w * normalCdf((x - mix.means[k]) / mix.stds[k]), 0);
  const out = new Float64Array(edges.length - 1);
  for (let i = 0; i < out.length; i++) out[i] = cdf(edges[i + 1]) - cdf(edges[i]);
  return out;
}

/** Φ(z), the standard normal CDF, via erf (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}
