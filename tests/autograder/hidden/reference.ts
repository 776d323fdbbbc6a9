/**
 * Plain-JavaScript references for the hidden specs: loops over arrays, no tfjs, written
 * independently of the solutions so that a bug in one is not copied into the other.
 * Hidden: never shipped to students, never readable by the sandbox.
 */

export type Matrix = number[][];

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** log(1 + e^x) without overflow. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

export function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

export function transpose(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

export const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** One LSTM step, gates [i | f | g | o] in blocks of `units` columns. */
export function lstmStep(x: Matrix, h: Matrix, c: Matrix, W: Matrix, U: Matrix, b: number[]): { h: Matrix; c: Matrix } {
  const units = h[0].length;
  const xw = matmul(x, W);
  const hu = matmul(h, U);
  const hNext: Matrix = [];
  const cNext: Matrix = [];
  for (let n = 0; n < x.length; n++) {
    const z = xw[n].map((v, j) => v + hu[n][j] + b[j]);
    const hr: number[] = [];
    const cr: number[] = [];
    for (let u = 0; u < units; u++) {
      const i = sigmoid(z[u]);
      const f = sigmoid(z[units + u]);
      const g = Math.tanh(z[2 * units + u]);
      const o = sigmoid(z[3 * units + u]);
      const cn = f * c[n][u] + i * g;
      cr.push(cn);
      hr.push(o * Math.tanh(cn));
    }
    hNext.push(hr);
    cNext.push(cr);
  }
  return { h: hNext, c: cNext };
}

/** Attention for one batch element; mask[i][j] = 1 keeps, 0 masks (every row keeps a key). */
export function attention(q: Matrix, k: Matrix, v: Matrix, mask?: Matrix): { output: Matrix; weights: Matrix } {
  const d = q[0].length;
  const weights = q.map((qi, i) => {
    const scores = k.map((kj, j) => {
      const s = qi.reduce((acc, x, t) => acc + x * kj[t], 0) / Math.sqrt(d);
      return mask && mask[i][j] === 0 ? -Infinity : s; // M = log m: a masked key gets exactly weight 0
    });
    const m = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  });
  return { output: matmul(weights, v), weights };
}

export function positionalEncoding(length: number, dModel: number): Matrix {
  return Array.from({ length }, (_, pos) =>
    Array.from({ length: dModel }, (_, j) => {
      const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / dModel);
      return j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }),
  );
}

/** AUROC by comparing every (anomaly, normal) pair: slow, obviously right. */
export function aurocPairs(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((sn, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

export interface GanState {
  Wg: Matrix; // [zDim, xDim]
  bg: number[]; // [xDim]
  Wd: Matrix; // [xDim, 1]
  bd: number; // scalar bias
}

/** One alternating step with plain SGD: D (G frozen), then G against the new D (D frozen), non-saturating. */
export function ganStep(s: GanState, real: Matrix, noise: Matrix, lrG: number, lrD: number): { next: GanState; dLoss: number; gLoss: number } {
  const gen = (W: Matrix, b: number[]) => matmul(noise, W).map((row) => row.map((x, j) => x + b[j]));
  const logit = (x: number[], W: Matrix, b: number) => x.reduce((acc, v, j) => acc + v * W[j][0], 0) + b;
  const fake = gen(s.Wg, s.bg);
  const lr = real.map((x) => logit(x, s.Wd, s.bd));
  const lf = fake.map((x) => logit(x, s.Wd, s.bd));
  const dLoss = mean(lr.map((a) => softplus(-a))) + mean(lf.map((a) => softplus(a)));
  // d/da softplus(−a) = σ(a) − 1 ; d/da softplus(a) = σ(a)
  const xDim = s.Wd.length;
  const gWd = Array.from({ length: xDim }, () => 0);
  let gbd = 0;
  real.forEach((x, n) => {
    const g = (sigmoid(lr[n]) - 1) / real.length;
    x.forEach((v, j) => (gWd[j] += g * v));
    gbd += g;
  });
  fake.forEach((x, n) => {
    const g = sigmoid(lf[n]) / fake.length;
    x.forEach((v, j) => (gWd[j] += g * v));
    gbd += g;
  });
  const Wd = s.Wd.map((row, j) => [row[0] - lrD * gWd[j]]);
  const bd = s.bd - lrD * gbd;
  const lf2 = fake.map((x) => logit(x, Wd, bd));
  const gLoss = mean(lf2.map((a) => softplus(-a)));
  const gWg = s.Wg.map((row) => row.map(() => 0));
  const gbg = s.bg.map(() => 0);
  fake.forEach((_, n) => {
    const g = (sigmoid(lf2[n]) - 1) / fake.length; // dL/dlogit
    for (let j = 0; j < xDim; j++) {
      const dx = g * Wd[j][0]; // dL/dfake[n][j]
      gbg[j] += dx;
      noise[n].forEach((z, i) => (gWg[i][j] += z * dx));
    }
  });
  const Wg = s.Wg.map((row, i) => row.map((w, j) => w - lrG * gWg[i][j]));
  const bg = s.bg.map((b, j) => b - lrG * gbg[j]);
  return { next: { Wg, bg, Wd, bd }, dLoss, gLoss };
}

/** The MLM corruption as specified in the notebook, driven by a list of draws. */
export function maskTokensRef(tokens: number[], o: { maskId: number; vocabSize: number; specialIds: number[]; selectProb?: number }, draws: number[]): { inputs: number[]; labels: number[]; used: number } {
  let k = 0;
  const next = () => draws[k++];
  const p = o.selectProb ?? 0.15;
  const inputs = tokens.slice();
  const labels = tokens.map(() => -100);
  tokens.forEach((t, i) => {
    if (o.specialIds.includes(t)) return;
    if (!(next() < p)) return;
    labels[i] = t;
    const r = next();
    if (r < 0.8) inputs[i] = o.maskId;
    else if (r < 0.9) inputs[i] = Math.floor(next() * o.vocabSize);
  });
  return { inputs, labels, used: k };
}

/** [time][heads·headDim] → [heads][time][headDim] for one batch element: head h has columns h·headDim … */
export function splitHeadsRef(x: Matrix, heads: number): number[][][] {
  const headDim = x[0].length / heads;
  return Array.from({ length: heads }, (_, h) => x.map((row) => row.slice(h * headDim, (h + 1) * headDim)));
}

/** The mode-collapse measure, pair by pair in float64. */
export function modeCoverageRef(samples: Matrix, centers: Matrix, radius: number, minCount: number): { counts: number[]; covered: number; highQualityShare: number; klToUniform: number } {
  const counts = centers.map(() => 0);
  for (const s of samples) {
    const d = centers.map((c) => Math.hypot(s[0] - c[0], s[1] - c[1]));
    const j = d.indexOf(Math.min(...d));
    if (d[j] <= radius) counts[j]++;
  }
  const high = counts.reduce((a, b) => a + b, 0);
  const k = centers.length;
  let kl = 0;
  for (const c of counts) if (c > 0) kl += (c / high) * Math.log((k * c) / high);
  return { counts, covered: counts.filter((c) => c >= minCount).length, highQualityShare: high / samples.length, klToUniform: kl };
}

/** A seeded generator for the specs' own random inputs: the course's mulberry32. */
export { mulberry32 as mulberry } from "../../../lib/seed";
