import { strict as assert } from "assert";
import { psnr, psnrFromMse, psnrPerImage, meanPsnr } from "../../../lib/metrics/psnr";
import { areaUnderCurve, auroc, rocCurve } from "../../../lib/metrics/auroc";
import { iou, iouPerImage } from "../../../lib/metrics/iou";
import { assertNear } from "../../helpers/close";

const close = (a: number, b: number, tolerance = 1e-9) => assertNear(a, b, tolerance); // these metrics are exact up to rounding

describe("PSNR", () => {
  it("is 10 log10(1 / MSE) for pixels in [0, 1]", () => {
    close(psnrFromMse(0.01), 20);
    close(psnrFromMse(0.1), 10);
    close(psnr([0, 0, 1, 1], [0, 0.1, 1, 0.9]), 10 * Math.log10(1 / 0.005));
    assert.equal(psnr([0.3, 0.4], [0.3, 0.4]), Infinity);
  });
  it("per image, and a mean that leaves out exact copies", () => {
    const per = psnrPerImage([0, 0, 0.5, 0.5], [0, 0, 0.5, 0.4], 2);
    assert.equal(per[0], Infinity);
    close(per[1], psnrFromMse(0.005));
    close(meanPsnr(per), per[1]);
    assert.throws(() => psnrPerImage([0, 0, 0], [0, 0, 0], 2), /whole number/);
  });
});

describe("ROC and AUROC", () => {
  it("a perfect score has AUROC 1, a reversed one 0", () => {
    assert.equal(auroc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0]), 1);
    assert.equal(auroc([0.1, 0.2, 0.9, 0.8], [1, 1, 0, 0]), 0);
  });
  it("matches a hand count of positive-negative pairs, ties counting ½", () => {
    // positives 0.8, 0.4; negatives 0.5, 0.4, 0.1. Pairs won: 0.8 beats all 3; 0.4 beats 0.1, ties 0.4 → 3 + 1.5 = 4.5 of 6
    close(auroc([0.8, 0.4, 0.5, 0.4, 0.1], [1, 1, 0, 0, 0]), 4.5 / 6);
  });
  it("the ROC curve runs from (0, 0) to (1, 1) and its trapezoid area equals the rank AUROC", () => {
    const scores = [0.8, 0.4, 0.5, 0.4, 0.1, 0.7, 0.3];
    const labels = [1, 1, 0, 0, 0, 0, 1];
    const curve = rocCurve(scores, labels);
    assert.deepEqual([curve.fpr[0], curve.tpr[0]], [0, 0]);
    assert.deepEqual([curve.fpr.at(-1), curve.tpr.at(-1)], [1, 1]);
    assert.equal(curve.thresholds.length, 1 + new Set(scores).size); // one point per distinct score
    close(areaUnderCurve(curve.fpr, curve.tpr), auroc(scores, labels), 1e-12);
  });
  it("needs both classes and finite scores", () => {
    assert.throws(() => auroc([1, 2], [1, 1]), /both positives and negatives/);
    assert.throws(() => auroc([1, NaN], [1, 0]), /score 1 is NaN/);
  });
});

describe("IoU", () => {
  it("intersection over union of binary masks", () => {
    assert.equal(iou([1, 1, 0, 0], [1, 0, 1, 0]), 1 / 3);
    assert.equal(iou([1, 1, 0], [1, 1, 0]), 1);
    assert.equal(iou([0, 0], [0, 0]), 1); // nothing to find, nothing found
    assert.equal(iou([0.7, 0.2], [1, 1]), 0.5); // probabilities thresholded at 0.5
  });
  it("per image and pooled over a data set", () => {
    const r = iouPerImage([1, 0, 1, 1], [1, 1, 1, 1], 2);
    assert.deepEqual(r.perImage, [0.5, 1]);
    assert.equal(r.mean, 0.75);
    assert.equal(r.pooled, 3 / 4);
  });
});
