/**
 * The interface a bench file implements. `npm run bench` (bench/run.ts) finds every
 * bench/*.bench.ts, imports it in a child process and looks for an exported `suite`.
 * See bench/README.md for a worked example.
 */
export interface BenchSuite {
  /** Heading of the suite's table. */
  title: string;
  /**
   * true: run once under each TensorFlow.js backend present (wasm, node, cpu…), the backend
   * started with initBackend before `cases` is called. false: run once, with no backend chosen
   * (for benches that do not time TensorFlow.js, e.g. notebook conversion).
   */
  perBackend: boolean;
  cases: BenchCase[];
}

export interface BenchCase {
  /** Row label. PyTorch results with the same name (bench/torch_bench.py) appear beside it. */
  name: string;
  /** Compare with this PyTorch case instead of the one named `name`. */
  pytorch?: string;
  /**
   * "samples/s", "GFLOP/s"… (a rate: each call of `run` returns the work it did, and the
   * bench reports work per second × `scale`), or "ms" (a time: the bench reports milliseconds
   * per call of `run`, lower is better).
   */
  unit: string;
  /** Multiplies work per second, e.g. 1e-9 to turn FLOP/s into GFLOP/s. Default 1. */
  scale?: number;
  /** Skip this case on some backends (e.g. too slow on cpu); return why, or null to run it. */
  skip?(backend: string): string | null;
  /** Builds the model/data once; returns the function to time and how to clean up. */
  setup(): Timed | Promise<Timed>;
}

export interface Timed {
  /** One unit of work (one training step, one product…); returns the amount done (samples, FLOPs; ignored for "ms"). */
  run(): number | void | Promise<number | void>;
  dispose?(): void;
}
