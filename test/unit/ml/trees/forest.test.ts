import { describe, expect, it } from 'vitest';
import {
  binData,
  featureImportance,
  fitForest,
  fitForestTrees,
  mergeForest,
  predictProba,
  predictStaged,
  runToEnd,
  treesRocAuc,
} from '../../../../src/main/ml/trees';
import { makeData, nonlinear } from './helpers';

describe('random forest', () => {
  it('learns a separable split with pure leaves', () => {
    const d = makeData(300, 4, 1, (_r, x) => (x[2] < -0.2 ? 1 : 0));
    const b = binData(d.X, d.nRows, d.nFeatures);
    // Without bootstrap every tree sees every row, so leaves are pure and predictions exact.
    const m = runToEnd(fitForest(b, d.y, { nEstimators: 20, maxFeatures: 'all', bootstrap: false, seed: 1 }));
    for (const t of m.trees) {
      expect(t.feature[0]).toBe(2);
      expect(t.feature.length).toBe(3);
    }
    const p = predictProba(m, d.X, d.nRows);
    for (let i = 0; i < d.nRows; i++) expect(p[i]).toBe(d.y[i]);
    expect(featureImportance(m, true)[2]).toBeCloseTo(1, 10);
  });

  it('returns the constant label as probability without splitting', () => {
    const d = makeData(50, 3, 2, () => 0);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const m = runToEnd(fitForest(b, d.y, { nEstimators: 5 }));
    for (const t of m.trees) expect(t.feature.length).toBe(1);
    expect(Math.max(...predictProba(m, d.X, d.nRows))).toBe(0);
  });

  it('splits on a feature missing exactly when the label is 1', () => {
    const n = 200;
    const d = makeData(n, 2, 3, (rng) => (rng.nextFloat() < 0.25 ? 1 : 0));
    for (let r = 0; r < n; r++) d.X[n + r] = d.y[r] === 1 ? NaN : 3 + (r % 5);
    const b = binData(d.X, n, 2);
    const m = runToEnd(fitForest(b, d.y, { nEstimators: 10, maxFeatures: 'all', maxDepth: 1 }));
    for (const t of m.trees) expect(t.feature[0]).toBe(1);
    expect(treesRocAuc(d.y, predictProba(m, d.X, n))).toBe(1);
  });

  it('builds the same forest in two chunks (any order) as in one', () => {
    const d = nonlinear(400, 4);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const params = {
      nEstimators: 12,
      maxFeatures: 'sqrt' as const,
      seed: 9,
      classWeight: 'balanced' as const,
    };
    const one = runToEnd(fitForest(b, d.y, params));
    const late = runToEnd(fitForestTrees(b, d.y, params, [6, 7, 8, 9, 10, 11]));
    const early = runToEnd(fitForestTrees(b, d.y, params, [0, 1, 2, 3, 4, 5]));
    const merged = mergeForest(b.binner, params, [late, early]);
    expect(merged.trees).toEqual(one.trees);
    expect(predictProba(merged, d.X, d.nRows)).toEqual(predictProba(one, d.X, d.nRows));
    expect(() => mergeForest(b.binner, params, [late])).toThrow(/missing/);
  });

  it('prefix prediction equals a forest of the first k trees; the seed matters', () => {
    const d = nonlinear(300, 5);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const big = runToEnd(fitForest(b, d.y, { nEstimators: 10, seed: 2 }));
    const small = runToEnd(fitForest(b, d.y, { nEstimators: 4, seed: 2 }));
    expect(predictStaged(big, d.X, d.nRows, [4])[0]).toEqual(predictProba(small, d.X, d.nRows));
    const other = runToEnd(fitForest(b, d.y, { nEstimators: 4, seed: 3 }));
    expect(predictProba(other, d.X, d.nRows)).not.toEqual(predictProba(small, d.X, d.nRows));
  });

  it('respects max_depth and min_samples_leaf; entropy works', () => {
    const d = nonlinear(400, 6);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const m = runToEnd(fitForest(b, d.y, { nEstimators: 5, maxDepth: 2, criterion: 'entropy' }));
    for (const t of m.trees) expect(t.feature.length).toBeLessThanOrEqual(7);
    const leafy = runToEnd(fitForest(b, d.y, { nEstimators: 3, minSamplesLeaf: 30, bootstrap: false }));
    for (const t of leafy.trees)
      for (let i = 0; i < t.cover.length; i++) expect(t.cover[i]).toBeGreaterThanOrEqual(30);
  });

  it('generalizes on held-out non-linear data', () => {
    const tr = nonlinear(2000, 7);
    const te = nonlinear(2000, 8);
    const b = binData(tr.X, tr.nRows, tr.nFeatures);
    const m = runToEnd(fitForest(b, tr.y, { nEstimators: 60, seed: 1 }));
    expect(treesRocAuc(te.y, predictProba(m, te.X, te.nRows))).toBeGreaterThan(0.88);
  });
});
