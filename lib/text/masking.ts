/**
 * Masked-language-model corruption (BERT's first pre-training task).
 *
 * In each row, 15% of the ordinary tokens are chosen for prediction. Of those, 80% are replaced
 * by [MASK], 10% by a random ordinary token, and 10% are left as they are: the model must
 * predict the original token at every chosen position, so it cannot learn that only [MASK]
 * positions matter (which would be useless later, when fine-tuning text has no [MASK]).
 * [CLS], [SEP] and [PAD] are never chosen.
 */
import { random, shuffleInPlace } from "../seed";

export interface MaskingOptions {
  /** Share of ordinary tokens to predict (default 0.15). */
  rate?: number;
  /** Of the chosen tokens: share replaced by [MASK] (default 0.8) and by a random token (default 0.1); the rest stay. */
  maskShare?: number;
  randomShare?: number;
  maskId: number;
  vocabSize: number;
  /** Ids that are never chosen and never drawn as random replacements ([PAD] [UNK] [CLS] [SEP] [MASK]: 0..4). */
  isSpecial: (id: number) => boolean;
  rng?: () => number;
}

export interface MaskedRow {
  /** The corrupted row, fed to the model. */
  input: number[];
  /** Positions to predict, in increasing order. */
  positions: number[];
  /** The original token at each of those positions. */
  labels: number[];
  /** What happened at each position: "mask", "random" or "keep". */
  actions: ("mask" | "random" | "keep")[];
}

/** Corrupts one row of token ids; max(1, round(rate × ordinary tokens)) positions are chosen. */
export function maskTokens(ids: readonly number[], options: MaskingOptions): MaskedRow {
  const rate = options.rate ?? 0.15;
  const maskShare = options.maskShare ?? 0.8;
  const randomShare = options.randomShare ?? 0.1;
  const rng = options.rng ?? random;
  if (!(rate > 0 && rate < 1)) throw new Error(`masking rate must be in (0, 1), got ${rate}`);
  if (maskShare < 0 || randomShare < 0 || maskShare + randomShare > 1) throw new Error(`maskShare ${maskShare} + randomShare ${randomShare} must lie in [0, 1]`);

  const candidates: number[] = [];
  ids.forEach((id, i) => {
    if (!options.isSpecial(id)) candidates.push(i);
  });
  const input = ids.slice();
  if (candidates.length === 0) return { input, positions: [], labels: [], actions: [] };
  const count = Math.max(1, Math.round(rate * candidates.length));
  const positions = shuffleInPlace(candidates, rng).slice(0, count).sort((a, b) => a - b);
  const labels: number[] = [];
  const actions: MaskedRow["actions"] = [];
  for (const p of positions) {
    labels.push(ids[p]);
    const r = rng();
    if (r < maskShare) {
      input[p] = options.maskId;
      actions.push("mask");
    } else if (r < maskShare + randomShare) {
      input[p] = randomOrdinaryId(options, rng);
      actions.push("random");
    } else {
      actions.push("keep");
    }
  }
  return { input, positions, labels, actions };
}

/** A uniformly random ordinary (non-special) token id. */
function randomOrdinaryId(options: MaskingOptions, rng: () => number): number {
  for (let tries = 0; tries < 1000; tries++) {
    const id = Math.floor(rng() * options.vocabSize);
    if (!options.isSpecial(id)) return id;
  }
  throw new Error(`could not draw an ordinary token from a vocabulary of ${options.vocabSize}: is every id special?`);
}
