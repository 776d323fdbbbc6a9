/**
 * The live widgets on the Node side (lib/viz/widgets): weights encoded and decoded, the widget's
 * forward pass against the lecture's own model (same numbers, bit for bit on the cpu backend that
 * the browser runs), the display bundle, and the exporter's hook (one runtime per page, none in an
 * untrusted export). The browser side is widgets.browser.ts.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { Notebook } from "@ts-course/notebook";
import { renderNotebook } from "nbconvert-ts";
import { mulberry32, seed } from "../../../lib/seed";
import { maskingNoiseArray } from "../../../lib/data/corruption";
import { variationalAutoencoder } from "../../../lib/models/vae";
import { buildDenseGenerator, buildDenseDiscriminator } from "../../../lib/models/gan";
import { denseAutoencoder } from "../../../lib/models/autoencoder";
import { decodeArray, encodeArray, fromHalf, toHalf } from "../../../lib/viz/widgets/encoding";
import { decodeStack, disposeStack, EncodedLayer, stackSize } from "../../../lib/viz/widgets/denseStack";
import { decodeLatent, gaussianNoise, maskPixels, runFlat } from "../../../lib/viz/widgets/compute";
import { encodeLayers } from "../../../lib/viz/widgets/fromModel";
import { vaeLatentSpec } from "../../../lib/viz/widgets/vaeLatent";
import { denoiserSpec } from "../../../lib/viz/widgets/denoiser";
import { generatorSpec } from "../../../lib/viz/widgets/generator";
import { widgetBundle } from "../../../lib/viz/widgets/widget";
import { widgetRuntime } from "../../../lib/viz/widgets/runtime";
import { toyGanSpec } from "../../../lib/viz/widgets/toyGan";
import { ToyGan } from "../../../lib/viz/widgets/toyGanCompute";
import { drawToyGan, PLOT_HEIGHT, PLOT_WIDTH } from "../../../lib/viz/widgets/toyGanPlot";
import { TOY_GAN_MIXTURE } from "../../../lib/data/gaussianMixture";
import { numberTranslationData, NUMBER_WORDS, Seq2SeqVocab } from "../../../lib/data/translation";
import { Seq2SeqTransformer, padIdBatch } from "../../../lib/models/seq2seq";
import { translatePairs } from "../../../lib/train/translationTraining";
import { useFastLayerNormalization } from "../../../lib/accel/layerNormalization";
import { translationAttentionSpec } from "../../../lib/viz/widgets/attention";
import { attendSentence, decodeTranslator, disposeTranslator, translatorWeights } from "../../../lib/viz/widgets/translatorCompute";
import type { TranslatorPayload } from "../../../lib/viz/widgets/payloads";

/** Sets each Dense layer's weights to the stack's decoded values (what the page computes with). */
function loadDequantised(layers: tf.layers.Layer[], stack: EncodedLayer[]): void {
  const dense = stack.filter((l) => l.op === "dense") as Extract<EncodedLayer, { op: "dense" }>[];
  const targets = layers.filter((l) => l.getClassName() === "Dense");
  assert.equal(targets.length, dense.length);
  targets.forEach((layer, i) => {
    const w = [tf.tensor(decodeArray(dense[i].kernel), dense[i].kernel.shape), tf.tensor(decodeArray(dense[i].bias!), dense[i].bias!.shape)];
    layer.setWeights(w);
    tf.dispose(w);
  });
}

describe("live widgets: encoding, numbers, bundle (lib/viz/widgets)", function () {
  let previousBackend = "";
  before(async () => {
    previousBackend = tf.getBackend();
    await tf.setBackend("cpu"); // the backend the browser runs: same arithmetic, same numbers
  });
  after(async () => {
    if (previousBackend) await tf.setBackend(previousBackend);
  });

  it("float16: exact for representable values, nearest-even rounding, overflow to ∞, subnormals", () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14)]) assert.equal(fromHalf(toHalf(v)), v, `${v}`);
    assert.equal(fromHalf(toHalf(0.1)), 0.0999755859375);
    assert.equal(fromHalf(toHalf(1 + 2 ** -11)), 1, "a tie rounds to even");
    assert.equal(fromHalf(toHalf(1 + 3 * 2 ** -11)), 1 + 2 ** -9, "a tie rounds to even (up)");
    assert.equal(fromHalf(toHalf(1e6)), Infinity);
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const back = decodeArray(encodeArray(values, [10, 100], "float16"));
    values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v} → ${back[i]}`));
  });

  it("int8: one byte a weight, error at most half a step of its column", () => {
    const rng = mulberry32(3);
    const values = Float32Array.from({ length: 64 * 32 }, (_, i) => (rng() - 0.5) * (1 + (i % 32))); // columns of different spread
    const encoded = encodeArray(values, [64, 32], "int8");
    assert.equal(Buffer.from(encoded.data, "base64").length, 64 * 32);
    const back = decodeArray(encoded);
    const scale = new Float32Array(Uint8Array.from(Buffer.from(encoded.scale!, "base64")).buffer);
    values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= scale[i % 32] / 2 + 1e-6, `[${i}] ${v} → ${back[i]}`));
    assert.throws(() => encodeArray(Float32Array.of(1, NaN), [2], "int8"), /NaN or Infinity/);
    assert.throws(() => encodeArray(Float32Array.of(1, 2), [3], "int8"), /2 values for shape \[3\]/);
  });

  it("the widget's decoder pass equals the VAE's own decode, bit for bit, with the dequantised weights", () => {
    const vae = variationalAutoencoder({ hiddenSizes: [16], latentSize: 2 });
    for (const precision of ["float32", "float16", "int8"] as const) {
      const layers: EncodedLayer[] = [...encodeLayers(vae.decoder.layers, precision), { op: "sigmoid" }];
      loadDequantised(vae.decoder.layers, layers);
      const stack = decodeStack(layers);
      const before = tf.memory().numTensors;
      const widget = decodeLatent(stack, [0.7, -1.3]);
      assert.equal(tf.memory().numTensors, before, "the widget's pass leaks tensors");
      const lecture = tf.tidy(() => vae.decode(tf.tensor2d([[0.7, -1.3]])).dataSync());
      assert.deepEqual(Array.from(widget), Array.from(lecture), `${precision}: widget and lecture differ`);
      disposeStack(stack);
    }
    vae.dispose();
  });

  it("the generator (LeakyReLU, sigmoid output) and the autoencoder (relu, dropout left out) too", () => {
    const g = buildDenseGenerator({ noiseDim: 8, hidden: [16], name: "spec_g" });
    const layers = encodeLayers(g.layers, "int8");
    loadDequantised(g.layers, layers);
    const stack = decodeStack(layers);
    const z = gaussianNoise(5, 3, 8);
    assert.deepEqual(Array.from(runFlat(stack, z, 3)), Array.from(tf.tidy(() => (g.predict(tf.tensor2d(z, [3, 8])) as tf.Tensor).dataSync())));
    disposeStack(stack);
    g.dispose();

    const ae = denseAutoencoder({ hiddenSizes: [16, 4], dropout: 0.3 });
    const aeLayers: EncodedLayer[] = [...encodeLayers([...ae.encoder.layers, ...ae.decoder.layers], "float16"), { op: "sigmoid" }];
    assert.equal(aeLayers.filter((l) => l.op === "dense").length, 4, "dropout layers are left out");
    loadDequantised([...ae.encoder.layers, ...ae.decoder.layers], aeLayers);
    const aeStack = decodeStack(aeLayers);
    const x = Float32Array.from({ length: 784 }, (_, i) => (i % 7) / 7);
    assert.deepEqual(Array.from(runFlat(aeStack, x, 1)), Array.from(tf.tidy(() => ae.reconstruct(tf.tensor2d(x, [1, 784])).dataSync())));
    disposeStack(aeStack);
    ae.dispose();
  });

  it("masks pixels exactly as the lecture's maskingNoiseArray does with the same generator", () => {
    const x = Float32Array.from({ length: 784 }, (_, i) => (i % 10) / 10);
    assert.deepEqual(Array.from(maskPixels(x, 0.3, 42)), Array.from(maskingNoiseArray(x, 0.3, mulberry32(42))));
    assert.throws(() => maskPixels(x, 1.5, 1), /must be in \[0, 1\], got 1.5/);
  });

  it("refuses models it cannot carry, naming the layer", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], name: "ok" }), tf.layers.batchNormalization({ name: "bn" })] });
    assert.throws(() => encodeLayers(model.layers, "int8"), /layer "bn" is a BatchNormalization/);
    model.dispose();
    const vae = variationalAutoencoder({ hiddenSizes: [8], latentSize: 3 });
    assert.throws(() => vaeLatentSpec(vae), /needs latentSize 2, this VAE has 3/);
    vae.dispose();
  });

  it("a widget's bundle: the static figure, the payload as JSON, a boot script; marked in metadata; no tensors left", () => {
    const before = tf.memory().numTensors;
    const vae = variationalAutoencoder({ hiddenSizes: [16], latentSize: 2 });
    const images = Float32Array.from({ length: 5 * 784 }, (_, i) => (i % 13) / 13);
    const spec = vaeLatentSpec(vae, { points: { images, labels: [1, 2, 3, 4, 5], count: 5 } });
    const { data, metadata } = widgetBundle(spec);
    const html = String(data["text/html"]);
    assert.match(html, /^<div class="course-widget" data-course-widget="vae-latent"/);
    assert.match(html, /<img class="course-widget-fallback" alt="VAE latent plane[^"]*" src="data:image\/png;base64,/);
    const json = /<script type="application\/json" class="course-widget-payload">(.*?)<\/script>/.exec(html)![1];
    const payload = JSON.parse(json);
    assert.equal(payload.decoder.length, 3, "dense, dense, sigmoid");
    assert.equal(payload.points.codes.shape.join(), "5,2");
    assert.equal(String(data["image/png"]).length > 100, true);
    assert.deepEqual(metadata, { "ts-course": { widget: "vae-latent" } });
    // int8: one byte per kernel weight (base64: 4/3), float32 biases, per-column min and scale
    assert.equal(spec.bytes, stackSize(payload.decoder));
    assert.ok(spec.bytes < (2 * 16 + 16 * 784) * 1.4 + (16 + 784) * 4 * 1.4 * 3, `${spec.bytes} bytes`);
    vae.dispose();
    assert.equal(tf.memory().numTensors, before, "making a widget leaks tensors");
  });

  it("the exporter appends one runtime per page, drops the kernel's copy, and none in an untrusted export", () => {
    const g = buildDenseGenerator({ noiseDim: 4, hidden: [8], name: "spec_export_g" });
    const ae = denseAutoencoder({ hiddenSizes: [8] });
    const gen = widgetBundle(generatorSpec(g, { count: 2 }));
    const den = widgetBundle(denoiserSpec(ae, { images: { images: new Float32Array(2 * 784).fill(0.5), count: 2 } }));
    g.dispose();
    ae.dispose();
    const runtime = widgetRuntime();
    const display = (b: { data: object; metadata: object }) => ({ output_type: "display_data", data: b.data, metadata: b.metadata });
    const kernelRuntime = { output_type: "display_data", data: { "text/html": `<script data-course-widget-runtime="${runtime.id}">${runtime.script}</script>`, "text/plain": "" }, metadata: { "ts-course": { widgetRuntime: runtime.id } } };
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "code", id: "a", metadata: {}, execution_count: 1, source: "generatorWidget(G)", outputs: [kernelRuntime, display(gen)] },
        { cell_type: "code", id: "b", metadata: {}, execution_count: 2, source: "denoiserWidget(ae)", outputs: [display(den)] },
      ],
    } as unknown as Notebook;
    const page = renderNotebook(nb).html;
    assert.equal(page.split("data-course-widget-runtime").length - 1, 1, "one runtime on the page");
    assert.ok(page.indexOf("data-course-widget-runtime") > page.lastIndexOf('data-course-widget="'), "the runtime comes after the widgets");
    assert.equal(renderNotebook(nb).widgetCount, 2);
    const plain = renderNotebook({ ...nb, cells: [{ ...nb.cells[0], outputs: [] }] } as Notebook);
    assert.equal(plain.html.includes("data-course-widget-runtime"), false, "no widget, no runtime");

    const untrusted = renderNotebook(nb, { untrusted: true });
    assert.equal(untrusted.widgetCount, 0);
    assert.equal(untrusted.html.includes("data-course-widget-runtime"), false);
    assert.equal(untrusted.html.includes("course-widget-payload"), false, "the sanitiser removes the widget's scripts");
    assert.equal((untrusted.html.match(/<img[^>]+src="data:image\/png;base64,/g) ?? []).length, 2, "the static figures stay");
  });

  it("toy GAN: a seed fixes the run; rounds and pictures leave no tensor behind; G learns the lecture's mixture", () => {
    const config = { hidden: [8, 8], leak: 0.2, batch: 64, learningRate: 3e-3, beta1: 0.5, mixture: TOY_GAN_MIXTURE, seed: 11 };
    const [a, b, other] = [new ToyGan(config), new ToyGan(config), new ToyGan({ ...config, seed: 12 })];
    const start = a.frame().tv;
    for (let i = 0; i < 5; i++) [a, b, other].forEach((g) => g.step());
    const held = tf.memory().numTensors; // Adam's moments exist after the first round
    for (let i = 0; i < 25; i++) {
      a.step();
      b.step();
      a.frame();
    }
    assert.equal(tf.memory().numTensors, held + 0, "rounds or pictures leak tensors");
    assert.deepEqual(a.weights().map((w) => Array.from(w)), b.weights().map((w) => Array.from(w)), "same seed, other weights");
    assert.notDeepEqual(a.weights()[0], other.weights()[0], "another seed, same weights");
    const f = a.frame();
    assert.equal(f.round, 30);
    assert.equal(f.generated.length, 48);
    assert.equal(f.beliefs.length, 241);
    assert.ok(f.beliefs.every((p) => p > 0 && p < 1));
    assert.ok(f.tv < start, `30 rounds did not move G towards the target: TV ${start} → ${f.tv}`);
    const picture = drawToyGan({ generated: f.generated, target: new Float32Array(241).fill(0.3), beliefs: f.beliefs });
    assert.equal(picture.length, PLOT_WIDTH * PLOT_HEIGHT * 3);
    [a, b, other].forEach((g) => g.dispose());
    assert.throws(() => new ToyGan({ ...config, learningRate: 0 }), /learning rate must be in \(0, 0.1\], got 0/);
  });

  it("toy GAN widget: architecture read off the lecture's models, settings in the payload, a static picture; wrong models refused", () => {
    const before = tf.memory().numTensors;
    const g = buildDenseGenerator({ noiseDim: 1, hidden: [8, 8], outputDim: 1, outputActivation: "linear", name: "spec_toy_g" });
    const d = buildDenseDiscriminator({ inputDim: 1, hidden: [8, 8], name: "spec_toy_d" });
    const spec = toyGanSpec({ generator: g, discriminator: d, batch: 32, previewRounds: 3, seed: 5 });
    assert.deepEqual(spec.payload, { hidden: [8, 8], leak: 0.2, batch: 32, learningRate: 1e-3, beta1: 0.5, stepsPerFrame: 2, seed: 5, mixture: TOY_GAN_MIXTURE, previewRounds: 3 });
    assert.match(spec.label, /^1-D toy GAN after 3 rounds \(seed 5\)/);
    assert.equal(spec.fallbackPng!.subarray(1, 4).toString(), "PNG");
    const sigmoidG = buildDenseGenerator({ noiseDim: 1, hidden: [8, 8], outputDim: 1, name: "spec_toy_sig" });
    assert.throws(() => toyGanSpec({ generator: sigmoidG, discriminator: d }), /both last layers must be linear/);
    const wide = buildDenseGenerator({ noiseDim: 2, hidden: [8, 8], outputDim: 1, outputActivation: "linear", name: "spec_toy_wide" });
    assert.throws(() => toyGanSpec({ generator: wide, discriminator: d }), /must map 1 number to 1, this one maps 2 to 1/);
    [g, d, sigmoidG, wide].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, before, "making the widget leaks tensors");
  });

  it("attention: the lecture's translator on the page's weights translates and attends exactly as the lecture's model (float32, then float16)", () => {
    const numbers = numberTranslationData({ maxValue: 9999, rng: mulberry32(8) });
    const task = { source: new Seq2SeqVocab(NUMBER_WORDS), target: new Seq2SeqVocab("0123456789".split("")), sourceLength: 8, targetLength: 5 };
    useFastLayerNormalization(); // the lectures' initBackend() does this: their layer norms run lib/layers/layerNorm.ts
    const before = tf.memory().numTensors;
    seed(1); // weights whose greedy output ranges from nothing to 5 tokens on these examples
    const translator = new Seq2SeqTransformer({ sourceVocabSize: task.source.size, targetVocabSize: task.target.size, maxSourceLen: 8, maxTargetLen: 5, dModel: 16, numHeads: 4, ffDim: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0 }).build();
    // Random weights give flat attention: spread them so the comparison sees sharp rows too.
    for (const v of Object.values(translatorWeights(translator))) tf.tidy(() => (v as tf.Variable).assign(tf.mul(v, 3)));
    const examples = numbers.test.slice(0, 6);
    for (const precision of ["float32", "float16"] as const) {
      const spec = translationAttentionSpec(translator, task, { examples, precision });
      const payload = spec.payload as unknown as TranslatorPayload;
      if (precision === "float16") {
        // The lecture's model given the page's dequantised weights: the comparison below is for those.
        for (const [name, v] of Object.entries(translatorWeights(translator))) {
          const e = payload.weights[name];
          tf.tidy(() => (v as tf.Variable).assign(tf.tensor(decodeArray(e), e.shape)));
        }
      }
      const page = decodeTranslator(payload);
      const held = tf.memory().numTensors;
      for (const pair of examples) {
        const seen = attendSentence(page, pair.source);
        assert.equal(tf.memory().numTensors, held, "attending leaks tensors");
        const lecture = translatePairs(translator, task, [pair])[0];
        assert.equal(seen.output.join(""), lecture, `${pair.source.join(" ")}: the page translates otherwise`);
        // The lecture's own cross-attention (as its cell records it) over [BOS] + output.
        translator.recordCrossAttention(true);
        translator.encoder[0].attention.recordAttention = true;
        tf.tidy(() => {
          const { memory, sourceMask } = translator.encode(padIdBatch([task.source.encode(pair.source)], 8));
          const decoderIn = task.target.encode(lecture.split(""), { bos: true }).slice(0, 5); // [BOS] + output, within maxTargetLen
          translator.decode(padIdBatch([decoderIn], decoderIn.length), memory, sourceMask);
        });
        const n = pair.source.length;
        const cross = (translator.decoder[0].crossAttention.lastAttention!.arraySync()[0] as number[][][]).map((h) => h.slice(0, seen.predicts.length).map((r) => r.slice(0, n)));
        const self = (translator.encoder[0].attention.lastAttention!.arraySync()[0] as number[][][]).map((h) => h.slice(0, n).map((r) => r.slice(0, n)));
        translator.recordCrossAttention(false);
        translator.encoder[0].attention.recordAttention = false;
        translator.decoder[0].crossAttention.forgetAttention();
        translator.encoder[0].attention.forgetAttention();
        assert.deepEqual(seen.cross, cross, "cross-attention differs from the lecture's");
        assert.deepEqual(seen.encoderSelf, self, "encoder self-attention differs from the lecture's");
        seen.cross.forEach((h) => h.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5)));
      }
      assert.match(String(spec.fallbackText), /^"[a-z ]+" → (\d+|\(nothing\))\n/);
      assert.throws(() => attendSentence(page, ["four", "thousnd", "[PAD]"]), /not in the model's vocabulary: "thousnd", "\[PAD\]"/);
      assert.throws(() => attendSentence(page, Array(9).fill("one")), /9 words: the model reads at most 8/);
      disposeTranslator(page);
    }
    translator.dispose();
    assert.equal(tf.memory().numTensors, before, "the widget or the check left tensors");
  });

  it("the runtime is one classic script that cannot close its element early", () => {
    const { script, id } = widgetRuntime();
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.equal(/<\/script/i.test(script), false);
    assert.ok(script.startsWith("if(!window.courseWidgets){"), "a second copy on a page does nothing");
    assert.ok(script.length < 600_000, `${script.length} bytes`);
  });
});
