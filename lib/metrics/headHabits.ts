/**
 * Does an attention head have a habit? Three numbers per head of a causal self-attention layer,
 * each read against a head that spreads its weight evenly over everything it may see (row i puts
 * 1/(i+1) on keys 0..i): how far back it looks, how much weight stays on the last few positions,
 * and the entropy of its rows as a share of that uniform head's (100% = uniform, no habit at all).
 */

export interface HeadHabit {
  /** Σ_j w_ij (i − j), averaged over the query positions i: characters (tokens) back. */
  lookBack: number;
  /** Weight on keys less than `recent` positions back, averaged over the query positions. */
  recentShare: number;
  /** Σ_i H(row i) / Σ_i ln(i + 1): 1 for a uniform head, small for a sharp one. */
  entropyShare: number;
}

/** The habits of each head; `weights` is [heads, t, t], rows summing to 1 with nothing above the diagonal. */
export function causalHeadHabits(weights: number[][][], recent = 3): HeadHabit[] {
  if (weights.length === 0) throw new Error("head habits: no heads");
  return weights.map((w, head) => {
    const t = w.length;
    if (t === 0 || w.some((row) => row.length !== t)) throw new Error(`head habits: head ${head + 1} is not a square [t, t] matrix of weights`);
    let lookBack = 0;
    let recentWeight = 0;
    let entropy = 0;
    let uniformEntropy = 0;
    w.forEach((row, i) => {
      uniformEntropy += Math.log(i + 1);
      row.forEach((p, j) => {
        lookBack += p * (i - j);
        if (i - j < recent) recentWeight += p;
        if (p > 0) entropy -= p * Math.log(p);
      });
    });
    // With one position there is nothing to choose from: the uniform entropy is 0, and so is the habit.
    return { lookBack: lookBack / t, recentShare: recentWeight / t, entropyShare: uniformEntropy > 0 ? entropy / uniformEntropy : 1 };
  });
}

/** How far back the uniform causal head looks on average over t positions: mean of i/2. */
export function uniformLookBack(t: number): number {
  let sum = 0;
  for (let i = 0; i < t; i++) sum += i / 2;
  return sum / t;
}
