import { describe, expect, it } from 'vitest';
import {
  binData,
  contributions,
  expectedValue,
  setDecisionMemoLimit,
  splitFeatures,
  fitForest,
  fitGbm,
  predictRaw,
  runToEnd,
  type Tree,
  type TreeModel,
} from '../../../../src/main/ml/trees';
import { nonlinear, makeData } from './helpers';

/** E[f(x) | x_S] under the cover distribution (TreeSHAP's path-dependent expectation), by recursion. */
function condExp(tree: Tree, x: Float64Array, inS: (f: number) => boolean, node = 0): number {
  const f = tree.feature[node];
  if (f < 0) return tree.value[node];
  const l = tree.left[node];
  const r = tree.right[node];
  if (inS(f)) {
    const v = x[f];
    const goLeft = v !== v ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node];
    return condExp(tree, x, inS, goLeft ? l : r);
  }
  return (
    (tree.cover[l] * condExp(tree, x, inS, l) + tree.cover[r] * condExp(tree, x, inS, r)) / tree.cover[node]
  );
}

/** Exact Shapley values by enumerating all subsets (few features only). */
function bruteShapley(model: TreeModel, x: Float64Array): Float64Array {
  const nF = model.nFeatures;
  const value = (mask: number): number => {
    let s = model.kind === 'gbm' ? model.baseScore : 0;
    for (const t of model.trees) s += condExp(t, x, (f) => ((mask >> f) & 1) === 1);
    return model.kind === 'forest' ? s / model.trees.length : s;
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(nF);
  for (let i = 0; i < nF; i++) {
    for (let mask = 0; mask < 1 << nF; mask++) {
      if ((mask >> i) & 1) continue;
      let k = 0;
      for (let j = 0; j < nF; j++) k += (mask >> j) & 1;
      const w = (fact(k) * fact(nF - k - 1)) / fact(nF);
      phi[i] += w * (value(mask | (1 << i)) - value(mask));
    }
  }
  return phi;
}

describe('contributions (TreeSHAP)', () => {
  const d = nonlinear(400, 2);
  const b = binData(d.X, d.nRows, d.nFeatures);
  const gbm = runToEnd(fitGbm(b, d.y, { nEstimators: 30, maxDepth: 5, learningRate: 0.2 }));
  const forest = runToEnd(fitForest(b, d.y, { nEstimators: 10, seed: 4 }));

  for (const model of [gbm, forest]) {
    it(`${model.kind}: bias + sum of contributions equals the raw output for every row`, () => {
      const raw = predictRaw(model, d.X, d.nRows);
      const c = contributions(model, d.X, d.nRows);
      expect(c.bias).toBeCloseTo(expectedValue(model), 12);
      for (let r = 0; r < d.nRows; r++) {
        let s = c.bias;
        for (let f = 0; f < d.nFeatures; f++) s += c.values[r * d.nFeatures + f];
        expect(s).toBeCloseTo(raw[r], 9);
      }
    });
  }

  it('only the features a model splits on get nonzero contributions (what ranking them relies on)', () => {
    const small = runToEnd(fitGbm(b, d.y, { nEstimators: 3, maxDepth: 1, learningRate: 0.3 }));
    const used = Array.from(splitFeatures(small));
    const inSplits = new Set(small.trees.flatMap((t) => Array.from(t.feature).filter((f) => f >= 0)));
    expect(used).toEqual([...inSplits].sort((a, c) => a - c));
    expect(used.length).toBeLessThan(d.nFeatures);
    const c = contributions(small, d.X, d.nRows);
    let nonzero = 0;
    for (let r = 0; r < d.nRows; r++)
      for (let f = 0; f < d.nFeatures; f++) {
        const v = c.values[r * d.nFeatures + f];
        if (!used.includes(f)) expect(v).toBe(0);
        else if (v !== 0) nonzero++;
      }
    expect(nonzero).toBeGreaterThan(0);
  });

  it("gives the same contributions when a tree's decision memo is full (rows walked instead)", () => {
    // Fresh models: memos are per tree and kept across calls.
    const fit = () => runToEnd(fitGbm(b, d.y, { nEstimators: 20, maxDepth: 3, learningRate: 0.2 }));
    const memoised = contributions(fit(), d.X, d.nRows);
    const prev = setDecisionMemoLimit(1);
    try {
      const walked = contributions(fit(), d.X, d.nRows);
      expect(walked.values.length).toBe(memoised.values.length);
      for (let i = 0; i < walked.values.length; i++)
        expect(walked.values[i]).toBeCloseTo(memoised.values[i], 12);
    } finally {
      setDecisionMemoLimit(prev);
    }
  });

  it('matches brute-force Shapley values on a small model, including missing values', () => {
    const s = makeData(300, 4, 5, (rng, x) => {
      if (rng.nextFloat() < 0.1) x[3] = NaN;
      return x[0] + (x[1] > 0 ? 1 : 0) * x[2] + (x[3] !== x[3] ? 1 : 0) > 0.5 ? 1 : 0;
    });
    const sb = binData(s.X, s.nRows, s.nFeatures);
    const models: TreeModel[] = [
      runToEnd(fitGbm(sb, s.y, { nEstimators: 5, maxDepth: 4, learningRate: 0.5 })),
      runToEnd(fitForest(sb, s.y, { nEstimators: 3, maxDepth: 5, maxFeatures: 'all' })),
    ];
    for (const m of models) {
      const rows = [0, 1, 2, 3, 4, 5, 6, 7];
      const c = contributions(m, s.X, s.nRows, rows);
      rows.forEach((r, i) => {
        const x = new Float64Array(4);
        for (let f = 0; f < 4; f++) x[f] = s.X[f * s.nRows + r];
        const want = bruteShapley(m, x);
        for (let f = 0; f < 4; f++) expect(c.values[i * 4 + f]).toBeCloseTo(want[f], 9);
      });
    }
  });
});
