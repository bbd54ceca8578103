// Prediction for both families, on raw values (new data) or on bin codes (CV folds inside a search,
// which skips re-binning). Staged prediction walks the trees once and snapshots the running sum after
// k trees, so one fit of N rounds/trees answers every n_estimators <= N of a grid: boosting round k
// never depends on later rounds, and forest tree i depends only on (seed, i).

import { leafBinned, leafRaw } from './tree';
import type { BinnedData, FeatureMatrix, TreeModel } from './types';

function checkStages(model: TreeModel, stages: number[]): void {
  for (const s of stages) {
    if (!Number.isInteger(s) || s < 0 || s > model.trees.length) {
      throw new RangeError(`n_estimators ${s} outside 0..${model.trees.length}`);
    }
  }
}

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

/**
 * Core: for each requested stage (number of trees), the model's raw output per row —
 * GBM: log-odds margin (base score included); forest: mean positive-class fraction (probability).
 * rowAt maps output position i to the row passed to leafOf.
 */
function staged(
  model: TreeModel,
  nOut: number,
  stages: number[],
  leafOf: (treeIdx: number, i: number) => number,
): Float64Array[] {
  checkStages(model, stages);
  const order = stages.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const out: Float64Array[] = stages.map(() => new Float64Array(nOut));
  const acc = new Float64Array(nOut);
  if (model.kind === 'gbm') acc.fill(model.baseScore);
  let t = 0;
  for (const [s, pos] of order) {
    for (; t < s; t++) {
      const v = model.trees[t].value;
      for (let i = 0; i < nOut; i++) acc[i] += v[leafOf(t, i)];
    }
    const o = out[pos];
    if (model.kind === 'gbm') o.set(acc);
    else for (let i = 0; i < nOut; i++) o[i] = s > 0 ? acc[i] / s : 0;
  }
  return out;
}

function resolveN(model: TreeModel, nEstimators?: number): number {
  return nEstimators ?? model.trees.length;
}

/** Raw output (GBM margin, forest probability) of the first nEstimators trees on raw data. */
export function predictRaw(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  nEstimators?: number,
): Float64Array {
  checkWidth(model, X, nRows);
  const trees = model.trees;
  return staged(model, nRows, [resolveN(model, nEstimators)], (t, i) => leafRaw(trees[t], X, nRows, i))[0];
}

/** Probability of the positive (faulty) class for each row of a raw column-major matrix. */
export function predictProba(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  nEstimators?: number,
): Float64Array {
  return toProba(model, predictRaw(model, X, nRows, nEstimators));
}

/** Probabilities after each number of trees in stages (one pass over the trees). */
export function predictStaged(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  stages: number[],
): Float64Array[] {
  checkWidth(model, X, nRows);
  const trees = model.trees;
  return staged(model, nRows, stages, (t, i) => leafRaw(trees[t], X, nRows, i)).map((r) => toProba(model, r));
}

/** Probabilities after each stage for the given rows of binned data (same binner as the model). */
export function predictStagedBinned(
  model: TreeModel,
  data: BinnedData,
  rows: Uint32Array,
  stages: number[],
): Float64Array[] {
  if (data.binner.nFeatures !== model.nFeatures)
    throw new RangeError('binned data has a different feature count');
  const trees = model.trees;
  return staged(model, rows.length, stages, (t, i) => leafBinned(trees[t], data, rows[i])).map((r) =>
    toProba(model, r),
  );
}

export function predictProbaBinned(
  model: TreeModel,
  data: BinnedData,
  rows: Uint32Array,
  nEstimators?: number,
): Float64Array {
  return predictStagedBinned(model, data, rows, [resolveN(model, nEstimators)])[0];
}

/** Labels only through an explicit threshold on probabilities (1 = faulty). */
export function labelsFromProba(proba: Float64Array, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(proba.length);
  for (let i = 0; i < proba.length; i++) out[i] = proba[i] >= threshold ? 1 : 0;
  return out;
}

function toProba(model: TreeModel, raw: Float64Array): Float64Array {
  if (model.kind === 'forest') return raw;
  for (let i = 0; i < raw.length; i++) raw[i] = sigmoid(raw[i]);
  return raw;
}

function checkWidth(model: TreeModel, X: FeatureMatrix, nRows: number): void {
  if (X.length < nRows * model.nFeatures) {
    throw new RangeError(`X has ${X.length} cells, expected nRows * ${model.nFeatures}`);
  }
}
