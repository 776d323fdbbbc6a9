/**
 * Saving and loading TensorFlow.js layers models without tfjs-node (whose `file://` handler we
 * do not have): to memory, for round-trip checks, and to a folder holding `model.json` and
 * `weights.bin` in the standard tfjs layout, loadable with `loadLayersModelFromDir`.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

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

/** Writes `model.json` and `weights.bin` into `dir` (created if needed). */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  const artifacts = await saveLayersModelToMemory(model);
  fs.mkdirSync(dir, { recursive: true });
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
  };
  fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(weightBytes(artifacts)));
  fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(json));
}

/** Loads what `saveLayersModelToDir` wrote. */
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
