/**
 * One model family for one group of rows (a regime, or all rows for the global model): stratified
 * k-fold grid search on the training part (ROC AUC on probabilities), out-of-fold probabilities at the
 * best point (for choosing the decision threshold without touching the held-out rows), the final fit on
 * the training part, and its probabilities on the held-out part. Pure: the app's workers run it.
 */
import { selectRows } from '../matrix';
import {
  binData,
  featureImportance,
  fitForest,
  fitGbm,
  planGridSearch,
  predictProba,
  reduceSearch,
  fitSearchTask,
  treeDepth,
  serializeModel,
  type Family,
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

export function* searchFamily(input: FamilySearchInput): Generator<Progress, FamilySearchOutput, void> {
  const { X, nRows, nFeatures, labels, train, test, family } = input;
  const nTrain = train.length;
  const Xtrain = selectRows(X, nRows, nFeatures, train);
  const y = new Uint8Array(nTrain);
  let pos = 0;
  for (let i = 0; i < nTrain; i++) pos += y[i] = labels[train[i]!]!;
  const nFolds = Math.min(input.nFolds, pos, nTrain - pos);
  if (nFolds < 2) throw new Error('too few rows of the minority class for cross-validation');
  const binned = binData(Xtrain, nTrain, nFeatures);
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
  const perTask = Number(plan.tasks[0]?.params.nEstimators ?? 0);
  const finalN = Math.max(...input.grid.nEstimators!.map(Number));
  // Progress in trees: every search task, the out-of-fold refits and the final fit.
  const total = perTask * plan.tasks.length + finalN * (nFolds + 1);
  let done = 0;
  const results: SearchTaskResult[] = [];
  // Per task: its staged validation probabilities (the out-of-fold refits reuse them) and, for
  // boosting, the deepest split of its model (a shallower maxDepth fit reuses it, see below).
  const fits = new Map<number, { fit: SearchTaskFit; depth: number }>();
  for (const task of searchOrder(plan.tasks, family)) {
    const same = family === 'gbm' ? reusableFit(task, plan.tasks, fits) : undefined;
    if (same) {
      results.push({ ...same.fit.result, taskId: task.id, group: task.group, fold: task.fold });
      fits.set(task.id, same);
      done += perTask;
      yield { done, total, message: `${family} grid search` };
      continue;
    }
    const r = yield* drain(fitSearchTask(binned, y, plan.folds, task), done, total, `${family} grid search`);
    results.push(r.result);
    fits.set(task.id, { fit: r, depth: family === 'gbm' ? maxTreeDepth(r.model) : 0 });
    done += perTask;
  }
  const search = reduceSearch(plan, results);
  const params = search.best.params;
  const fit = (rows?: Uint32Array): Generator<Progress, TreeModel, void> =>
    family === 'gbm'
      ? fitGbm(binned, y, params as Partial<GbmParams>, rows ? { rows } : {})
      : fitForest(binned, y, params as Partial<ForestParams>, rows ? { rows } : {});
  // Out-of-fold probabilities at the best point. The refit on the other folds would be exactly the
  // best group's search task for that fold cut at the best n_estimators (boosting round k and forest
  // tree i never depend on later ones, the rows are the same ascending list), so its staged
  // probabilities are the refit's probabilities: read them instead of refitting.
  const oof = new Float64Array(nTrain);
  const bestPoint = plan.points.find((pt) => pt.params === params);
  if (!bestPoint) throw new Error('best grid point not found in the plan');
  for (let fold = 0; fold < nFolds; fold++) {
    const task = plan.tasks.find((t) => t.group === bestPoint.group && t.fold === fold)!;
    const { vRows, probs } = fits.get(task.id)!.fit;
    const p = probs[bestPoint.stage]!;
    for (let i = 0; i < vRows.length; i++) oof[vRows[i]!] = p[i]!;
    done += finalN;
    yield { done, total, message: `${family} out-of-fold` };
  }
  const model = yield* drain(fit(), done, total, `${family} final fit`);
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

/** Deepest split of any tree (0 when every tree is a single leaf). */
function maxTreeDepth(model: TreeModel): number {
  let d = 0;
  for (const t of model.trees) d = Math.max(d, treeDepth(t));
  return d;
}

function sameExceptDepth(a: SearchTask, b: SearchTask): boolean {
  if (a.fold !== b.fold) return false;
  const ka = Object.keys(a.params);
  if (ka.length !== Object.keys(b.params).length) return false;
  for (const k of ka) if (k !== 'maxDepth' && a.params[k] !== b.params[k]) return false;
  return true;
}

const depthOf = (t: SearchTask): number => {
  const d = Number(t.params.maxDepth ?? 6);
  return Number.isFinite(d) ? d : Infinity;
};

/**
 * Boosting tasks that differ only in maxDepth run deepest first: a fit with maxDepth d is exactly the
 * fit with maxDepth D > d whenever the deeper model never split at depth >= d (every decision at
 * depths < d is the same, no randomness depends on depth, leaves keep the same values). The forest
 * draws split features from one stream per tree, so its shallower fits differ and are never reused.
 */
function searchOrder(tasks: SearchTask[], family: string): SearchTask[] {
  if (family !== 'gbm') return tasks;
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

function reusableFit(
  task: SearchTask,
  tasks: SearchTask[],
  fits: Map<number, { fit: SearchTaskFit; depth: number }>,
): { fit: SearchTaskFit; depth: number } | undefined {
  const d = depthOf(task);
  for (const other of tasks) {
    const done = fits.get(other.id);
    if (done && depthOf(other) > d && done.depth <= d && sameExceptDepth(other, task)) return done;
  }
  return undefined;
}
