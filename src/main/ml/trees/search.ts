// Stratified k-fold grid search over either family, scored by ROC AUC on probabilities. Expressed as
// independent tasks (family, param group, fold) plus a pure reducer so the app's worker pool can run
// tasks anywhere and in any order. Two savings make the reference grids cheap: the data is binned once
// for all folds and grid points, and n_estimators is never a separate fit — a task fits the group's
// largest n_estimators once and scores every smaller one by staged (GBM) / prefix (forest) prediction,
// so the 64-point XGBoost grid is 16 fits of 200 rounds per fold.

import { treesRocAuc } from './auc';
import { fitForest } from './forest';
import { fitGbm } from './gbm';
import { deriveSeed, Rng, Stream } from './prng';
import { predictStagedBinned } from './predict';
import type { BinnedData, ForestParams, GbmParams, Progress, Tree, TreeModel } from './types';

export type Family = 'gbm' | 'forest';
export type GridValue = number | string;
/** Parameter name (camelCase, as in GbmParams/ForestParams) -> values to try; must include nEstimators. */
export type Grid = Record<string, readonly GridValue[]>;

/** The reference analysis's grids (XGBoost and scikit-learn RandomForest). */
export const referenceGrids: { gbm: Grid; forest: Grid } = {
  gbm: {
    learningRate: [0.5, 0.1, 0.01, 0.001],
    maxDepth: [3, 5, 10, 20],
    nEstimators: [10, 50, 100, 200],
  },
  forest: {
    nEstimators: [10, 50, 100, 130],
    criterion: ['gini', 'entropy'],
    maxDepth: [2, 3],
    maxFeatures: ['sqrt', 'log2'],
  },
};

export interface SearchSpec {
  family: Family;
  grid: Grid;
  /** Fixed parameters under the grid (e.g. scalePosWeight, classWeight). */
  baseParams?: Partial<GbmParams> | Partial<ForestParams>;
  nFolds?: number;
  seed?: number;
}

export interface SearchTask {
  id: number;
  family: Family;
  group: number;
  fold: number;
  /** Full parameters of the fit (nEstimators = the group's largest). */
  params: Record<string, GridValue | boolean>;
  /** n_estimators values scored from this one fit. */
  stages: number[];
}

export interface SearchPlan {
  family: Family;
  nFolds: number;
  /** Fold of every row (stratified by label). */
  folds: Uint8Array;
  /** Every grid point in grid order: its parameters, group and position in the group's stages. */
  points: { params: Record<string, GridValue | boolean>; group: number; stage: number }[];
  tasks: SearchTask[];
}

export interface SearchTaskResult {
  taskId: number;
  group: number;
  fold: number;
  /** ROC AUC per stage of the task. */
  aucs: number[];
}

export interface SearchResult {
  points: { params: Record<string, GridValue | boolean>; meanAuc: number; foldAucs: number[] }[];
  best: { params: Record<string, GridValue | boolean>; meanAuc: number };
}

/** Stratified fold assignment: each class shuffled with the seed, then dealt round-robin. */
export function stratifiedFolds(y: Uint8Array, nFolds: number, seed: number): Uint8Array {
  if (!(nFolds >= 2 && nFolds <= 255)) throw new RangeError('nFolds must be in [2, 255]');
  const folds = new Uint8Array(y.length);
  const rng = new Rng(deriveSeed(seed, Stream.Folds, 0));
  let offset = 0;
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    // Continue dealing where the previous class stopped so fold sizes stay balanced overall.
    idx.forEach((row, i) => (folds[row] = (offset + i) % nFolds));
    offset = (offset + idx.length) % nFolds;
  }
  return folds;
}

export function planGridSearch(y: Uint8Array, spec: SearchSpec): SearchPlan {
  const nFolds = spec.nFolds ?? 5;
  const seed = spec.seed ?? 0;
  const keys = Object.keys(spec.grid);
  if (!keys.includes('nEstimators')) throw new RangeError('grid must include nEstimators');
  for (const k of keys) if (spec.grid[k].length === 0) throw new RangeError(`grid ${k} is empty`);
  const others = keys.filter((k) => k !== 'nEstimators');
  const stages = [...spec.grid.nEstimators].map(Number).sort((a, b) => a - b);
  const maxN = stages[stages.length - 1];

  // Groups: cartesian product of the non-nEstimators keys, in key order.
  const groups: Record<string, GridValue>[] = [{}];
  for (const k of others) {
    const next: Record<string, GridValue>[] = [];
    for (const g of groups) for (const v of spec.grid[k]) next.push({ ...g, [k]: v });
    groups.splice(0, groups.length, ...next);
  }
  const base = { seed, ...(spec.baseParams ?? {}) } as Record<string, GridValue | boolean>;
  const groupKey = (pt: Record<string, GridValue>) => JSON.stringify(others.map((k) => pt[k]));
  const groupIndex = new Map(groups.map((g, i) => [groupKey(g), i]));

  // Points in full grid order (keys as given, nEstimators included).
  let pts: Record<string, GridValue>[] = [{}];
  for (const k of keys) {
    const next: Record<string, GridValue>[] = [];
    for (const g of pts) for (const v of spec.grid[k]) next.push({ ...g, [k]: v });
    pts = next;
  }
  const points = pts.map((pt) => ({
    params: { ...base, ...pt },
    group: groupIndex.get(groupKey(pt))!,
    stage: stages.indexOf(Number(pt.nEstimators)),
  }));

  const tasks: SearchTask[] = [];
  groups.forEach((g, gi) => {
    for (let fold = 0; fold < nFolds; fold++) {
      tasks.push({
        id: tasks.length,
        family: spec.family,
        group: gi,
        fold,
        params: { ...base, ...g, nEstimators: maxN },
        stages,
      });
    }
  });
  return { family: spec.family, nFolds, folds: stratifiedFolds(y, nFolds, seed), points, tasks };
}

/** What fitSearchTask returns: the task's result plus the fitted model and its staged probabilities. */
export interface SearchTaskFit {
  result: SearchTaskResult;
  model: TreeModel;
  /** Validation rows (the task's fold, ascending) and their probabilities per stage of the task. */
  vRows: Uint32Array;
  probs: Float64Array[];
}

/** Runs one task: fit on the other folds, score every stage on the task's fold. */
export function* runSearchTask(
  data: BinnedData,
  y: Uint8Array,
  folds: Uint8Array,
  task: SearchTask,
): Generator<Progress, SearchTaskResult, void> {
  return (yield* fitSearchTask(data, y, folds, task)).result;
}

/**
 * runSearchTask that also hands back the model and the staged validation probabilities. A boosting
 * task may resume after `prefix`, the first rounds of its fit (see FitOptions.prefix).
 */
export function* fitSearchTask(
  data: BinnedData,
  y: Uint8Array,
  folds: Uint8Array,
  task: SearchTask,
  prefix?: readonly Tree[],
): Generator<Progress, SearchTaskFit, void> {
  const { rows } = foldRows(folds, task.fold);
  const fit =
    task.family === 'gbm'
      ? fitGbm(data, y, task.params as Partial<GbmParams>, { rows, prefix })
      : fitForest(data, y, task.params as Partial<ForestParams>, { rows });
  let step = fit.next();
  while (!step.done) {
    yield {
      ...step.value,
      message: `task ${task.id} (group ${task.group}, fold ${task.fold}): ${step.value.message}`,
    };
    step = fit.next();
  }
  return scoreSearchFit(data, y, folds, task, step.value);
}

/** A task's fit from its model (fitted on the other folds): every stage scored on the task's fold. */
export function scoreSearchFit(
  data: BinnedData,
  y: Uint8Array,
  folds: Uint8Array,
  task: SearchTask,
  model: TreeModel,
): SearchTaskFit {
  const { vRows } = foldRows(folds, task.fold);
  const vy = new Uint8Array(vRows.length);
  for (let i = 0; i < vRows.length; i++) vy[i] = y[vRows[i]];
  const probs = predictStagedBinned(model, data, vRows, task.stages);
  const result = {
    taskId: task.id,
    group: task.group,
    fold: task.fold,
    aucs: probs.map((p) => treesRocAuc(vy, p)),
  };
  return { result, model, vRows, probs };
}

/** Training rows (every other fold) and validation rows (the fold), both ascending. */
export function foldRows(folds: Uint8Array, fold: number): { rows: Uint32Array; vRows: Uint32Array } {
  let nValid = 0;
  for (let i = 0; i < folds.length; i++) if (folds[i] === fold) nValid++;
  const rows = new Uint32Array(folds.length - nValid);
  const vRows = new Uint32Array(nValid);
  let a = 0;
  let b = 0;
  for (let i = 0; i < folds.length; i++) {
    if (folds[i] === fold) vRows[b++] = i;
    else rows[a++] = i;
  }
  return { rows, vRows };
}

/** Pure reducer: mean CV AUC per grid point and the best point (first on ties). */
export function reduceSearch(plan: SearchPlan, results: SearchTaskResult[]): SearchResult {
  const byGroupFold = new Map<string, SearchTaskResult>();
  for (const r of results) byGroupFold.set(`${r.group}/${r.fold}`, r);
  const points = plan.points.map((pt) => {
    const foldAucs: number[] = [];
    for (let f = 0; f < plan.nFolds; f++) {
      const r = byGroupFold.get(`${pt.group}/${f}`);
      if (!r) throw new Error(`missing search result for group ${pt.group}, fold ${f}`);
      foldAucs.push(r.aucs[pt.stage]);
    }
    const ok = foldAucs.filter((a) => Number.isFinite(a));
    const meanAuc = ok.length ? ok.reduce((s, a) => s + a, 0) / ok.length : NaN;
    return { params: pt.params, meanAuc, foldAucs };
  });
  let best = -1;
  points.forEach((p, i) => {
    if (Number.isFinite(p.meanAuc) && (best < 0 || p.meanAuc > points[best].meanAuc)) best = i;
  });
  if (best < 0) throw new Error('no grid point produced a finite AUC (does every fold hold both classes?)');
  return { points, best: { params: points[best].params, meanAuc: points[best].meanAuc } };
}

/** In-process convenience: plan, run every task, reduce. Yields progress in trees/rounds overall. */
export function* gridSearch(
  data: BinnedData,
  y: Uint8Array,
  spec: SearchSpec,
): Generator<Progress, SearchResult, void> {
  const plan = planGridSearch(y, spec);
  const perTask = Number(plan.tasks[0]?.params.nEstimators ?? 0);
  const total = perTask * plan.tasks.length;
  const results: SearchTaskResult[] = [];
  for (const task of plan.tasks) {
    const run = runSearchTask(data, y, plan.folds, task);
    let step = run.next();
    while (!step.done) {
      yield { done: task.id * perTask + step.value.done, total, message: step.value.message };
      step = run.next();
    }
    results.push(step.value);
  }
  return reduceSearch(plan, results);
}
