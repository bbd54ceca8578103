import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  chooseThreshold,
  computeMetrics,
  downsample,
  rocAuc,
  rocCurve,
} from '../../../../src/main/ml/metrics';

const labels = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0]);
const probs = Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]);

describe('metrics', () => {
  it('confusion-based metrics at 0.5 (predict faulty when prob >= threshold)', () => {
    const m = computeMetrics(labels, probs, 0.5);
    expect(m.confusion).toEqual({ tp: 3, fp: 2, tn: 2, fn: 1 });
    expect(m.accuracy).toBe(5 / 8);
    expect(m.precision).toBe(3 / 5);
    expect(m.recall).toBe(3 / 4);
    expect(m.f1).toBeCloseTo(2 / 3, 15);
    expect(m.specificity).toBe(0.5);
    expect(m.npv).toBeCloseTo(2 / 3, 15);
    expect(m.balancedAccuracy).toBe(0.625);
    expect(m.failRateActual).toBe(0.5);
    expect(m.failRatePredicted).toBe(5 / 8);
  });

  it('ROC AUC by Mann-Whitney: 11 of 16 positive/negative pairs ordered correctly', () => {
    expect(rocAuc(labels, probs)).toBe(11 / 16);
  });

  it('ROC AUC counts ties as one half', () => {
    // pairs: (0.5 vs 0.5) = 0.5, others 1 -> 3.5 / 4
    expect(rocAuc(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([0.5, 0.5, 0.8, 0.2]))).toBe(0.875);
  });

  it('average precision as scikit-learn: sum (R_n - R_n-1) P_n', () => {
    // positives at ranks 1,3,4,7 -> 0.25 * (1 + 2/3 + 3/4 + 4/7)
    expect(averagePrecision(labels, probs)).toBeCloseTo(0.25 * (1 + 2 / 3 + 3 / 4 + 4 / 7), 15);
    // tied group {pos, neg} at 0.5 enters as one step: 0.5 * 1 + 0.5 * 2/3
    expect(
      averagePrecision(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([0.5, 0.5, 0.8, 0.2])),
    ).toBeCloseTo(0.5 + 1 / 3, 15);
  });

  it('AUCs are null with one class; ratios with empty denominators are 0', () => {
    const m = computeMetrics(Uint8Array.from([0, 0, 0]), Float64Array.from([0.1, 0.2, 0.9]), 0.95);
    expect(m.rocAuc).toBeNull();
    expect(m.prAuc).toBeNull();
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.specificity).toBe(1);
  });

  it('curves start at the origin / (recall 0, precision 1) and are downsampled to <= 200 points', () => {
    const roc = rocCurve(labels, probs);
    expect(roc[0]).toEqual({ x: 0, y: 0, threshold: Infinity });
    expect(roc[roc.length - 1]).toMatchObject({ x: 1, y: 1, threshold: 0.2 });
    expect(roc.length).toBe(9);
    const n = 5000;
    const l = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const p = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    const m = computeMetrics(l, p);
    expect(m.rocCurve.length).toBeLessThanOrEqual(200);
    expect(m.prCurve.length).toBeLessThanOrEqual(200);
    expect(m.rocCurve[m.rocCurve.length - 1]).toMatchObject({ x: 1, y: 1 });
    expect(downsample([1, 2, 3, 4, 5], 3)).toEqual([1, 3, 5]);
  });

  it('chooses thresholds by rule', () => {
    // F1 per threshold: .9:.4 .8:.333 .7:.571 .6:.75 .5:.667 .4:.6 .3:.727 .2:.667
    expect(chooseThreshold(labels, probs, { kind: 'maxF1' })).toEqual({ threshold: 0.6, value: 0.75 });
    // J = TPR - FPR: best .5 at 0.6
    expect(chooseThreshold(labels, probs, { kind: 'youden' })).toEqual({ threshold: 0.6, value: 0.5 });
    expect(chooseThreshold(labels, probs, { kind: 'recall', minRecall: 0.75 }).threshold).toBe(0.6);
    expect(chooseThreshold(labels, probs, { kind: 'recall', minRecall: 0.5 }).threshold).toBe(0.7);
    expect(chooseThreshold(labels, probs, { kind: 'recall', minRecall: 1 }).threshold).toBe(0.3);
    expect(chooseThreshold(labels, probs, { kind: 'fixed' }).threshold).toBe(0.5);
    const none = chooseThreshold(Uint8Array.from([0, 0]), Float64Array.from([0.1, 0.2]), { kind: 'maxF1' });
    expect(none.threshold).toBe(0.5);
    expect(none.note).toBeDefined();
  });
});
