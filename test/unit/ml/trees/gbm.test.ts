import { describe, expect, it } from 'vitest';
import {
  binData,
  featureImportance,
  fitGbm,
  predictProba,
  predictRaw,
  predictStaged,
  runToEnd,
  treesRocAuc,
} from '../../../../src/main/ml/trees';
import { makeData, nonlinear } from './helpers';

describe('gradient boosting', () => {
  it('learns a separable threshold split', () => {
    const d = makeData(400, 3, 1, (_r, x) => (x[1] > 0.3 ? 1 : 0));
    const b = binData(d.X, d.nRows, d.nFeatures);
    const m = runToEnd(fitGbm(b, d.y, { nEstimators: 30, maxDepth: 2, learningRate: 0.5 }));
    expect(m.trees[0].feature[0]).toBe(1);
    expect(m.trees[0].threshold[0]).toBeCloseTo(0.3, 1);
    const p = predictProba(m, d.X, d.nRows);
    for (let i = 0; i < d.nRows; i++) {
      if (d.y[i] === 1) expect(p[i]).toBeGreaterThan(0.9);
      else expect(p[i]).toBeLessThan(0.1);
    }
    const imp = featureImportance(m, true);
    expect(imp[1]).toBeGreaterThan(0.95);
  });

  it('predicts the constant label without splitting', () => {
    const d = makeData(100, 2, 2, () => 1);
    const b = binData(d.X, d.nRows, d.nFeatures);
    // From 0.5 every round's single leaf moves all rows towards the label; from the prior it is there at once.
    const m = runToEnd(fitGbm(b, d.y, { nEstimators: 50 }));
    for (const t of m.trees) expect(t.feature.length).toBe(1);
    expect(Math.min(...predictProba(m, d.X, d.nRows))).toBeGreaterThan(0.99);
    const prior = runToEnd(fitGbm(b, d.y, { nEstimators: 5, baseScore: 'prior' }));
    for (const t of prior.trees) expect(t.feature.length).toBe(1);
    expect(Math.min(...predictProba(prior, d.X, d.nRows))).toBeGreaterThan(0.99);
  });

  it('ignores an all-missing column and learns from a feature missing exactly when the label is 1', () => {
    const n = 300;
    const d = makeData(n, 3, 3, (rng) => (rng.nextFloat() < 0.3 ? 1 : 0));
    for (let r = 0; r < n; r++) {
      d.X[0 * n + r] = NaN; // all missing
      d.X[2 * n + r] = d.y[r] === 1 ? NaN : 7; // constant value, missing iff faulty
    }
    const b = binData(d.X, n, 3);
    expect(Array.from(b.binner.active)).toEqual([1, 2]);
    const m = runToEnd(fitGbm(b, d.y, { nEstimators: 20, maxDepth: 3, learningRate: 0.3 }));
    expect(m.trees[0].feature[0]).toBe(2);
    const p = predictProba(m, d.X, n);
    expect(treesRocAuc(d.y, p)).toBe(1);
    // New data: missing goes to the side learned for missing.
    const Xn = Float64Array.from([NaN, NaN, 0, 0, NaN, 7]);
    const pn = predictProba(m, Xn, 2);
    expect(pn[0]).toBeGreaterThan(0.9);
    expect(pn[1]).toBeLessThan(0.1);
  });

  it('is deterministic for a seed with row and column subsampling, and the seed matters', () => {
    const d = nonlinear(500, 4);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const params = { nEstimators: 15, maxDepth: 4, subsample: 0.7, colsampleBytree: 0.6, seed: 11 };
    const a = runToEnd(fitGbm(b, d.y, params));
    const c = runToEnd(fitGbm(b, d.y, params));
    expect(predictRaw(a, d.X, d.nRows)).toEqual(predictRaw(c, d.X, d.nRows));
    expect(a.trees.map((t) => Array.from(t.feature))).toEqual(c.trees.map((t) => Array.from(t.feature)));
    const e = runToEnd(fitGbm(b, d.y, { ...params, seed: 12 }));
    expect(predictRaw(e, d.X, d.nRows)).not.toEqual(predictRaw(a, d.X, d.nRows));
  });

  it('staged prediction equals fitting fewer rounds', () => {
    const d = nonlinear(400, 5);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const full = runToEnd(fitGbm(b, d.y, { nEstimators: 20, maxDepth: 3, subsample: 0.8, seed: 3 }));
    const short = runToEnd(fitGbm(b, d.y, { nEstimators: 7, maxDepth: 3, subsample: 0.8, seed: 3 }));
    const [p7, p20] = predictStaged(full, d.X, d.nRows, [7, 20]);
    expect(p7).toEqual(predictProba(short, d.X, d.nRows));
    expect(p20).toEqual(predictProba(full, d.X, d.nRows));
  });

  it('yields one progress object per round and respects max_depth, gamma and min_child_weight', () => {
    const d = nonlinear(300, 6);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const progress: number[] = [];
    const m = runToEnd(fitGbm(b, d.y, { nEstimators: 4, maxDepth: 2 }), (p) => progress.push(p.done));
    expect(progress).toEqual([1, 2, 3, 4]);
    for (const t of m.trees) expect(t.feature.length).toBeLessThanOrEqual(7);
    const stiff = runToEnd(fitGbm(b, d.y, { nEstimators: 3, maxDepth: 6, gamma: 1e9 }));
    for (const t of stiff.trees) expect(t.feature.length).toBe(1);
    const heavy = runToEnd(fitGbm(b, d.y, { nEstimators: 3, maxDepth: 6, minChildWeight: 20 }));
    for (const t of heavy.trees)
      for (let i = 0; i < t.cover.length; i++) expect(t.cover[i]).toBeGreaterThanOrEqual(20);
  });

  it('starts from 0.5 by default (XGBoost 1.7), from the fault rate with baseScore prior, or a given probability', () => {
    const d = makeData(200, 2, 4, (_r, x) => (x[0] > 1 ? 1 : 0));
    const rate = d.y.reduce((a, v) => a + v, 0) / d.nRows;
    const b = binData(d.X, d.nRows, d.nFeatures);
    expect(runToEnd(fitGbm(b, d.y, { nEstimators: 0 })).baseScore).toBe(0);
    const prior = runToEnd(fitGbm(b, d.y, { nEstimators: 0, baseScore: 'prior' }));
    expect(prior.baseScore).toBeCloseTo(Math.log(rate / (1 - rate)), 12);
    expect(predictProba(prior, d.X, d.nRows)[0]).toBeCloseTo(rate, 12);
    const quarter = runToEnd(fitGbm(b, d.y, { nEstimators: 0, baseScore: 0.25 }));
    expect(quarter.baseScore).toBeCloseTo(Math.log(1 / 3), 12);
    expect(() => runToEnd(fitGbm(b, d.y, { baseScore: 1 }))).toThrow(RangeError);
  });

  it('generalizes on held-out non-linear data', () => {
    const tr = nonlinear(3000, 7);
    const te = nonlinear(2000, 8);
    const b = binData(tr.X, tr.nRows, tr.nFeatures);
    const m = runToEnd(fitGbm(b, tr.y, { nEstimators: 100, maxDepth: 4, learningRate: 0.1 }));
    const auc = treesRocAuc(te.y, predictProba(m, te.X, te.nRows));
    expect(auc).toBeGreaterThan(0.9);
    // Fit on a row subset (as CV folds do) only sees those rows.
    const rows = Uint32Array.from({ length: 1500 }, (_, i) => i * 2);
    const half = runToEnd(fitGbm(b, tr.y, { nEstimators: 50, maxDepth: 4, learningRate: 0.1 }, { rows }));
    expect(half.trees[0].cover[0]).toBeLessThan(m.trees[0].cover[0] * 0.6);
    expect(treesRocAuc(te.y, predictProba(half, te.X, te.nRows))).toBeGreaterThan(0.85);
  });
});
