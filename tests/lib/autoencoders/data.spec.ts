import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/accel/backend";
import { seed } from "../../../lib/seed";
import { maskingNoise, maskingNoiseArray } from "../../../lib/data/corruption";
import { generateShapes } from "../../../lib/data/shapes";
import { iou } from "../../../lib/metrics/iou";
import { noiseImages, outOfDistributionImages, randomScribbles } from "../../../lib/data/outOfDistribution";

describe("corruption and synthetic images", () => {
  before(async () => {
    await initBackend({ quiet: true, force: "wasm" });
  });

  it("masking noise drops the requested fraction of pixels (within tolerance) and keeps the rest unchanged", () => {
    seed(1);
    const x = tf.fill([50, 784], 0.7);
    const noisy = maskingNoise(x, 0.5);
    const v = noisy.dataSync();
    const dropped = Array.from(v).filter((p) => p === 0).length / v.length;
    assert.ok(Math.abs(dropped - 0.5) < 0.01, `dropped ${dropped}`);
    assert.ok(Array.from(v).every((p) => p === 0 || Math.abs(p - 0.7) < 1e-7));
    const host = maskingNoiseArray(new Float32Array(40000).fill(1), 0.25);
    const hostDropped = host.filter((p) => p === 0).length / host.length;
    assert.ok(Math.abs(hostDropped - 0.25) < 0.01, `dropped ${hostDropped}`);
    assert.throws(() => maskingNoise(x, 1.5), /must be in \[0, 1\]/);
    tf.dispose([x, noisy]);
  });

  it("masking noise is reproducible under seed()", () => {
    const draw = () => {
      seed(7);
      const t = maskingNoise(tf.ones([4, 16]), 0.5);
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    };
    assert.deepEqual(draw(), draw());
  });

  it("shapes: images in [0, 1], binary masks, same data for the same seed", () => {
    seed(3);
    const a = generateShapes(20, { size: 32 });
    seed(3);
    const b = generateShapes(20, { size: 32 });
    assert.deepEqual(a.images, b.images);
    assert.equal(a.images.length, 20 * 32 * 32);
    assert.ok(a.images.every((v) => v >= 0 && v <= 1));
    assert.ok(a.masks.every((v) => v === 0 || v === 1));
    const share = a.masks.reduce((s, v) => s + v, 0) / a.masks.length;
    assert.ok(share > 0.05 && share < 0.6, `mask covers ${share}`);
  });

  it("shapes are brighter than the background around them, but no single threshold separates them", () => {
    seed(4);
    const s = generateShapes(200);
    let inside = 0, nIn = 0, outside = 0, nOut = 0;
    for (let i = 0; i < s.images.length; i++) {
      if (s.masks[i]) (inside += s.images[i]), nIn++;
      else (outside += s.images[i]), nOut++;
    }
    assert.ok(inside / nIn > outside / nOut + 0.25);
    // The best global threshold stays well below the lecture's IoU target of 0.85: the task needs context.
    let best = 0;
    for (let t = 0.1; t < 1; t += 0.02) best = Math.max(best, iou(s.images, s.masks, t));
    assert.ok(best < 0.8, `a global threshold reaches IoU ${best}`);
  });

  it("out-of-distribution images cycle through their kinds at MNIST's size", () => {
    const ood = outOfDistributionImages(6);
    assert.equal(ood.images.length, 6 * 784);
    assert.deepEqual(ood.kinds, ["shape", "stripes", "checkerboard", "shape", "stripes", "checkerboard"]);
    assert.ok(ood.images.every((v) => v === 0 || v === 1));
    const noise = noiseImages(3);
    assert.equal(noise.length, 3 * 784);
    assert.ok(noise.every((v) => v >= 0 && v < 1));
  });

  it("random scribbles: strokes of ink inside MNIST's central box, nothing near the border", () => {
    seed(5);
    const s = randomScribbles(20);
    assert.equal(s.length, 20 * 784);
    assert.ok(s.every((v) => v >= 0 && v <= 1));
    for (let k = 0; k < 20; k++) {
      const img = s.subarray(k * 784, (k + 1) * 784);
      const ink = img.reduce((a, v) => a + v, 0);
      assert.ok(ink > 40 && ink < 400, `scribble ${k} has ${ink} of ink`);
      for (let p = 0; p < 784; p++) {
        const y = Math.floor(p / 28), x = p % 28;
        if (y < 3 || y > 25 || x < 3 || x > 25) assert.equal(img[p], 0, `ink at (${x}, ${y})`);
      }
    }
  });
});
