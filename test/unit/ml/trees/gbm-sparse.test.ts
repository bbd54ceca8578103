import { afterEach, describe, expect, it } from 'vitest';
import { binData, fitGbm, runToEnd, serializeModel } from '../../../../src/main/ml/trees';
import { setSparseNodeRows } from '../../../../src/main/ml/trees/gbm';
import { makeData, nonlinear } from './helpers';

const defaultRows = setSparseNodeRows(160);
afterEach(() => setSparseNodeRows(defaultRows));

function fitWith(sparseRows: number, data: ReturnType<typeof nonlinear>, params: object) {
  setSparseNodeRows(sparseRows);
  const b = binData(data.X, data.nRows, data.nFeatures);
  return serializeModel(runToEnd(fitGbm(b, data.y, params)));
}

describe('gbm sparse small-node split search', () => {
  // The sparse search sums a node's rows in the same order as a directly built histogram; the dense
  // path also derives siblings by subtraction, which only moves values by round-off. So: identical
  // tree structure (features, bins i.e. centered thresholds, missing sides), values equal to ~1e-12.
  const cases: [string, () => ReturnType<typeof nonlinear>, object][] = [
    [
      'nonlinear with missing values',
      () => nonlinear(300, 3),
      { nEstimators: 15, maxDepth: 6, learningRate: 0.3 },
    ],
    [
      'few distinct values (many empty and shared bins)',
      () =>
        makeData(200, 6, 9, (rng, x) => {
          for (let f = 0; f < 6; f++) x[f] = Math.round(x[f] * 2);
          if (rng.nextFloat() < 0.1) x[1] = NaN;
          return x[0] + x[1] * x[2] + 0.5 * rng.nextNormal() > 0.5 ? 1 : 0;
        }),
      { nEstimators: 12, maxDepth: 4, learningRate: 0.5, minChildWeight: 0.5 },
    ],
    [
      'subsampled rows and columns',
      () => nonlinear(250, 8),
      { nEstimators: 10, maxDepth: 5, subsample: 0.7, colsampleBytree: 0.6, seed: 3 },
    ],
  ];
  for (const [name, make, params] of cases) {
    it(`equals the dense histogram search: ${name}`, () => {
      const d = make();
      const sparse = fitWith(Infinity, d, params);
      const dense = fitWith(0, d, params);
      for (const k of ['sizes', 'feature', 'bin', 'threshold', 'defaultLeft', 'left', 'right'] as const)
        expect(sparse.trees[k]).toEqual(dense.trees[k]);
      for (const k of ['value', 'cover', 'gain'] as const) {
        const a = Buffer.from(sparse.trees[k], 'base64');
        const b = Buffer.from(dense.trees[k], 'base64');
        for (let i = 0; i < a.length; i += 8) expect(a.readDoubleLE(i)).toBeCloseTo(b.readDoubleLE(i), 10);
      }
      expect(sparse.trees.count).toBeGreaterThan(0);
    });
  }

  it('early exit: a node without 2 x minChildWeight of hessian stays a leaf with the usual value', () => {
    const d = nonlinear(120, 4);
    const b = binData(d.X, d.nRows, d.nFeatures);
    // Hessian sum is at most 120 * 0.25 = 30 < 2 * 20: the root cannot split on either path.
    for (const rows of [0, Infinity]) {
      setSparseNodeRows(rows);
      const m = runToEnd(fitGbm(b, d.y, { nEstimators: 3, minChildWeight: 20, learningRate: 0.5 }));
      for (const t of m.trees) expect(t.feature.length).toBe(1);
      let pos = 0;
      for (const v of d.y) pos += v;
      const prior = pos / d.nRows;
      // First round: gradients sum to ~0 at the prior, so the leaf value is ~0.
      const G = 0;
      expect(m.trees[0].value[0]).toBeCloseTo((-G / (d.nRows * prior * (1 - prior) + 1)) * 0.5, 10);
    }
  });
});
