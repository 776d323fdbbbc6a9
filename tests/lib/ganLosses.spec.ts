import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/accel/backend";
import {
  discriminatorLoss,
  generatorLoss,
  logD,
  logOneMinusD,
  minimaxValue,
  nonSaturatingGeneratorLoss,
  saturatingGeneratorLoss,
} from "../../lib/losses/gan";
import { assertNear as close } from "../helpers/close";

/** Logits whose sigmoid is p: a = log(p / (1 − p)). [n, 1] */
const logitsOf = (ps: number[]) => tf.tensor2d(ps.map((p) => Math.log(p / (1 - p))), [ps.length, 1]);

describe("GAN losses against hand-computed values", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  // D(x) = 0.9, 0.6 on two real images; D(G(z)) = 0.2, 0.5 on two fakes.
  const real = [0.9, 0.6];
  const fake = [0.2, 0.5];
  // V = ½(ln 0.9 + ln 0.6) + ½(ln 0.8 + ln 0.5) = ½(−0.1053605 − 0.5108256) + ½(−0.2231436 − 0.6931472)
  const V = -0.3080931 - 0.4581454;

  it("V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]", () => {
    const [r, f] = [logitsOf(real), logitsOf(fake)];
    const v = minimaxValue(r, f);
    close(v.dataSync()[0], V, 1e-5, "V");
    tf.dispose([r, f, v]);
  });

  it("the discriminator's binary cross-entropy is −V, and 2 ln 2 when D says ½ to everything", () => {
    const [r, f] = [logitsOf(real), logitsOf(fake)];
    const loss = discriminatorLoss(r, f);
    close(loss.dataSync()[0], -V, 1e-5, "L_D");
    // The same number as tfjs's own sigmoid cross-entropy with labels 1 for real and 0 for fake, summed over the two halves.
    const ref = tf.tidy(() =>
      tf.add(tf.losses.sigmoidCrossEntropy(tf.onesLike(r), r), tf.losses.sigmoidCrossEntropy(tf.zerosLike(f), f)),
    );
    close(loss.dataSync()[0], ref.dataSync()[0], 1e-5, "vs tf.losses.sigmoidCrossEntropy");
    const half = tf.zeros([4, 1]);
    const chance = discriminatorLoss(half, half);
    close(chance.dataSync()[0], 2 * Math.LN2, 1e-6, "L_D at D = ½");
    tf.dispose([r, f, loss, ref, half, chance]);
  });

  it("saturating G loss = E[log(1 − D(G(z)))], non-saturating = −E[log D(G(z))]", () => {
    const f = logitsOf(fake);
    close(saturatingGeneratorLoss(f).dataSync()[0], 0.5 * (Math.log(0.8) + Math.log(0.5)), 1e-5, "saturating");
    close(nonSaturatingGeneratorLoss(f).dataSync()[0], -0.5 * (Math.log(0.2) + Math.log(0.5)), 1e-5, "non-saturating");
    close(generatorLoss("non-saturating", f).dataSync()[0], 1.1512925, 1e-5, "by name");
    assert.throws(() => generatorLoss("wasserstein" as never, f), /not "non-saturating" or "saturating"/);
    f.dispose();
  });

  it("stays finite where σ(a) rounds to 0 or 1 (log of a logit, not log of a probability)", () => {
    const a = tf.tensor2d([-200, -30, 30, 200], [4, 1]);
    const values = [...logD(a).dataSync(), ...logOneMinusD(a).dataSync()];
    assert.ok(values.every(Number.isFinite), `non-finite: ${values}`);
    close(values[0], -200, 1e-3, "log σ(−200)");
    close(values[7], -200, 1e-3, "log(1 − σ(200))");
    assert.ok(Number.isFinite(nonSaturatingGeneratorLoss(tf.tensor2d([[-200]])).dataSync()[0]));
    a.dispose();
  });

  it("as D(G(z)) → 0 the saturating gradient vanishes (−D) while the non-saturating one tends to −1 (−(1 − D))", () => {
    for (const p of [0.5, 0.1, 0.01, 0.001]) {
      const a = logitsOf([p]);
      const gSat = tf.grad((x: tf.Tensor) => saturatingGeneratorLoss(x))(a).dataSync()[0];
      const gNon = tf.grad((x: tf.Tensor) => nonSaturatingGeneratorLoss(x))(a).dataSync()[0];
      close(gSat, -p, 1e-5, `saturating gradient at D = ${p}`);
      close(gNon, -(1 - p), 1e-5, `non-saturating gradient at D = ${p}`);
      a.dispose();
    }
  });

  it("leaks no tensors", () => {
    const [r, f] = [logitsOf(real), logitsOf(fake)];
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose([minimaxValue(r, f), discriminatorLoss(r, f), saturatingGeneratorLoss(f), nonSaturatingGeneratorLoss(f)]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([r, f]);
  });
});
