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
  predictProbaBinned,
  reduceSearch,
  runSearchTask,
  serializeModel,
  type Family,
  type ForestParams,
  type GbmParams,
  type Grid,
  type GridValue,
  type Progress,
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
  for (const task of plan.tasks) {
    results.push(
      yield* drain(runSearchTask(binned, y, plan.folds, task), done, total, `${family} grid search`),
    );
    done += perTask;
  }
  const search = reduceSearch(plan, results);
  const params = search.best.params;
  const fit = (rows?: Uint32Array): Generator<Progress, TreeModel, void> =>
    family === 'gbm'
      ? fitGbm(binned, y, params as Partial<GbmParams>, rows ? { rows } : {})
      : fitForest(binned, y, params as Partial<ForestParams>, rows ? { rows } : {});
  const oof = new Float64Array(nTrain);
  for (let fold = 0; fold < nFolds; fold++) {
    const fitRows: number[] = [];
    const validRows: number[] = [];
    for (let i = 0; i < nTrain; i++) (plan.folds[i] === fold ? validRows : fitRows).push(i);
    const model = yield* drain(fit(Uint32Array.from(fitRows)), done, total, `${family} out-of-fold`);
    done += finalN;
    const p = predictProbaBinned(model, binned, Uint32Array.from(validRows));
    validRows.forEach((r, i) => (oof[r] = p[i]!));
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
