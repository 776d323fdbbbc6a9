/**
 * What each kind of widget carries in its page: written by the kernel-side calls
 * (./vaeLatent.ts, ./denoiser.ts, ./generator.ts), read by the browser bundle (./browser/).
 */
import type { EncodedArray } from "./encoding";
import type { EncodedLayer } from "./denseStack";

/** The VAE's decoder over its 2-D latent plane. */
export interface VaeLatentPayload {
  /** h [1, 2] → E[x|h] [1, 784]: the decoder's layers, then a sigmoid. */
  decoder: EncodedLayer[];
  /** The plane shown: [−range, range]² (both axes). */
  range: number;
  /** Where the point starts. */
  start: [number, number];
  /** Codes μ(x) of test digits [n, 2] (float16) and their labels (base64 bytes), drawn under the point. */
  points?: { codes: EncodedArray; labels: string };
}

/** The denoising autoencoder with a few test digits to corrupt. */
export interface DenoiserPayload {
  /** x̃ [1, 784] → x̂ [1, 784]: encoder and decoder layers, then a sigmoid. */
  autoencoder: EncodedLayer[];
  /** Test digits, one byte a pixel (./compute.ts imagesFromBase64): [count, 784]. */
  images: string;
  count: number;
  /** The slider's start, and the mask's seed (the "new mask" button adds one). */
  fraction: number;
  seed: number;
}

/** A GAN's dense generator. */
export interface GeneratorPayload {
  /** z [n, noiseDim] → samples [n, 784]. */
  generator: EncodedLayer[];
  noiseDim: number;
  /** Samples per click. */
  count: number;
  /** Seed of the first batch of samples ("new samples" adds one), and of the walk's two ends. */
  seed: number;
  walkSeed: number;
}

/** The character LSTM (lib/models/charLstm.ts) with its vocabulary. */
export interface CharLstmPayload {
  /** Input projection W [V, 4u] and bias b [4u], recurrent U [u, 4u], read-out W_y [u, V] and b_y [V]. */
  W: EncodedArray;
  b: EncodedArray;
  U: EncodedArray;
  Wy: EncodedArray;
  by: EncodedArray;
  /** id → character. */
  chars: string[];
  /** The controls' start: seed text, temperature, characters to write; the sampling seed ("write" adds one). */
  prompt: string;
  temperature: number;
  length: number;
  seed: number;
}

/** The 1-D toy GAN, trained in the page (./toyGanCompute.ts): its settings, no weights (a seed makes them). */
export interface ToyGanPayload {
  /** Hidden widths of G and D, and their LeakyReLU slope. */
  hidden: number[];
  leak: number;
  /** The controls' start: batch, Adam's step size and β₁, rounds per animation frame, the seed. */
  batch: number;
  learningRate: number;
  beta1: number;
  stepsPerFrame: number;
  seed: number;
  /** The target p_data = Σ w_k N(μ_k, σ_k²). */
  mixture: { weights: number[]; means: number[]; stds: number[] };
  /** Rounds behind the static picture (what shows with scripts off). */
  previewRounds: number;
}

/** The translator of 2022-10-29 (lib/models/seq2seq.ts), number words → digits, for its attention (./translatorCompute.ts). */
export interface TranslatorPayload {
  /** Seq2SeqTransformer's config (dropout is 0 at inference). */
  config: { sourceVocabSize: number; targetVocabSize: number; maxSourceLen: number; maxTargetLen: number; dModel: number; numHeads: number; ffDim: number; encoderLayers: number; decoderLayers: number; norm: "pre" | "post"; padId: number; bosId: number; eosId: number };
  /** Weights by name ("encoder.0.attention.wq", …; ./translatorCompute.ts translatorWeights): matrices at the chosen precision, vectors float32. */
  weights: Record<string, EncodedArray>;
  /** id → token, both sides ([PAD] [BOS] [EOS] first). */
  sourceTokens: string[];
  targetTokens: string[];
  /** Sentences offered to pick from (held-out numbers), and the one shown first. */
  examples: string[];
  start: string;
}
