/**
 * The size budget of issue 20: what the widgets add to a lecture's handout, for the lectures'
 * own model sizes (weights bytes do not depend on training), and what int8 costs in pixels.
 *   2022-10-28: VAE 784-256-2 (decoder 2-256-784) and the denoiser 784-256-64-256-784
 *   2022-10-29: the character LSTM, 128 units over Moby Dick's 47 characters
 *   2022-10-29: and the number translator (d 64, 4 heads, feed-forward 128, one encoder and one decoder block)
 *   2022-11-14: the dense generator 100-256-784, and the toy GAN (settings only: the page trains it from a seed)
 * Each page also carries the runtime once. Budget: 3 MB per lecture in all.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { variationalAutoencoder } from "../../../lib/models/vae";
import { denseAutoencoder } from "../../../lib/models/autoencoder";
import { buildDenseGenerator } from "../../../lib/models/gan";
import { vaeLatentSpec } from "../../../lib/viz/widgets/vaeLatent";
import { denoiserSpec } from "../../../lib/viz/widgets/denoiser";
import { generatorSpec } from "../../../lib/viz/widgets/generator";
import { charLstmSpec } from "../../../lib/viz/widgets/charLstm";
import { CharLstm } from "../../../lib/models/charLstm";
import { CharVocab } from "../../../lib/text/charVocab";
import { widgetBundle, WidgetSpec } from "../../../lib/viz/widgets/widget";
import { widgetRuntime } from "../../../lib/viz/widgets/runtime";
import { decodeStack, disposeStack, EncodedLayer } from "../../../lib/viz/widgets/denseStack";
import { runFlat } from "../../../lib/viz/widgets/compute";
import { toyGanSpec } from "../../../lib/viz/widgets/toyGan";
import { translationAttentionSpec } from "../../../lib/viz/widgets/attention";
import { buildDenseDiscriminator } from "../../../lib/models/gan";
import { Seq2SeqTransformer } from "../../../lib/models/seq2seq";
import { numberTranslationData, NUMBER_WORDS, Seq2SeqVocab } from "../../../lib/data/translation";

const MB = 1024 * 1024;
const htmlBytes = (spec: WidgetSpec) => Buffer.byteLength(String(widgetBundle(spec).data["text/html"]));

describe("live widgets: bytes per handout (lecture-size models)", function () {
  this.timeout(120_000);

  it("2022-10-28 and 2022-11-14 and 2022-10-29 stay within 3 MB each, runtime included; int8 moves a pixel by < 2%", () => {
    const runtime = Buffer.byteLength(widgetRuntime().script);
    const images = { images: Float32Array.from({ length: 500 * 784 }, (_, i) => ((i * 7919) % 256) / 255), labels: new Uint8Array(500), count: 500 };
    const vae = variationalAutoencoder({ hiddenSizes: [256], latentSize: 2 });
    const denoiser = denseAutoencoder({ hiddenSizes: [256, 64] });
    const g = buildDenseGenerator({ name: "size_g" });
    const vaeSpec = vaeLatentSpec(vae, { points: images });
    const vocab = new CharVocab("abcdefghijklmnopqrstuvwxyz .,;:!?'\"-()\n_&*[]$@");
    const lstm = new CharLstm({ vocabSize: vocab.size, units: 128 });
    const task = { source: new Seq2SeqVocab(NUMBER_WORDS), target: new Seq2SeqVocab("0123456789".split("")) };
    const translator = new Seq2SeqTransformer({ sourceVocabSize: task.source.size, targetVocabSize: task.target.size, maxSourceLen: 6, maxTargetLen: 5, dModel: 64, numHeads: 4, ffDim: 128, encoderLayers: 1, decoderLayers: 1, dropout: 0 });
    const toyG = buildDenseGenerator({ noiseDim: 1, hidden: [32, 32], outputDim: 1, outputActivation: "linear", name: "size_toy_g" });
    const toyD = buildDenseDiscriminator({ inputDim: 1, hidden: [32, 32], name: "size_toy_d" });
    const rows: [string, number][] = [
      ["runtime (tfjs-core + cpu + widgets)", runtime],
      ["VAE latent plane, int8", htmlBytes(vaeSpec)],
      ["denoiser, int8", htmlBytes(denoiserSpec(denoiser, { images }))],
      ["generator, int8", htmlBytes(generatorSpec(g))],
      ["generator, float16", htmlBytes(generatorSpec(g, { precision: "float16" }))],
      ["char LSTM 128 units, int8", htmlBytes(charLstmSpec(lstm, vocab, { length: 20 }))],
      ["translator's attention, float16", htmlBytes(translationAttentionSpec(translator, task, { examples: numberTranslationData({ maxValue: 9999 }).test.slice(0, 8) }))],
      ["toy GAN (settings, static picture)", htmlBytes(toyGanSpec({ generator: toyG, discriminator: toyD, batch: 64, previewRounds: 2 }))],
    ];
    const lecture1028 = runtime + rows[1][1] + rows[2][1];
    const lecture1114 = runtime + rows[3][1] + rows[7][1];
    const lecture1029 = runtime + rows[5][1] + rows[6][1];
    for (const [what, bytes] of rows) console.log(`      ${what}: ${(bytes / 1024).toFixed(0)} KB`);
    console.log(`      2022-10-28 adds ${(lecture1028 / MB).toFixed(2)} MB, 2022-10-29 ${(lecture1029 / MB).toFixed(2)} MB, 2022-11-14 ${(lecture1114 / MB).toFixed(2)} MB`);
    assert.ok(lecture1028 <= 3 * MB && lecture1029 <= 3 * MB && lecture1114 <= 3 * MB);

    // int8 against float32, the same decoder over the plane: the largest change of a pixel (in [0, 1]).
    const decodeGrid = (precision: "int8" | "float32") => {
      const layers = (vaeLatentSpec(vae, { precision }).payload as { decoder: EncodedLayer[] }).decoder;
      const stack = decodeStack(layers);
      const grid = Float32Array.from({ length: 200 }, (_, i) => ((i * 37) % 61) / 10 - 3);
      const out = runFlat(stack, grid, 100);
      disposeStack(stack);
      return out;
    };
    const [q, f] = [decodeGrid("int8"), decodeGrid("float32")];
    const worst = q.reduce((m, v, i) => Math.max(m, Math.abs(v - f[i])), 0);
    console.log(`      int8 vs float32, VAE decoder at 100 points: largest pixel change ${worst.toFixed(4)}`);
    assert.ok(worst < 0.02, `int8 changed a pixel by ${worst}`);
    vae.dispose();
    denoiser.dispose();
    g.dispose();
    lstm.dispose();
    translator.dispose();
    toyG.dispose();
    toyD.dispose();
  });
});

describe("live widgets: the README's screenshot", function () {
  it("the live section shows a PNG of a widget that exists in docs/ and is small (< 150 KB)", () => {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const root = path.join(__dirname, "..", "..", "..");
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Live widgets"), readme.indexOf("\n## ", readme.indexOf("### Live widgets")));
    const images = [...section.matchAll(/!\[([^\]]+)\]\((docs\/[^)]+\.png)\)/g)];
    assert.ok(images.length >= 1, "no screenshot in the README's live widgets section");
    for (const [, alt, file] of images) {
      const bytes = fs.readFileSync(path.join(root, file));
      assert.equal(bytes.subarray(1, 4).toString(), "PNG", `${file} is not a PNG`);
      assert.ok(bytes.length < 150 * 1024, `${file}: ${bytes.length} bytes`);
      assert.ok(alt.length > 40, `${file}: the alt text says too little`);
    }
  });
});
