/**
 * One model family for one group of rows (a regime, or all rows for the global model): stratified
 * k-fold grid search on the training part (ROC AUC on probabilities), out-of-fold probabilities at the
 * best point (for choosing the decision threshold without touching the held-out rows), the final fit on
 * the training part, and its probabilities on the held-out part. Pure: the app's workers run it.
 */
import { selectRows } from '../matrix';
import { recentMemo } from './recent';
import {
  binData,
  resolveMaxBins,
  featureImportance,
  fitForest,
  fitGbm,
  planGridSearch,
  predictProba,
  reduceSearch,
  fitSearchTask,
  scoreSearchFit,
  treeDepth,
  truncateTree,
  serializeModel,
  type Family,
  type ForestModel,
  type ForestParams,
  type GbmParams,
  type Grid,
  type GridValue,
  type Progress,
  type SearchTask,
  type SearchTaskFit,
  type SearchTaskResult,
  type SerializedModel,
  type TreeModel,
} from '../trees';

export interface FamilySearchInput {
  /** Column-major matrix over all rows of the run. */
  X: Float64Array;
  nRows: number;
  nFeatures: number;
  labels: Uint8Array;
  /** Rows (indices into X) used to train and to hold out. */
  train: Int32Array;
  test: Int32Array;
  family: Family;
  grid: Grid;
  nFolds: number;
  seed: number;
  classWeight: 'none' | 'balanced';
  /** Quantile bins per feature (a number, or 'auto': see resolveMaxBins); default 255. */
  maxBins?: number | 'auto';
  /**
   * Names this search's data (e.g. run/group/family): tasks with the same key promise the same X,
   * rows, labels and settings, so a worker bins them once for all the folds it runs (see cachedSetup).
   */
  cacheKey?: string;
  /**
   * Names this search's rows and binning apart from its family (e.g. run/group): both families of a
   * group bin the same training rows the same way, so a worker bins them once for both.
   */
  binKey?: string;
}

export interface FamilySearchOutput {
  family: Family;
  params: Record<string, GridValue | boolean>;
  cvAuc: number;
  points: { params: Record<string, GridValue | boolean>; meanAuc: number; foldAucs: number[] }[];
  /** Out-of-fold probabilities at the best point, in `train` order. */
  oof: Float64Array;
  /** Probabilities of the final model on the held-out rows, in `test` order. */
  testProbs: Float64Array;
  model: SerializedModel;
  importance: Float64Array;
  nFolds: number;
}

function* drain<T>(
  gen: Generator<Progress, T, void>,
  offset: number,
  total: number,
  label: string,
): Generator<Progress, T, void> {
  let step = gen.next();
  while (!step.done) {
    yield { done: offset + step.value.done, total, message: label };
    step = gen.next();
  }
  return step.value;
}

export function minorityCount(labels: Uint8Array, rows: ArrayLike<number>): number {
  let pos = 0;
  for (let i = 0; i < rows.length; i++) pos += labels[rows[i]!]!;
  return Math.min(pos, rows.length - pos);
}

interface FamilySetup {
  binned: ReturnType<typeof binData>;
  y: Uint8Array;
  plan: ReturnType<typeof planGridSearch>;
  nFolds: number;
  perTask: number;
  finalN: number;
}

/** Binning and the search plan: deterministic, so every fold task rebuilds the same ones. */
function setup(input: FamilySearchInput): FamilySetup {
  const { X, nRows, nFeatures, labels, train, family } = input;
  const nTrain = train.length;
  const y = new Uint8Array(nTrain);
  let pos = 0;
  for (let i = 0; i < nTrain; i++) pos += y[i] = labels[train[i]!]!;
  const nFolds = Math.min(input.nFolds, pos, nTrain - pos);
  if (nFolds < 2) throw new Error('too few rows of the minority class for cross-validation');
  const maxBins = resolveMaxBins(input.maxBins ?? 255, nTrain);
  const binned = recentBins(input.binKey === undefined ? undefined : `${input.binKey}/${maxBins}`, () =>
    binData(selectRows(X, nRows, nFeatures, train), nTrain, nFeatures, maxBins),
  );
  const base: Record<string, GridValue | boolean> =
    input.classWeight === 'balanced'
      ? family === 'gbm'
        ? { scalePosWeight: (nTrain - pos) / pos }
        : { classWeight: 'balanced' }
      : {};
  const plan = planGridSearch(y, {
    family,
    grid: input.grid,
    baseParams: base as Partial<GbmParams> | Partial<ForestParams>,
    nFolds,
    seed: input.seed,
  });
  return {
    binned,
    y,
    plan,
    nFolds,
    perTask: Number(plan.tasks[0]?.params.nEstimators ?? 0),
    finalN: Math.max(...input.grid.nEstimators!.map(Number)),
  };
}

/** Binnings of recent searches' rows by binKey (the families of a group share one). */
const recentBins = recentMemo<ReturnType<typeof binData>>(4);
/** Setups of recent searches by cacheKey: a worker runs several folds of one search in a row. */
const recentSetups = recentMemo<FamilySetup>(4);
const cachedSetup = (input: FamilySearchInput): FamilySetup =>
  recentSetups(input.cacheKey, () => setup(input));

/** What one fold of a search yields: every grid group's AUCs and staged validation probabilities. */
export interface FoldOutput {
  fold: number;
  results: SearchTaskResult[];
  /** Per group: the fold's validation rows and their probabilities per stage (for out-of-fold reuse). */
  probs: { group: number; vRows: Uint32Array; probs: Float64Array[] }[];
}

/** The number of folds a family search will use (the minority class caps it). */
export function foldCount(input: Pick<FamilySearchInput, 'train' | 'labels' | 'nFolds'>): number {
  let pos = 0;
  for (const r of input.train) pos += input.labels[r]!;
  return Math.min(input.nFolds, pos, input.train.length - pos);
}

/**
 * One fold of the grid search: every grid group fitted on the other folds and scored on this one. Folds
 * are independent, so the app runs them on different workers.
 */
export function* searchFold(
  input: FamilySearchInput,
  fold: number,
  prepared?: FamilySetup,
): Generator<Progress, FoldOutput, void> {
  const { binned, y, plan, perTask } = prepared ?? cachedSetup(input);
  const tasks = plan.tasks.filter((t) => t.fold === fold);
  const total = perTask * tasks.length;
  let done = 0;
  const results: SearchTaskResult[] = [];
  const probs: FoldOutput['probs'] = [];
  // For boosting, the leaf depth of every tree of each fit: a shallower maxDepth fit reuses its rounds
  // up to the first tree that split at that depth (see below).
  const fits = new Map<number, { fit: SearchTaskFit; depths: Int32Array }>();
  for (const task of searchOrder(tasks)) {
    const shared = input.family === 'gbm' ? sharedRounds(task, tasks, fits) : undefined;
    const deeper = input.family === 'forest' ? deeperForest(task, tasks, fits) : undefined;
    let entry: { fit: SearchTaskFit; depths: Int32Array };
    if (shared && shared.rounds === shared.source.depths.length) entry = shared.source;
    else if (deeper) {
      const d = depthOf(task);
      const model = {
        ...deeper,
        params: { ...deeper.params, maxDepth: d },
        trees: deeper.trees.map((t) => truncateTree(t, d)),
      };
      entry = { fit: scoreSearchFit(binned, y, plan.folds, task, model), depths: new Int32Array(0) };
    } else {
      const prefix = shared ? shared.source.fit.model.trees.slice(0, shared.rounds) : undefined;
      const fit = yield* drain(
        fitSearchTask(binned, y, plan.folds, task, prefix),
        done,
        total,
        `${input.family} grid search`,
      );
      entry = { fit, depths: Int32Array.from(fit.model.trees, (t) => treeDepth(t)) };
    }
    fits.set(task.id, entry);
    results.push({ ...entry.fit.result, taskId: task.id, group: task.group, fold: task.fold });
    probs.push({ group: task.group, vRows: entry.fit.vRows, probs: entry.fit.probs });
    done += perTask;
    yield { done, total, message: `${input.family} grid search` };
  }
  return { fold, results, probs };
}

/**
 * Reduces the folds to the best grid point, reads its out-of-fold probabilities from the fold fits
 * (the refit on the other folds would be exactly the best group's fit for that fold, cut at the best
 * n_estimators: boosting round k and forest tree i never depend on later ones), fits the final model on
 * the whole training part and scores the held-out rows.
 */
export function* finishFamily(
  input: FamilySearchInput,
  folds: FoldOutput[],
  prepared?: FamilySetup,
): Generator<Progress, FamilySearchOutput, void> {
  const { binned, y, plan, nFolds, finalN } = prepared ?? cachedSetup(input);
  const { X, nRows, nFeatures, test, family } = input;
  const search = reduceSearch(
    plan,
    folds.flatMap((f) => f.results),
  );
  const params = search.best.params;
  const bestPoint = plan.points.find((pt) => pt.params === params);
  if (!bestPoint) throw new Error('best grid point not found in the plan');
  const oof = new Float64Array(input.train.length);
  for (const f of folds) {
    const g = f.probs.find((p) => p.group === bestPoint.group)!;
    const p = g.probs[bestPoint.stage]!;
    for (let i = 0; i < g.vRows.length; i++) oof[g.vRows[i]!] = p[i]!;
  }
  const gen: Generator<Progress, TreeModel, void> =
    family === 'gbm'
      ? fitGbm(binned, y, params as Partial<GbmParams>)
      : fitForest(binned, y, params as Partial<ForestParams>);
  const model: TreeModel = yield* drain(gen, 0, finalN, `${family} final fit`);
  const Xtest = selectRows(X, nRows, nFeatures, test);
  const testProbs = test.length > 0 ? predictProba(model, Xtest, test.length) : new Float64Array(0);
  return {
    family,
    params,
    cvAuc: search.best.meanAuc,
    points: search.points,
    oof,
    testProbs,
    model: serializeModel(model),
    importance: featureImportance(model),
    nFolds,
  };
}

/** The whole family search in one thread (tests, benchmarks): every fold, then the finish. */
export function* searchFamily(input: FamilySearchInput): Generator<Progress, FamilySearchOutput, void> {
  const prepared = setup(input);
  const folds: FoldOutput[] = [];
  for (let fold = 0; fold < prepared.nFolds; fold++) folds.push(yield* searchFold(input, fold, prepared));
  return yield* finishFamily(input, folds, prepared);
}

function sameExceptDepth(a: SearchTask, b: SearchTask): boolean {
  if (a.fold !== b.fold) return false;
  const ka = Object.keys(a.params);
  if (ka.length !== Object.keys(b.params).length) return false;
  for (const k of ka) if (k !== 'maxDepth' && a.params[k] !== b.params[k]) return false;
  return true;
}

const depthOf = (t: SearchTask): number => {
  if (t.family === 'forest') {
    // 0, Infinity or absent: unlimited.
    const d = Number(t.params.maxDepth ?? Infinity);
    return d > 0 && Number.isFinite(d) ? d : Infinity;
  }
  const d = Number(t.params.maxDepth ?? 6);
  return Number.isFinite(d) ? d : Infinity;
};

/**
 * Tasks that differ only in maxDepth run deepest first. Boosting: a fit with maxDepth d grows exactly
 * the trees of the fit with maxDepth D > d up to the first round whose tree split at depth >= d (every
 * decision at depths < d is the same, no randomness depends on depth, leaves keep the same values, so
 * the margins match too), and from there it resumes. Forest: each tree's node draws its features from
 * its own stream, so the maxDepth d forest is the maxDepth D forest with every tree cut at depth d.
 */
function searchOrder(tasks: SearchTask[]): SearchTask[] {
  const out = tasks.slice();
  const pos = new Map(tasks.map((t, i) => [t, i]));
  // Stable: keep plan order except that, among tasks equal up to maxDepth, deeper ones go first.
  const rep = new Map<SearchTask, number>();
  for (const t of tasks) {
    const first = tasks.find((u) => sameExceptDepth(u, t))!;
    rep.set(t, pos.get(first)!);
  }
  out.sort((a, b) => rep.get(a)! - rep.get(b)! || depthOf(b) - depthOf(a) || pos.get(a)! - pos.get(b)!);
  return out;
}

/** A finished forest fit of this task's fold and parameters but a larger maxDepth, if any. */
function deeperForest(
  task: SearchTask,
  tasks: SearchTask[],
  fits: Map<number, { fit: SearchTaskFit; depths: Int32Array }>,
): ForestModel | undefined {
  const d = depthOf(task);
  if (!Number.isFinite(d)) return undefined;
  for (const other of tasks) {
    const done = fits.get(other.id);
    if (done && done.fit.model.kind === 'forest' && depthOf(other) > d && sameExceptDepth(other, task))
      return done.fit.model;
  }
  return undefined;
}

/**
 * The finished deeper fit sharing the most leading rounds with this task, and how many (all of them:
 * the task's fit is that fit).
 */
function sharedRounds(
  task: SearchTask,
  tasks: SearchTask[],
  fits: Map<number, { fit: SearchTaskFit; depths: Int32Array }>,
): { source: { fit: SearchTaskFit; depths: Int32Array }; rounds: number } | undefined {
  const d = depthOf(task);
  let best: { source: { fit: SearchTaskFit; depths: Int32Array }; rounds: number } | undefined;
  for (const other of tasks) {
    const done = fits.get(other.id);
    if (!done || !(depthOf(other) > d) || !sameExceptDepth(other, task)) continue;
    let rounds = 0;
    while (rounds < done.depths.length && done.depths[rounds]! <= d) rounds++;
    if (rounds > 0 && (!best || rounds > best.rounds)) best = { source: done, rounds };
  }
  return best;
}
