import { describe, expect, it } from 'vitest';
import {
  binData,
  gridSearch,
  planGridSearch,
  reduceSearch,
  referenceGrids,
  runSearchTask,
  runToEnd,
  stratifiedFolds,
  treesRocAuc,
} from '../../../../src/main/ml/trees';
import { nonlinear } from './helpers';

describe('grid search', () => {
  it('stratifies folds by label', () => {
    const y = new Uint8Array(103);
    for (let i = 0; i < 20; i++) y[i * 5] = 1;
    const folds = stratifiedFolds(y, 5, 1);
    for (let f = 0; f < 5; f++) {
      let pos = 0;
      let all = 0;
      for (let i = 0; i < y.length; i++)
        if (folds[i] === f) {
          all++;
          pos += y[i];
        }
      expect(pos).toBe(4);
      expect(all).toBeGreaterThanOrEqual(20);
    }
  });

  it('plans the reference XGBoost grid as 16 fits of 200 rounds per fold', () => {
    const y = new Uint8Array(50).map((_, i) => (i % 5 === 0 ? 1 : 0));
    const plan = planGridSearch(y, { family: 'gbm', grid: referenceGrids.gbm, nFolds: 5 });
    expect(plan.points.length).toBe(64);
    expect(plan.tasks.length).toBe(16 * 5);
    for (const t of plan.tasks) {
      expect(t.params.nEstimators).toBe(200);
      expect(t.stages).toEqual([10, 50, 100, 200]);
    }
    const forest = planGridSearch(y, { family: 'forest', grid: referenceGrids.forest, nFolds: 3 });
    expect(forest.points.length).toBe(32);
    expect(forest.tasks.length).toBe(8 * 3);
    // Tasks must survive structured cloning to a worker.
    expect(structuredClone(plan.tasks[3])).toEqual(plan.tasks[3]);
  });

  it('scores every grid point by mean CV AUC and picks the best; tasks run in any order', () => {
    const d = nonlinear(600, 3);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const spec = {
      family: 'gbm' as const,
      grid: { learningRate: [0.001, 0.3], maxDepth: [1, 3], nEstimators: [5, 40] },
      nFolds: 3,
      seed: 2,
    };
    const res = runToEnd(gridSearch(b, d.y, spec));
    expect(res.points.length).toBe(8);
    for (const p of res.points) expect(p.foldAucs.length).toBe(3);
    expect(res.best.params.learningRate).toBe(0.3);
    expect(res.best.params.nEstimators).toBe(40);
    expect(res.best.meanAuc).toBeGreaterThan(0.85);

    // Same results when tasks run in reverse (as a worker pool may).
    const plan = planGridSearch(d.y, spec);
    const results = [...plan.tasks].reverse().map((t) => runToEnd(runSearchTask(b, d.y, plan.folds, t)));
    expect(reduceSearch(plan, results)).toEqual(res);
    expect(() => reduceSearch(plan, results.slice(1))).toThrow(/missing/);

    // A point's fold AUC equals scoring a direct fit of that point on that fold.
    const t0 = plan.tasks.find((t) => t.group === 3 && t.fold === 1)!;
    const direct = runToEnd(runSearchTask(b, d.y, plan.folds, { ...t0, stages: [5] }));
    const pt = res.points.find(
      (p) => p.params.learningRate === 0.3 && p.params.maxDepth === 3 && p.params.nEstimators === 5,
    )!;
    expect(pt.foldAucs[1]).toBe(direct.aucs[0]);
  });

  it('runs a forest grid', () => {
    const d = nonlinear(400, 4);
    const b = binData(d.X, d.nRows, d.nFeatures);
    const res = runToEnd(
      gridSearch(b, d.y, { family: 'forest', grid: { nEstimators: [3, 15], maxDepth: [1, 6] }, nFolds: 3 }),
    );
    expect(res.points.length).toBe(4);
    expect(res.best.params.maxDepth).toBe(6);
    expect(treesRocAuc([0, 1, 1, 0], [0.1, 0.9, 0.5, 0.5])).toBe(0.875);
  });
});
