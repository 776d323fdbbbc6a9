/**
 * The live widgets in a real handout (`npm run test:browser`): the fixture notebook trains three
 * tiny models on the course kernel and shows each with one widget call; the exported page is
 * opened in headless Chromium (Debian's, through playwright-core) with every request but the
 * page itself refused. Each widget must go live, answer its controls (events dispatched, keys
 * pressed), and show exactly the numbers Node computes from the same weights, both with the
 * widget's own code and with the lecture's model (lib/) loaded with the dequantised weights.
 * With scripts off, the static figures show. A screenshot goes to artifacts/.
 *
 * Needs /usr/bin/chromium (apt-get install chromium); skipped with a message without it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Browser, Page } from "playwright-core";
import { executeFile, exportFile } from "nbconvert-ts";
import { launchChromium, openBlockedPage, skipWithoutChromium, Visit } from "../nbconvert/chromium";
import { ROOT, tempDir } from "../nbconvert/helpers";
import { decodeArray } from "../../../lib/viz/widgets/encoding";
import { decodeStack, EncodedLayer } from "../../../lib/viz/widgets/denseStack";
import { decodeLatent, denoise, gaussianNoise, generate, imagesFromBase64, interpolate, runFlat } from "../../../lib/viz/widgets/compute";
import type { CharLstmPayload, DenoiserPayload, GeneratorPayload, ToyGanPayload, TranslatorPayload, VaeLatentPayload } from "../../../lib/viz/widgets/payloads";
import { ToyGan, targetDensity } from "../../../lib/viz/widgets/toyGanCompute";
import { drawToyGan } from "../../../lib/viz/widgets/toyGanPlot";
import { attendSentence, decodeTranslator, disposeTranslator, translatorWeights } from "../../../lib/viz/widgets/translatorCompute";
import { Seq2SeqTransformer, padIdBatch } from "../../../lib/models/seq2seq";
import { Seq2SeqVocab } from "../../../lib/data/translation";
import { translatePairs } from "../../../lib/train/translationTraining";
import { useFastLayerNormalization } from "../../../lib/accel/layerNormalization";
import { decodeCharLstm, promptIds, writeText } from "../../../lib/viz/widgets/charLstmCompute";
import { CharLstm } from "../../../lib/models/charLstm";
import { mulberry32 } from "../../../lib/seed";
import { variationalAutoencoder } from "../../../lib/models/vae";
import { buildDenseGenerator } from "../../../lib/models/gan";

const FIXTURE = path.join(ROOT, "tests", "tools", "widgets", "fixtures", "widgets.ipynb");
const ARTIFACTS = path.join(ROOT, "artifacts");


const open = (browser: Browser, file: string, javaScriptEnabled = true): Promise<Visit> => openBlockedPage(browser, file, { javaScriptEnabled });

/** The payload of the page's widget of this kind, read from the HTML the reader gets. */
function payloadOf<T>(html: string, kind: string): T {
  const m = new RegExp(`data-course-widget="${kind}"[^>]*>.*?<script type="application/json" class="course-widget-payload">(.*?)</script>`, "s").exec(html);
  assert.ok(m, `no ${kind} widget in the handout`);
  return JSON.parse(m[1]) as T;
}

/** Sets each Dense layer of a lib model to the page's dequantised weights. */
function loadDequantised(layers: tf.layers.Layer[], stack: EncodedLayer[]): void {
  const dense = stack.filter((l) => l.op === "dense") as Extract<EncodedLayer, { op: "dense" }>[];
  layers.filter((l) => l.getClassName() === "Dense").forEach((layer, i) => {
    const w = [tf.tensor(decodeArray(dense[i].kernel), dense[i].kernel.shape), tf.tensor(decodeArray(dense[i].bias!), dense[i].bias!.shape)];
    layer.setWeights(w);
    tf.dispose(w);
  });
}

/** Sets a control's value and fires the event a reader's change would (input for ranges, change for selects). */
async function setControl(page: Page, selector: string, value: string, event = "input"): Promise<void> {
  await page.evaluate(
    ([s, v, e]) => {
      const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(s)!;
      el.value = v;
      el.dispatchEvent(new Event(e, { bubbles: true }));
    },
    [selector, value, event] as const,
  );
}

/** A widget's state as the page holds it (typed arrays become plain arrays). */
async function state(page: Page, kind: string): Promise<any> {
  return page.evaluate((k) => {
    const s = (document.querySelector(`[data-course-widget="${k}"] .course-widget-live`) as any).courseWidgetState;
    return JSON.parse(JSON.stringify(s, (_key, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
  }, kind);
}

/** The red channel of a canvas, byte per pixel. */
async function canvasBytes(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((s) => {
    const c = document.querySelector<HTMLCanvasElement>(s)!;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: c.width * c.height }, (_, i) => d[4 * i]);
  }, selector);
}

const asBytes = (v: ArrayLike<number>) => Array.from(v, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255));

describe("live widgets in a handout (headless Chromium, network blocked)", function () {
  this.timeout(600_000);
  let browser: Browser;
  let handout: string;
  let html: string;
  let previousBackend = "";

  before(async function () {
    skipWithoutChromium(this);
    const dir = tempDir("widgets");
    const executed = path.join(dir, "widgets.ipynb");
    const run = await executeFile(FIXTURE, executed);
    assert.ok(run.ok, `the fixture failed: ${JSON.stringify(run.failures)}`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    handout = path.join(ARTIFACTS, "widgets-fixture.html");
    exportFile(executed, handout, { courseName: "Deep learning in TypeScript" });
    html = fs.readFileSync(handout, "utf8");
    browser = await launchChromium();
    previousBackend = tf.getBackend();
    await tf.setBackend("cpu"); // the browser's backend: Node's numbers must equal its numbers
  });

  after(async () => {
    await browser?.close();
    if (previousBackend) await tf.setBackend(previousBackend);
  });

  it("every widget goes live on the cpu backend from one runtime; no request, no console error", async () => {
    const { page, blocked, errors } = await open(browser, handout);
    const report = await page.evaluate(() => ({
      widgets: Array.from(document.querySelectorAll<HTMLElement>("[data-course-widget]")).map((w) => [w.dataset.courseWidget, w.dataset.courseWidgetMounted]),
      runtimes: document.querySelectorAll("script[data-course-widget-runtime]").length,
      backend: (window as any).courseWidgets.tf.getBackend(),
      fallbacksHidden: Array.from(document.querySelectorAll<HTMLImageElement>(".course-widget-fallback")).every((img) => img.hidden),
      unlabelled: Array.from(document.querySelectorAll(".course-widget-live input, .course-widget-live select")).filter((c) => (c as HTMLInputElement).labels?.length !== 1).length,
    }));
    assert.deepEqual(report.widgets, [["vae-latent", "live"], ["denoiser", "live"], ["generator", "live"], ["char-lstm", "live"], ["toy-gan", "live"], ["attention", "live"]]);
    assert.equal(report.runtimes, 1, "one runtime for the page");
    assert.equal(report.backend, "cpu");
    assert.equal(report.fallbacksHidden, true);
    assert.equal(report.unlabelled, 0, "every control has its label");
    await page.screenshot({ path: path.join(ARTIFACTS, "widgets-fixture.png"), fullPage: true });
    assert.deepEqual(blocked, [], "the page requested something");
    assert.deepEqual(errors, []);
  });

  it("VAE plane: sliders, arrow keys and a click move h; the digit equals Node's, widget code and lib's vae.decode alike", async () => {
    const { page, errors } = await open(browser, handout);
    const payload = payloadOf<VaeLatentPayload>(html, "vae-latent");
    const stack = decodeStack(payload.decoder);
    const at0 = await state(page, "vae-latent");
    await setControl(page, '[data-course-widget="vae-latent"] input[type=range]', "1.2"); // the first: h₁
    const s1 = await state(page, "vae-latent");
    assert.deepEqual(s1.h, [1.2, 0]);
    assert.notDeepEqual(s1.pixels, at0.pixels, "the digit did not change");

    // Keyboard: the second slider (h₂) takes arrow keys; the plane takes them too.
    await page.evaluate(() => (document.querySelectorAll('[data-course-widget="vae-latent"] input[type=range]')[1] as HTMLElement).focus());
    for (let i = 0; i < 80; i++) await page.keyboard.press("ArrowLeft"); // 80 × 0.01
    await page.focus('[data-course-widget="vae-latent"] canvas[tabindex="0"]');
    await page.keyboard.press("ArrowRight"); // +0.1 on h₁
    const s2 = await state(page, "vae-latent");
    assert.deepEqual(s2.h, [1.3, -0.8]);

    const widget = Array.from(decodeLatent(stack, [1.3, -0.8]));
    assert.deepEqual(s2.pixels, widget, "the browser's digit differs from Node's (same weights, same code)");
    const vae = variationalAutoencoder({ hiddenSizes: [payload.decoder[0].op === "dense" ? payload.decoder[0].kernel.shape[1] : 0], latentSize: 2 });
    loadDequantised(vae.decoder.layers, payload.decoder);
    const lecture = Array.from(tf.tidy(() => vae.decode(tf.tensor2d([[1.3, -0.8]])).dataSync()));
    vae.dispose();
    assert.deepEqual(s2.pixels, lecture, "the browser's digit differs from the lecture's vae.decode");
    assert.deepEqual(await canvasBytes(page, '[data-course-widget="vae-latent"] canvas[aria-label^="the digit"]'), asBytes(lecture), "the canvas shows other pixels");

    // A click on the plane's centre puts h at (0, 0).
    const box = (await page.locator('[data-course-widget="vae-latent"] canvas[tabindex="0"]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const s3 = await state(page, "vae-latent");
    assert.ok(Math.abs(s3.h[0]) <= 0.03 && Math.abs(s3.h[1]) <= 0.03, `a click at the centre gave h = ${s3.h}`);
    assert.deepEqual(errors, []);
  });

  it("denoiser: the slider, the digit and a new mask give Node's noisy and denoised images and PSNR", async () => {
    const { page, errors } = await open(browser, handout);
    const payload = payloadOf<DenoiserPayload>(html, "denoiser");
    const before = await state(page, "denoiser");
    await setControl(page, '[data-course-widget="denoiser"] input[type=range]', "0.25");
    await setControl(page, '[data-course-widget="denoiser"] select', "2", "change");
    await page.click('[data-course-widget="denoiser"] button:has-text("new mask")');
    const s = await state(page, "denoiser");
    assert.deepEqual([s.index, s.fraction, s.seed], [2, 0.25, payload.seed + 1]);
    assert.notDeepEqual(s.result.denoised, before.result.denoised);
    const image = imagesFromBase64(payload.images).subarray(2 * 784, 3 * 784);
    const node = denoise(decodeStack(payload.autoencoder), image, 0.25, payload.seed + 1);
    assert.deepEqual(s.result.noisy, Array.from(node.noisy));
    assert.deepEqual(s.result.denoised, Array.from(node.denoised));
    assert.equal(s.result.psnrNoisy, node.psnrNoisy);
    assert.equal(s.result.psnrDenoised, node.psnrDenoised);
    const masked = node.noisy.filter((v, i) => v === 0 && image[i] > 0).length / image.filter((v) => v > 0).length;
    assert.ok(masked > 0.1 && masked < 0.4, `${masked} of the ink masked at 25%`);
    const text = await page.locator('[data-course-widget="denoiser"] p[aria-live]').innerText();
    assert.ok(text.includes(`${node.psnrNoisy.toFixed(1)} dB noisy`) && text.includes(`${node.psnrDenoised.toFixed(1)} dB denoised`), text);
    assert.deepEqual(await canvasBytes(page, '[data-course-widget="denoiser"] canvas[aria-label="denoised"]'), asBytes(node.denoised));
    assert.deepEqual(errors, []);
  });

  it("generator: a click draws Node's next samples (widget code and lib's G alike); the slider walks between two noise vectors", async () => {
    const { page, errors } = await open(browser, handout);
    const payload = payloadOf<GeneratorPayload>(html, "generator");
    const stack = decodeStack(payload.generator);
    const first = await state(page, "generator");
    await page.click('[data-course-widget="generator"] button:has-text("new samples")');
    const s = await state(page, "generator");
    assert.equal(s.seed, payload.seed + 1);
    assert.notDeepEqual(s.samples, first.samples);
    assert.deepEqual(s.samples, Array.from(generate(stack, payload.seed + 1, payload.count, payload.noiseDim)));
    const hidden = payload.generator.filter((l) => l.op === "dense").slice(0, -1).map((l) => (l.op === "dense" ? l.kernel.shape[1] : 0));
    const g = buildDenseGenerator({ noiseDim: payload.noiseDim, hidden, name: "browser_check_g" });
    loadDequantised(g.layers, payload.generator);
    const z = gaussianNoise(payload.seed + 1, payload.count, payload.noiseDim);
    const lecture = Array.from(tf.tidy(() => (g.predict(tf.tensor2d(z, [payload.count, payload.noiseDim])) as tf.Tensor).dataSync()));
    g.dispose();
    assert.deepEqual(s.samples, lecture, "the browser's samples differ from the lecture's G");

    await page.focus('[data-course-widget="generator"] input[type=range]');
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft"); // 0.5 → 0.25
    const w = await state(page, "generator");
    assert.equal(w.t, 0.25);
    const ends = gaussianNoise(payload.walkSeed, 2, payload.noiseDim);
    const walked = runFlat(stack, interpolate(ends.subarray(0, payload.noiseDim), ends.subarray(payload.noiseDim), 0.25), 1);
    assert.deepEqual(w.walked, Array.from(walked));
    assert.deepEqual(errors, []);
  });

  it("char LSTM: a seed text, a temperature and \"write\" give the very string CharLstm.sample writes in Node", async () => {
    const { page, errors } = await open(browser, handout);
    const payload = payloadOf<CharLstmPayload>(html, "char-lstm");
    const first = await state(page, "char-lstm");
    await setControl(page, '[data-course-widget="char-lstm"] input[type=text]', "Call me Ishmael#");
    await setControl(page, '[data-course-widget="char-lstm"] input[type=range]', "0.5", "change");
    await page.click('[data-course-widget="char-lstm"] button:has-text("write")');
    const s = await state(page, "char-lstm");
    assert.deepEqual([s.seed, s.temperature], [payload.seed + 1, 0.5]);
    assert.equal(s.text.length, payload.length);
    assert.notEqual(s.text, first.text);
    const decoded = decodeCharLstm(payload);
    const { ids, dropped } = promptIds(decoded, "Call me Ishmael#");
    assert.deepEqual(dropped, ["#"]);
    assert.equal(s.text, writeText(decoded, ids, payload.length, 0.5, payload.seed + 1), "the browser wrote another string than Node's widget code");
    // The lecture's model with the same (dequantised) weights, and its own sampler.
    const lstm = new CharLstm({ vocabSize: payload.chars.length, units: payload.U.shape[0] });
    for (const [v, e] of [[lstm.W, payload.W], [lstm.b, payload.b], [lstm.U, payload.U], [lstm.Wy, payload.Wy], [lstm.by, payload.by]] as const) v.assign(tf.tensor(decodeArray(e), e.shape));
    const lecture = lstm.sample(ids, payload.length, 0.5, mulberry32(payload.seed + 1)).map((id) => payload.chars[id]).join("");
    lstm.dispose();
    assert.equal(s.text, lecture, "the browser wrote another string than CharLstm.sample");
    const shown = await page.locator('[data-course-widget="char-lstm"] pre[aria-live]').innerText();
    assert.equal(shown, "call me ishmael" + lecture);
    // Keyboard: Enter in the seed text writes again (the next sample).
    await page.focus('[data-course-widget="char-lstm"] input[type=text]');
    await page.keyboard.press("Enter");
    assert.equal((await state(page, "char-lstm")).seed, payload.seed + 2);
    assert.deepEqual(errors, []);
  });

  it("toy GAN: rounds in Chromium equal Node's rounds (same seed, same settings), the canvas equals Node's picture, tensors stay flat while it runs", async () => {
    const { page, errors, blocked } = await open(browser, handout);
    const payload = payloadOf<ToyGanPayload>(html, "toy-gan");
    const w = '[data-course-widget="toy-gan"]';
    const start = await state(page, "toy-gan");
    assert.equal(start.round, 0);
    for (let i = 0; i < 3; i++) await page.click(`${w} button:has-text("one round")`);
    await setControl(page, `${w} select`, "0.003", "change"); // Adam's step size from round 4 on
    await setControl(page, `${w} input[type=range]`, "4"); // rounds per frame
    const tensors = () => page.evaluate(() => (window as any).courseWidgets.tf.memory().numTensors as number);
    const held = await tensors();
    await page.click(`${w} button:has-text("start")`);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const frames = (await state(page, "toy-gan")).frames;
      await page.waitForFunction((n) => (document.querySelector('[data-course-widget="toy-gan"] .course-widget-live') as any).courseWidgetState.frames > n, frames);
      counts.push(await tensors());
    }
    await page.click(`${w} button:has-text("pause")`);
    const paused = await state(page, "toy-gan");
    assert.equal(paused.running, false);
    assert.ok(paused.round >= 3 + 6 * 4, `${paused.round} rounds`);
    assert.deepEqual(counts, counts.map(() => held), `tf.memory().numTensors while running: ${counts} (before ${held})`);

    // Node: the same seed and settings, the step size changed after round 3, as many rounds.
    const gan = new ToyGan(payload);
    for (let i = 0; i < paused.round; i++) {
      if (i === 3) gan.setLearningRate(0.003);
      gan.step();
    }
    const node = gan.frame();
    const weights = gan.weights();
    gan.dispose();
    assert.deepEqual(paused.frame.generated, Array.from(node.generated), "G's density differs from Node's");
    assert.deepEqual(paused.frame.beliefs, Array.from(node.beliefs), "D(x) differs from Node's");
    assert.deepEqual([paused.frame.tv, paused.frame.dLoss, paused.frame.gLoss], [node.tv, node.dLoss, node.gLoss]);
    const rgb = drawToyGan({ generated: node.generated, target: targetDensity(payload.mixture), beliefs: node.beliefs });
    assert.deepEqual(await canvasBytes(page, `${w} canvas`), Array.from({ length: rgb.length / 3 }, (_, i) => rgb[3 * i]), "the canvas shows another picture");
    console.log(`      toy GAN: ${paused.round} rounds in Chromium, same frame as Node's (${weights.reduce((n, v) => n + v.length, 0)} weights); numTensors ${held} over ${counts.length} frames`);

    // Keyboard: a new seed (typed, then Enter's change) starts a new run from round 0.
    await page.fill(`${w} input[type=number]`, "9");
    await page.press(`${w} input[type=number]`, "Enter");
    await page.evaluate(() => document.querySelector('[data-course-widget="toy-gan"] input[type=number]')!.dispatchEvent(new Event("change", { bubbles: true })));
    const reseeded = await state(page, "toy-gan");
    assert.equal(reseeded.round, 0);
    const fresh = new ToyGan({ ...payload, learningRate: 0.003, seed: 9 });
    assert.deepEqual(reseeded.frame.beliefs, Array.from(fresh.frame().beliefs));
    fresh.dispose();
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });

  it("attention: typing a number, Enter, hover and arrow keys show the per-head weights Node's lecture model computes with the page's weights", async () => {
    const { page, errors, blocked } = await open(browser, handout);
    const payload = payloadOf<TranslatorPayload>(html, "attention");
    const w = '[data-course-widget="attention"]';
    const page0 = decodeTranslator(payload);
    const first = await state(page, "attention");
    assert.deepEqual(first.words, payload.start.split(" "));
    assert.deepEqual(first.seen, JSON.parse(JSON.stringify(attendSentence(page0, first.words))));

    // The lecture's Seq2SeqTransformer given the page's (dequantised) weights, as its cells run it
    // (after initBackend(), whose layer norm is lib/layers/layerNorm.ts).
    useFastLayerNormalization();
    const c = payload.config;
    const lecture = new Seq2SeqTransformer({ ...c, dropout: 0 }).build();
    for (const [name, v] of Object.entries(translatorWeights(lecture))) {
      const e = payload.weights[name];
      tf.tidy(() => (v as tf.Variable).assign(tf.tensor(decodeArray(e), e.shape)));
    }
    const task = { source: new Seq2SeqVocab(payload.sourceTokens), target: new Seq2SeqVocab(payload.targetTokens), sourceLength: c.maxSourceLen, targetLength: c.maxTargetLen };

    const words = "four thousand two hundred seven".split(" ");
    await page.fill(`${w} input[type=text]`, words.join(" "));
    await page.press(`${w} input[type=text]`, "Enter");
    const typed = await state(page, "attention");
    const node = attendSentence(page0, words);
    assert.deepEqual(typed.words, words);
    assert.deepEqual(typed.seen, JSON.parse(JSON.stringify(node)), "the browser's translation or attention differs from Node's");
    const lectureOut = translatePairs(lecture, task, [{ source: words, target: [], value: 0 }])[0];
    assert.equal(typed.seen.output.join(""), lectureOut, "the browser translates otherwise than the lecture's model");
    lecture.recordCrossAttention(true);
    tf.tidy(() => {
      const { memory, sourceMask } = lecture.encode(padIdBatch([task.source.encode(words)], c.maxSourceLen));
      const decoderIn = task.target.encode(lectureOut.split(""), { bos: true }).slice(0, c.maxTargetLen);
      lecture.decode(padIdBatch([decoderIn], decoderIn.length), memory, sourceMask);
    });
    const lectureCross = (lecture.decoder[c.decoderLayers - 1].crossAttention.lastAttention!.arraySync()[0] as number[][][]).map((h) => h.slice(0, typed.seen.predicts.length).map((r) => r.slice(0, words.length)));
    lecture.recordCrossAttention(false);
    lecture.dispose();
    assert.deepEqual(typed.seen.cross, lectureCross, "the browser's cross-attention differs from the lecture's model's");
    const result = await page.locator(`${w} p[aria-live]`).innerText();
    assert.ok(result.startsWith(`→ ${lectureOut || "(nothing)"} `), result);

    // Hover a source word: its encoder self-attention per head; the table says the same numbers.
    await page.hover(`${w} button[data-side="source"][data-index="1"]`);
    const hovered = await state(page, "attention");
    assert.deepEqual(hovered.selected, { side: "source", index: 1 });
    assert.deepEqual(hovered.shown, node.encoderSelf.map((h) => h[1]));
    const cells = await page.locator(`${w} table tr:nth-of-type(2) td`).allInnerTexts(); // head 1 (row 1 holds the words)
    assert.deepEqual(cells, node.encoderSelf[0][1].map((v) => `${Math.round(100 * v)}%`));

    // Keyboard: focus the first output token, then the arrow key moves to the second.
    await page.focus(`${w} button[data-side="output"][data-index="0"]`);
    await page.keyboard.press("ArrowRight");
    const keyed = await state(page, "attention");
    assert.deepEqual(keyed.selected, { side: "output", index: 1 });
    assert.deepEqual(keyed.shown, node.cross.map((h) => h[1]));
    assert.equal(await page.locator(`${w} button[aria-pressed="true"]`).innerText(), node.predicts[1]);

    // A word outside the vocabulary: named, nothing computed, no crash.
    await page.fill(`${w} input[type=text]`, "four thousnd");
    await page.press(`${w} input[type=text]`, "Enter");
    const refused = await state(page, "attention");
    assert.match(refused.error, /not in the model's vocabulary: "thousnd"/);
    assert.equal(refused.seen, null);
    disposeTranslator(page0);
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });

  it("with scripts off, each widget shows its static figure and nothing else", async () => {
    const { page, blocked } = await open(browser, handout, false);
    const report = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>("[data-course-widget]")).map((w) => {
        const fallback = w.querySelector<HTMLElement>(".course-widget-fallback")!;
        const shown = fallback instanceof HTMLImageElement ? fallback.complete && fallback.naturalWidth > 0 : (fallback.textContent ?? "").length > 20;
        return { shown: shown && fallback.getBoundingClientRect().height > 0, live: w.querySelector(".course-widget-live") != null, alt: w.getAttribute("aria-label") };
      }),
    );
    assert.equal(report.length, 6);
    for (const r of report) {
      assert.equal(r.shown, true, `${r.alt}: static figure not shown`);
      assert.equal(r.live, false);
    }
    assert.deepEqual(blocked, []);
  });
});
