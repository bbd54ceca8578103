/**
 * Training's heavy steps, run in workers: preparing the matrix (read from the workspace, imputed with
 * the training-fitted preprocessor, clustered for every k of the elbow), fixing the regimes for the
 * chosen k, and one grid search per (regime, model family). The prepared matrix lives in a
 * SharedArrayBuffer so the search tasks on other workers read it without copies.
 */
import { elbow, type KMeansResult } from '../../ml/kmeans';
import { elbowK } from '../../ml/knee';
import {
  finishFamily,
  searchFold,
  type FamilySearchInput,
  type FamilySearchOutput,
  type FoldOutput,
} from '../../ml/pipeline/family-search';
import { withRegimeColumn } from '../../ml/pipeline/bundle';
import { repeatedOof, type RepeatedCvInput } from '../../ml/pipeline/repeated-cv';
import { fitPreprocessor, type PreprocessState } from '../../ml/preprocess';
import { assignRegimes, fitRegimes, type RegimeState } from '../../ml/regime';
import type { TrainingConfig } from '../../../shared/training-config';
import type { TaskContext } from '../context';

export interface PrepareInput {
  fileIds: number[];
  featureNames: string[];
  config: TrainingConfig;
}

export interface PrepareOutput {
  state: PreprocessState;
  /** Transformed matrix, column-major nRows x nKept, in a SharedArrayBuffer. */
  X: SharedArrayBuffer;
  nRows: number;
  nKept: number;
  labels: Uint8Array;
  rawLabels: Float64Array;
  wafers: string[];
  rowIds: Int32Array;
  ks: number[];
  wcss: number[];
  knee: number | null;
  /** Centroids (row-major k x nKept) and assignments per k of the elbow. */
  models: { k: number; centroids: Float64Array; assignments: Int32Array }[];
  notes: string[];
  seconds: { load: number; preprocess: number; elbow: number };
}

function toShared(a: Float64Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(a.byteLength);
  new Float64Array(sab).set(a);
  return sab;
}

export function prepareTraining(input: PrepareInput, ctx: TaskContext): PrepareOutput {
  const t0 = performance.now();
  const m = ctx.store().rows.matrixForFiles(input.fileIds, input.featureNames.length);
  ctx.throwIfCancelled();
  const t1 = performance.now();
  const labels = m.labels.map((l) => (l === 1 ? 1 : 0));
  const fit = ctx.drain(
    fitPreprocessor(m.X, m.nRows, m.nFeatures, input.featureNames, {
      imputation: input.config.imputation.method,
      knnNeighbors: input.config.imputation.neighbors,
      knnMaxDonors: input.config.imputation.maxDonors,
      standardize: input.config.standardize,
      seed: input.config.seed,
      labels,
    }),
    'imputing missing values',
  );
  const t2 = performance.now();
  const nKept = fit.state.keptColumns.length;
  const { clusters } = input.config;
  const kMin = clusters.mode === 'fixed' ? clusters.k! : clusters.kMin;
  const kMax = clusters.mode === 'fixed' ? clusters.k! : Math.min(clusters.kMax, m.nRows);
  const result = ctx.drain(elbow(fit.Xout, m.nRows, nKept, { kMin, kMax, seed: input.config.seed }), 'finding regimes');
  const knee = result.ks.length >= 3 ? elbowK(result.ks, result.wcss) : null;
  const t3 = performance.now();
  return {
    state: fit.state,
    X: toShared(fit.Xout),
    nRows: m.nRows,
    nKept,
    labels,
    rawLabels: m.rawLabels,
    wafers: m.wafers,
    rowIds: m.rowIds,
    ks: result.ks,
    wcss: result.wcss,
    knee,
    models: result.models.map((r: KMeansResult) => ({ k: r.k, centroids: r.centroids, assignments: r.assignments })),
    notes: fit.notes,
    seconds: { load: (t1 - t0) / 1000, preprocess: (t2 - t1) / 1000, elbow: (t3 - t2) / 1000 },
  };
}

export interface RegimesInput {
  X: SharedArrayBuffer;
  nRows: number;
  nKept: number;
  k: number;
  centroids: Float64Array;
  assignments: Int32Array;
}

export function fixRegimes(input: RegimesInput): { state: RegimeState; cluster: Int32Array; unfamiliar: number } {
  const X = new Float64Array(input.X);
  const state = fitRegimes(X, input.nRows, input.nKept, input.centroids, input.k, input.assignments);
  // Training rows take the regime prediction would give them (nearest centroid), so both agree exactly.
  const assigned = assignRegimes(state, X, input.nRows);
  let unfamiliar = 0;
  for (let i = 0; i < input.nRows; i++) unfamiliar += assigned.unfamiliar[i]!;
  return { state, cluster: assigned.cluster, unfamiliar };
}

/** The shared matrix, plus the regime as one more column for the global model. */
function groupMatrix(input: { X: SharedArrayBuffer; nRows: number; nFeatures: number; extraColumn?: Int32Array }) {
  const X = new Float64Array(input.X);
  return input.extraColumn
    ? { X: withRegimeColumn(X, input.nRows, input.extraColumn), nFeatures: input.nFeatures + 1 }
    : { X, nFeatures: input.nFeatures };
}

export type FamilyTaskInput = Omit<FamilySearchInput, 'X'> & { X: SharedArrayBuffer; extraColumn?: Int32Array };

/** One fold of one family's grid search for one group of rows. */
export function familyFoldTask(input: FamilyTaskInput & { fold: number }, ctx: TaskContext): FoldOutput {
  return ctx.drain(searchFold({ ...input, ...groupMatrix(input) }, input.fold), `${input.family} search`);
}

/** The best point, its out-of-fold probabilities, the final fit and the held-out scores. */
export function familyFinishTask(input: FamilyTaskInput & { folds: FoldOutput[] }, ctx: TaskContext): FamilySearchOutput {
  return ctx.drain(finishFamily({ ...input, ...groupMatrix(input) }, input.folds), `${input.family} final fit`);
}

export type RepeatedCvTaskInput = Omit<RepeatedCvInput, 'X'> & { X: SharedArrayBuffer; extraColumn?: Int32Array };

export function repeatedCvTask(input: RepeatedCvTaskInput, ctx: TaskContext): Float64Array[] {
  return ctx.drain(repeatedOof({ ...input, ...groupMatrix(input) }), 'repeated cross-validation');
}

export const trainTasks = {
  'train/repeated-cv': repeatedCvTask,
  'train/prepare': prepareTraining,
  'train/regimes': fixRegimes,
  'train/family-fold': familyFoldTask,
  'train/family-finish': familyFinishTask,
};
