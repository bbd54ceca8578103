import { describe, expect, it } from 'vitest';
import {
  binData,
  deserializeModel,
  fitGbm,
  fitForest,
  foldRows,
  planGridSearch,
  predictProbaBinned,
  runSearchTask,
  runToEnd,
  serializeModel,
  treeDepth,
  truncateTree,
  type Grid,
} from '../../../../src/main/ml/trees';
import { searchFamily } from '../../../../src/main/ml/pipeline/family-search';
import { nonlinear } from './helpers';

/** A 3-fold search of the first 160 rows, the other 80 held out. */
function searchInput(d: ReturnType<typeof nonlinear>, family: 'gbm' | 'forest', grid: Grid) {
  return {
    X: d.X,
    nRows: d.nRows,
    nFeatures: d.nFeatures,
    labels: d.y,
    train: Int32Array.from({ length: 160 }, (_, i) => i),
    test: Int32Array.from({ length: 80 }, (_, i) => 160 + i),
    family,
    grid,
    nFolds: 3,
    seed: 4,
    classWeight: 'none' as const,
  };
}

describe('search reuse (exactness of the shortcuts in searchFamily)', () => {
  it('a boosting fit with maxDepth d equals the deeper fit when that one never split at depth >= d', () => {
    const d = nonlinear(300, 11);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const base = { nEstimators: 30, learningRate: 0.3, minChildWeight: 3, seed: 2 };
    const deep = runToEnd(fitGbm(b, d.y, { ...base, maxDepth: 20 }));
    const reached = Math.max(...deep.trees.map(treeDepth));
    expect(reached).toBeLessThan(20);
    const same = runToEnd(fitGbm(b, d.y, { ...base, maxDepth: reached }));
    expect(serializeModel(same).trees).toEqual(serializeModel(deep).trees);
    const shallower = runToEnd(fitGbm(b, d.y, { ...base, maxDepth: reached - 1 }));
    expect(serializeModel(shallower).trees).not.toEqual(serializeModel(deep).trees);
  });

  it("a shallower boosting fit resumed after the deeper fit's shared rounds equals its plain fit", () => {
    const d = nonlinear(300, 12);
    const b = binData(d.X, d.nRows, d.nFeatures);
    for (const extra of [{}, { subsample: 0.7, colsampleBytree: 0.6 }]) {
      const base = { nEstimators: 25, learningRate: 0.3, minChildWeight: 2, seed: 3, ...extra };
      const deep = runToEnd(fitGbm(b, d.y, { ...base, maxDepth: 6 }));
      for (const depth of [2, 3, 4]) {
        const shared = deep.trees.findIndex((t) => treeDepth(t) > depth);
        expect(shared).toBeGreaterThan(-1); // the fits diverge somewhere: a real resume
        const plain = runToEnd(fitGbm(b, d.y, { ...base, maxDepth: depth }));
        const resumed = runToEnd(
          fitGbm(b, d.y, { ...base, maxDepth: depth }, { prefix: deep.trees.slice(0, shared) }),
        );
        expect(serializeModel(resumed)).toEqual(serializeModel(plain));
      }
    }
  });

  it('a forest fit with maxDepth d equals the deeper (or unlimited) fit with every tree cut at depth d', () => {
    const d = nonlinear(300, 13);
    const b = binData(d.X, d.nRows, d.nFeatures);
    for (const extra of [
      { criterion: 'gini' as const },
      { criterion: 'entropy' as const, maxFeatures: 'log2' as const },
    ]) {
      const base = { nEstimators: 12, seed: 7, ...extra };
      const deep = runToEnd(fitForest(b, d.y, { ...base, maxDepth: 5 }));
      const unlimited = runToEnd(fitForest(b, d.y, base));
      expect(Math.max(...unlimited.trees.map(treeDepth))).toBeGreaterThan(5); // a real cut below
      for (const depth of [1, 2, 3, 5]) {
        const plain = runToEnd(fitForest(b, d.y, { ...base, maxDepth: depth }));
        for (const source of [deep, unlimited]) {
          const cut = {
            ...source,
            params: plain.params,
            trees: source.trees.map((t) => truncateTree(t, depth)),
          };
          expect(serializeModel(cut)).toEqual(serializeModel(plain));
        }
      }
    }
  });

  for (const family of ['gbm', 'forest'] as const) {
    it(`${family}: search results and out-of-fold probabilities equal plain refits`, () => {
      const d = nonlinear(240, 5);
      const grid: Grid =
        family === 'gbm'
          ? { learningRate: [0.5, 0.05], maxDepth: [2, 3, 8, 30], nEstimators: [5, 20] }
          : { nEstimators: [5, 12], maxDepth: [2, 4], criterion: ['gini'] };
      const out = runToEnd(searchFamily(searchInput(d, family, grid)));
      // Reference: every task run plainly, every out-of-fold model refitted.
      const Xt = new Float64Array(160 * d.nFeatures);
      for (let f = 0; f < d.nFeatures; f++)
        for (let r = 0; r < 160; r++) Xt[f * 160 + r] = d.X[f * d.nRows + r];
      const y = d.y.slice(0, 160);
      const b = binData(Xt, 160, d.nFeatures);
      const plan = planGridSearch(y, { family, grid, nFolds: 3, seed: 4 });
      const results = plan.tasks.map((t) => runToEnd(runSearchTask(b, y, plan.folds, t)));
      plan.points.forEach((pt, i) => {
        const foldAucs = [0, 1, 2].map(
          (f) => results.find((r) => r.group === pt.group && r.fold === f)!.aucs[pt.stage],
        );
        expect(out.points[i].foldAucs).toEqual(foldAucs);
      });
      const oof = new Float64Array(160);
      for (let fold = 0; fold < 3; fold++) {
        const { rows, vRows } = foldRows(plan.folds, fold);
        const m =
          family === 'gbm'
            ? runToEnd(fitGbm(b, y, out.params as never, { rows }))
            : runToEnd(fitForest(b, y, out.params as never, { rows }));
        const p = predictProbaBinned(m, b, vRows);
        vRows.forEach((r, i) => (oof[r] = p[i]));
      }
      expect(Array.from(out.oof)).toEqual(Array.from(oof));
    });
  }

  it('bins the search and its final model with the given maxBins', () => {
    const d = nonlinear(240, 6);
    const grid: Grid = { learningRate: [0.3], maxDepth: [3], nEstimators: [10] };
    const search = (maxBins?: number | 'auto') =>
      runToEnd(searchFamily({ ...searchInput(d, 'gbm', grid), maxBins }));
    const coarse = deserializeModel(search(8).model);
    expect(coarse.binner.maxBins).toBe(8);
    expect(Math.max(...coarse.binner.nValueBins)).toBeLessThanOrEqual(8);
    // 'auto' on 160 training rows is the floor of 48 bins; the default stays XGBoost's 255.
    expect(deserializeModel(search('auto').model).binner.maxBins).toBe(48);
    expect(deserializeModel(search().model).binner.maxBins).toBe(255);
  });
});
