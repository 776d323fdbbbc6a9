/**
 * Saving and loading TensorFlow.js layers models without tfjs-node (whose `file://` handler we
 * do not have): to memory, for round-trip checks, and as the files of a folder holding
 * `model.json` and `weights.bin` in the standard tfjs layout, loadable with `loadLayersModelFromDir`.
 * The library reads checkpoints but never writes files: the training commands do
 * (tools/train/checkpoint.ts, atomically, with the course's one writeFileAtomic).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

/** One file of a checkpoint: its name inside the checkpoint's folder and its content. */
export interface CheckpointFile {
  name: string;
  data: string | Buffer;
}

/** Saves a model into memory: its topology, weight specs and weight bytes. */
export async function saveLayersModelToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (artifacts == null) throw new Error("model.save did not hand over any artifacts");
  return artifacts;
}

/** Loads a model from artifacts `saveLayersModelToMemory` produced; custom layers must be registered. */
export async function loadLayersModelFromMemory(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Saves, reloads, and compares the two models' outputs on `inputs`: the largest absolute difference. */
export async function roundTripLayersModel(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): Promise<{ loaded: tf.LayersModel; maxDiff: number; bytes: number }> {
  const artifacts = await saveLayersModelToMemory(model);
  const loaded = await loadLayersModelFromMemory(artifacts);
  const a = tf.tidy(() => [model.predict(inputs)].flat() as tf.Tensor[]);
  const b = tf.tidy(() => [loaded.predict(inputs)].flat() as tf.Tensor[]);
  if (a.length !== b.length) throw new Error(`the loaded model has ${b.length} outputs, the original ${a.length}`);
  const diffs = tf.tidy(() => a.map((t, i) => tf.max(tf.abs(tf.sub(t, b[i])))));
  let maxDiff = 0;
  for (const d of diffs) maxDiff = Math.max(maxDiff, (await d.data())[0]);
  tf.dispose([...a, ...b, ...diffs]);
  const bytes = weightBytes(artifacts).byteLength;
  return { loaded, maxDiff, bytes };
}

function weightBytes(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  const data = artifacts.weightData;
  if (data == null) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/**
 * The files of a saved model in the standard tfjs layout, in the order to write them: weights.bin,
 * then model.json. Writing them is the training command's job (tools/train/checkpoint.ts, each
 * file atomically); `loadLayersModelFromDir` reads them back.
 */
export async function layersModelFiles(model: tf.LayersModel): Promise<CheckpointFile[]> {
  const artifacts = await saveLayersModelToMemory(model);
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
  };
  return [
    { name: "weights.bin", data: Buffer.from(weightBytes(artifacts)) },
    { name: "model.json", data: JSON.stringify(json) },
  ];
}

/** Loads a model whose `layersModelFiles` were written into `dir`. */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const file = path.join(dir, "model.json");
  if (!fs.existsSync(file)) throw new Error(`No saved model in ${dir} (model.json is missing)`);
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const manifest = json.weightsManifest?.[0];
  if (!manifest) throw new Error(`${file} has no weightsManifest`);
  const bytes = fs.readFileSync(path.join(dir, manifest.paths[0]));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: manifest.weights, weightData }));
}
