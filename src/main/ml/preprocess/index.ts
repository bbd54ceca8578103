// Preprocessing fitted on training rows only, saved as JSON-serializable state, and replayed unchanged
// on new rows: (1) drop columns with no observed training value (KNNImputer drops them too),
// (2) impute missing cells (KNN with scikit-learn KNNImputer semantics, or column median),
// (3) drop columns whose observed training values are all identical, (4) optional z-scoring.
// Hand-written because the reference pipeline is Python (sklearn) and no JS package offers a
// nan-Euclidean KNN imputer over typed arrays.
//
// Constant detection compares observed values exactly (min === max) rather than testing std == 0:
// floating-point std of a column of 4.101s is ~1e-14, which the reference's test missed. It is done on
// observed values, not imputed ones, because averaging three equal donors can move the last bit.
// Constant columns still take part in KNN distances (the reference imputes before dropping them),
// which matters because the nan-Euclidean weight depends on how many coordinates two rows share.
//
// KNN search, option `knnSearch`:
// - 'shortlist' (default): two-stage search. Stage 1 scores every donor cheaply and keeps the
//   `knnCandidates` (32) best: score = (squared differences on the `knnShortlistHeavy` (16)
//   highest-variance columns, skipping cells missing on either side + squared distance between
//   `knnShortlistDims` (8)-dimensional principal-component projections of the other columns, missing
//   cells filled with the donor mean) x p / (p - missing in query - missing in donor). The heavy
//   columns are compared exactly because the raw-unit nan-Euclidean distance is dominated by a few
//   large sensors and depends strongly on which of them a donor is missing: a pure 16-dim projection
//   (mean-filled) agreed with exact search for only ~78% of imputed cells, 16 exact heavy columns +
//   8 dims for 99.6%. Donors are visited by k-means groups nearest first so partial sums reject
//   most of them after 4-8 coordinates; ties go to the lower donor index, so the visiting order
//   never changes the result. Stage 2 computes the exact scikit-learn distance (same formula and
//   summation order as the exact scan) for the candidates and takes, per missing column, the k
//   nearest candidates observing it; if fewer than k do, that column falls back to an exact scan
//   over all donors observing it. Measured (bench/impute.ts --recall, SECOM-like 590 columns, fresh
//   rows): the imputed value equals exact search's for 99.6% of imputed cells with 1,567 donors and
//   98.0% with 5,000; transform ~11,000 rows/s per core with 1,567 donors and ~6,500 with 5,000 on
//   the (loaded) 2-core dev machine, vs ~900 and ~150 for the exact scan. Donors are all training
//   rows up to `knnMaxDonors` (5,000), beyond that a seeded (label-stratified) sample: fit takes
//   ~0.7 s at 1,567 rows, ~4 s at 15,670 and ~36 s at 156,700. The projection (center, weights),
//   heavy columns and settings are saved in state.knnSearch (state version 2); the donor groups are
//   rebuilt deterministically from them when the state is compiled.
// - 'exact': every row against every donor. Donors are all training rows while queries x rows x
//   columns stays under `knnWorkBudget` (default 2e9 distance terms, ~2-3 s on one laptop core; the
//   1,567-row reference data is ~1.5e9, so it stays exact) and rows <= `knnMaxDonors`; otherwise a
//   seeded sample of min(knnMaxDonors, max(knnMinDonors = 300, budget / (queries x columns))) rows,
//   stratified by label when labels are given. States without knnSearch (version 1) use this mode.
// In both modes fit and prediction use exactly the same donor set and search (the fit output IS
// transformRows of the training rows), and the decisions are reported in `notes`.
// The fallback mean (no donor shares a coordinate) is over all training rows, as in sklearn.

import { createRng, sampleIndices } from '../rng';
import { decodeF64, decodeI32, encodeF64, encodeI32, nanMedian, run } from '../matrix';
import type { EncodedArray, Progress } from '../matrix';
import { buildDonors, buildShortlist, knnImpute } from './knn';
import type { KnnDonors, KnnShortlist } from './knn';
import { fitProjection, heavyColumns } from './shortlist';

export type ImputationMethod = 'knn' | 'median';
export type KnnSearch = 'exact' | 'shortlist';

export interface PreprocessOptions {
  /** Default 'knn'. */
  imputation?: ImputationMethod;
  /** Neighbours for KNN imputation, default 3 (the reference's KNNImputer(n_neighbors=3)). */
  knnNeighbors?: number;
  /** z-score kept columns with training mean and population std. Default false (reference does not). */
  standardize?: boolean;
  /** Seed for the donor sample. Default 0. */
  seed?: number;
  /** Optional training labels (0/1), used only to stratify the donor sample. */
  labels?: Uint8Array;
  /** Max distance terms (queries x donors x columns) for the donor-set decision. Default 2e9. */
  knnWorkBudget?: number;
  /** Floor on the sampled donor count. Default 300. */
  knnMinDonors?: number;
  /** Cap on the donor count (state size). Default 5,000. */
  knnMaxDonors?: number;
  /** Neighbour search: 'shortlist' (default) or 'exact' (scikit-learn's full scan). */
  knnSearch?: KnnSearch;
  /** Shortlist mode: projected dimensions. Default 8. */
  knnShortlistDims?: number;
  /** Shortlist mode: candidates re-ranked exactly per row. Default 32. */
  knnCandidates?: number;
  /** Shortlist mode: highest-variance columns compared exactly (masked) in the scan. Default 16. */
  knnShortlistHeavy?: number;
}

export interface PreprocessState {
  /** 1: exact KNN search only; 2: adds `knnSearch` (absent or null = exact). */
  version: 1 | 2;
  featureNames: string[];
  nFeaturesIn: number;
  imputation: ImputationMethod;
  knnNeighbors: number;
  /** Input column indices forming the KNN distance space (all columns with an observed training value). */
  imputeColumns: number[];
  /** Input column indices of the output columns, in output order. */
  keptColumns: number[];
  keptNames: string[];
  droppedAllMissing: string[];
  droppedConstant: string[];
  /** Per imputeColumns entry: training median (median mode) or training mean (KNN fallback). */
  fill: EncodedArray;
  /** KNN donors: row-major nDonors x imputeColumns.length raw values (NaN = missing). */
  donors: { nDonors: number; sampled: boolean; rows: EncodedArray; values: EncodedArray } | null;
  /** Shortlist search settings and projection (version 2); absent/null = exact search. */
  knnSearch?: {
    mode: 'shortlist';
    /** Fitted projected dimensions (rows of `weights`). */
    dims: number;
    candidates: number;
    /** Per imputeColumns entry: donor mean of observed values. */
    center: EncodedArray;
    /** dims x imputeColumns.length, row-major (zero on the heavy coordinates). */
    weights: EncodedArray;
    /** Distance coordinates (imputeColumns positions) compared exactly in the shortlist scan. */
    heavy: number[];
    /**
     * The donor groups the scan visits nearest first, saved by fit so prediction does not recompute
     * them (absent in older states: rebuilt, identically, when the state is compiled). Scan order
     * never changes the result.
     */
    groups?: { count: number; ptr: EncodedArray; perm: EncodedArray; centroids: EncodedArray } | null;
  } | null;
  standardize: boolean;
  /** Per kept column, when standardize. */
  center: EncodedArray | null;
  scale: EncodedArray | null;
  notes: string[];
}

export interface PreprocessFitResult {
  state: PreprocessState;
  /** Transformed training matrix, column-major nRows x keptColumns.length. */
  Xout: Float64Array;
  notes: string[];
}

interface Compiled {
  fill: Float64Array;
  donors: KnnDonors | null;
  shortlist: KnnShortlist | null;
  outPos: Int32Array;
  center: Float64Array | null;
  scale: Float64Array | null;
}

// Decoding donors is O(donors x columns); cache per state object so repeated predictions skip it.
const compiledCache = new WeakMap<PreprocessState, Compiled>();

function compile(state: PreprocessState): Compiled {
  const hit = compiledCache.get(state);
  if (hit) return hit;
  const p = state.imputeColumns.length;
  const outPos = new Int32Array(p).fill(-1);
  const pos = new Map<number, number>();
  state.keptColumns.forEach((c, i) => pos.set(c, i));
  state.imputeColumns.forEach((c, j) => {
    const i = pos.get(c);
    if (i !== undefined) outPos[j] = i;
  });
  const donorValues = state.imputation === 'knn' && state.donors ? decodeF64(state.donors.values) : null;
  const donors = donorValues && state.donors ? buildDonors(donorValues, state.donors.nDonors, p) : null;
  const ks = state.knnSearch;
  const shortlist =
    donors && donorValues && ks && ks.mode === 'shortlist'
      ? buildShortlist(
          donorValues,
          donors,
          decodeF64(ks.center),
          decodeF64(ks.weights),
          ks.dims,
          ks.candidates,
          ks.heavy,
          ks.groups
            ? {
                G: ks.groups.count,
                gPtr: decodeI32(ks.groups.ptr),
                perm: decodeI32(ks.groups.perm),
                cent: decodeF64(ks.groups.centroids),
              }
            : null,
        )
      : null;
  const c: Compiled = {
    fill: decodeF64(state.fill),
    donors,
    shortlist,
    outPos,
    center: state.center ? decodeF64(state.center) : null,
    scale: state.scale ? decodeF64(state.scale) : null,
  };
  compiledCache.set(state, c);
  return c;
}

/** Apply a fitted state to rows (column-major, state.nFeaturesIn columns). Never refits. */
export function* transformRowsGen(
  state: PreprocessState,
  X: Float64Array,
  nRows: number,
  rows?: Float64Array | null,
  into?: Float64Array,
): Generator<Progress, Float64Array, void> {
  if (X.length !== nRows * state.nFeaturesIn) {
    throw new Error(`transformRows: expected ${nRows} x ${state.nFeaturesIn} values, got ${X.length}`);
  }
  const c = compile(state);
  const nOut = state.keptColumns.length;
  if (into && into.length !== nRows * nOut) throw new Error('transformRows: output of the wrong size');
  // Every value of the output is written below (kept columns copied, then imputed in place).
  const out = into ?? new Float64Array(nRows * nOut);
  state.keptColumns.forEach((col, i) => out.set(X.subarray(col * nRows, (col + 1) * nRows), i * nRows));

  if (state.imputation === 'knn') {
    yield* knnImpute({
      donors: c.donors ?? buildDonors(new Float64Array(0), 0, state.imputeColumns.length),
      k: state.knnNeighbors,
      X,
      nRows,
      rows,
      colSrc: state.imputeColumns,
      outPos: c.outPos,
      fallback: c.fill,
      out,
      shortlist: c.shortlist,
    });
  } else {
    for (let j = 0; j < state.imputeColumns.length; j++) {
      const op = c.outPos[j];
      if (op < 0) continue;
      const o = op * nRows;
      const v = c.fill[j];
      for (let r = 0; r < nRows; r++) if (out[o + r] !== out[o + r]) out[o + r] = v;
    }
  }
  if (c.center && c.scale) {
    for (let i = 0; i < nOut; i++) {
      const o = i * nRows;
      const m = c.center[i];
      const s = c.scale[i];
      for (let r = 0; r < nRows; r++) out[o + r] = (out[o + r] - m) / s;
    }
  }
  return out;
}

/** X is column-major (nRows x nFeaturesIn); `rows`, when given, the same values row-major (faster KNN). */
export function transformRows(
  state: PreprocessState,
  X: Float64Array,
  nRows: number,
  rows?: Float64Array | null,
  into?: Float64Array,
): Float64Array {
  if (rows && rows.length !== X.length) throw new Error('transformRows: rows and X differ in size');
  return run(transformRowsGen(state, X, nRows, rows, into));
}

function stratifiedSample(
  nRows: number,
  m: number,
  labels: Uint8Array | undefined,
  seed: number,
): Int32Array {
  const rng = createRng(seed);
  if (!labels) return sampleIndices(nRows, m, rng);
  const groups: number[][] = [[], []];
  for (let r = 0; r < nRows; r++) groups[labels[r] ? 1 : 0].push(r);
  // Proportional allocation, at least one row of a present class so rare faulty rows can be donors.
  let m1 = groups[1].length === 0 ? 0 : Math.max(1, Math.round((m * groups[1].length) / nRows));
  m1 = Math.min(m1, groups[1].length, m);
  const m0 = Math.min(m - m1, groups[0].length);
  const out: number[] = [];
  for (const [g, mm] of [
    [groups[0], m0],
    [groups[1], m1],
  ] as const) {
    const pick = sampleIndices(g.length, mm, rng);
    for (let i = 0; i < pick.length; i++) out.push(g[pick[i]]);
  }
  return Int32Array.from(out).sort();
}

export function* fitPreprocessor(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  featureNames: string[],
  options: PreprocessOptions = {},
): Generator<Progress, PreprocessFitResult, void> {
  if (X.length !== nRows * nFeatures)
    throw new Error(`fitPreprocessor: expected ${nRows * nFeatures} values`);
  if (featureNames.length !== nFeatures) throw new Error('fitPreprocessor: featureNames length mismatch');
  if (nRows < 1) throw new Error('fitPreprocessor: no training rows');
  const imputation = options.imputation ?? 'knn';
  const k = options.knnNeighbors ?? 3;
  if (!(k >= 1) || Math.floor(k) !== k) throw new Error('knnNeighbors must be a positive integer');
  const notes: string[] = [];
  const search: KnnSearch = options.knnSearch ?? 'shortlist';
  if (search !== 'exact' && search !== 'shortlist')
    throw new Error(`knnSearch must be 'exact' or 'shortlist'`);
  const slDims = options.knnShortlistDims ?? 8;
  const slCandidates = options.knnCandidates ?? 32;
  const slHeavy = options.knnShortlistHeavy ?? 16;
  if (!(slDims >= 1) || Math.floor(slDims) !== slDims)
    throw new Error('knnShortlistDims must be a positive integer');
  if (!(slCandidates >= 1) || Math.floor(slCandidates) !== slCandidates)
    throw new Error('knnCandidates must be a positive integer');

  const imputeColumns: number[] = [];
  const keptColumns: number[] = [];
  const droppedAllMissing: string[] = [];
  const droppedConstant: string[] = [];
  const means: number[] = [];
  const medians: number[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const o = f * nRows;
    let cnt = 0;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < nRows; r++) {
      const v = X[o + r];
      if (v !== v) continue;
      cnt++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (cnt === 0) {
      droppedAllMissing.push(featureNames[f]);
      continue;
    }
    imputeColumns.push(f);
    means.push(sum / cnt);
    if (imputation === 'median') medians.push(nanMedian(X.subarray(o, o + nRows)));
    if (lo === hi) droppedConstant.push(featureNames[f]);
    else keptColumns.push(f);
  }
  if (droppedAllMissing.length) {
    notes.push(`Dropped ${droppedAllMissing.length} column(s) with no observed training value.`);
  }
  if (droppedConstant.length) {
    notes.push(
      `Dropped ${droppedConstant.length} column(s) whose observed training values are all identical.`,
    );
  }
  const p = imputeColumns.length;

  let donors: PreprocessState['donors'] = null;
  let knnSearch: PreprocessState['knnSearch'] = null;
  if (imputation === 'knn' && p > 0 && search === 'shortlist') {
    // Per-row cost is bounded by ~donors x projected dims + candidates x columns, so no work budget:
    // all training rows are donors up to knnMaxDonors, beyond that a seeded (stratified) sample.
    const maxDonors = options.knnMaxDonors ?? 5000;
    let rows: Int32Array;
    let sampled = false;
    if (nRows <= maxDonors) rows = Int32Array.from({ length: nRows }, (_, i) => i);
    else {
      rows = stratifiedSample(nRows, maxDonors, options.labels, options.seed ?? 0);
      sampled = true;
      notes.push(
        `KNN imputation used a seeded ${options.labels ? 'label-stratified ' : ''}sample of ${rows.length} of ` +
          `${nRows} training rows as donors (knnMaxDonors); results are an approximation of exact KNNImputer.`,
      );
    }
    const values = new Float64Array(rows.length * p);
    for (let j = 0; j < p; j++) {
      const src = imputeColumns[j] * nRows;
      for (let i = 0; i < rows.length; i++) values[i * p + j] = X[src + rows[i]];
    }
    donors = { nDonors: rows.length, sampled, rows: encodeI32(rows), values: encodeF64(values) };
    if (rows.length > slCandidates) {
      const heavy = heavyColumns(values, rows.length, p, slHeavy);
      const proj = fitProjection(values, rows.length, p, slDims, options.seed ?? 0, heavy);
      knnSearch = {
        mode: 'shortlist',
        dims: proj.m,
        candidates: slCandidates,
        center: encodeF64(proj.center),
        weights: encodeF64(proj.W),
        heavy,
      };
      notes.push(SHORTLIST_NOTE(k, proj.m, slCandidates, heavy.length));
    }
  } else if (imputation === 'knn' && p > 0) {
    let nQueries = 0;
    for (let r = 0; r < nRows; r++) {
      for (const f of keptColumns) {
        const v = X[f * nRows + r];
        if (v !== v) {
          nQueries++;
          break;
        }
      }
    }
    const budget = options.knnWorkBudget ?? 2e9;
    const minDonors = options.knnMinDonors ?? 300;
    const maxDonors = options.knnMaxDonors ?? 5000;
    const affordable = Math.floor(budget / (Math.max(1, nQueries) * p));
    let rows: Int32Array;
    let sampled = false;
    if (nRows <= Math.min(maxDonors, Math.max(affordable, minDonors))) {
      rows = Int32Array.from({ length: nRows }, (_, i) => i);
    } else {
      const m = Math.min(maxDonors, Math.max(minDonors, affordable));
      rows = stratifiedSample(nRows, m, options.labels, options.seed ?? 0);
      sampled = true;
      notes.push(
        `KNN imputation used a seeded ${options.labels ? 'label-stratified ' : ''}sample of ${rows.length} of ` +
          `${nRows} training rows as donors because exact KNN over ${nQueries} rows with missing values x ` +
          `${nRows} donors x ${p} columns exceeds the work budget; results are an approximation of ` +
          `exact KNNImputer.`,
      );
    }
    const values = new Float64Array(rows.length * p);
    for (let j = 0; j < p; j++) {
      const src = imputeColumns[j] * nRows;
      for (let i = 0; i < rows.length; i++) values[i * p + j] = X[src + rows[i]];
    }
    donors = { nDonors: rows.length, sampled, rows: encodeI32(rows), values: encodeF64(values) };
  }

  const state: PreprocessState = {
    version: 2,
    featureNames: featureNames.slice(),
    nFeaturesIn: nFeatures,
    imputation,
    knnNeighbors: k,
    imputeColumns,
    keptColumns,
    keptNames: keptColumns.map((f) => featureNames[f]),
    droppedAllMissing,
    droppedConstant,
    fill: encodeF64(Float64Array.from(imputation === 'median' ? medians : means)),
    donors,
    knnSearch,
    standardize: false,
    center: null,
    scale: null,
    notes,
  };

  // Fit output is, by construction, the transform of the training rows.
  const Xout = yield* transformRowsGen(state, X, nRows);
  const sl = compile(state).shortlist;
  if (state.knnSearch && sl) {
    state.knnSearch.groups = {
      count: sl.G,
      ptr: encodeI32(sl.gPtr),
      perm: encodeI32(sl.perm),
      centroids: encodeF64(sl.cent),
    };
  }

  if (options.standardize) {
    const nOut = keptColumns.length;
    const center = new Float64Array(nOut);
    const scale = new Float64Array(nOut);
    for (let i = 0; i < nOut; i++) {
      const o = i * nRows;
      let s = 0;
      for (let r = 0; r < nRows; r++) s += Xout[o + r];
      const m = s / nRows;
      let ss = 0;
      for (let r = 0; r < nRows; r++) ss += (Xout[o + r] - m) * (Xout[o + r] - m);
      const sd = Math.sqrt(ss / nRows);
      center[i] = m;
      // Non-constant observed values make sd > 0, but guard like sklearn against tiny/zero scales.
      scale[i] = sd > 0 ? sd : 1;
      for (let r = 0; r < nRows; r++) Xout[o + r] = (Xout[o + r] - m) / scale[i];
    }
    state.standardize = true;
    state.center = encodeF64(center);
    state.scale = encodeF64(scale);
    compiledCache.delete(state);
  }
  return { state, Xout, notes };
}

/**
 * Up to n training rows (the first KNN donors, with their missing cells) in the input layout
 * (column-major, nFeaturesIn columns; columns outside the distance space missing), or no rows when the
 * state keeps no donors. Prediction scores them once when it decodes a model, so the hot loops are
 * compiled before real rows arrive.
 */
export function sampleRows(state: PreprocessState, n: number): { X: Float64Array; nRows: number } {
  const donors = compile(state).donors;
  const nRows = donors ? Math.min(n, donors.nDonors) : 0;
  const X = new Float64Array(nRows * state.nFeaturesIn).fill(NaN);
  if (!donors) return { X, nRows };
  const p = donors.p;
  state.imputeColumns.forEach((col, j) => {
    for (let r = 0; r < nRows; r++) if (donors.obs[r * p + j]) X[col * nRows + r] = donors.Z[r * p + j];
  });
  return { X, nRows };
}

/** Donor training-row indices used by a KNN state (for diagnostics). */
export function donorRows(state: PreprocessState): Int32Array | null {
  return state.donors ? decodeI32(state.donors.rows) : null;
}

const SHORTLIST_NOTE = (k: number, dims: number, candidates: number, heavy: number): string =>
  `KNN imputation searched neighbours in two stages: the ${candidates} donors nearest by a cheap score ` +
  `(the ${heavy} highest-variance columns compared exactly, the others through a ${dims}-dimensional ` +
  `principal-component projection with missing cells filled by the donor mean), then exact nan-Euclidean ` +
  `distances for those candidates. The ${k} nearest donors agree with an exact search for ${SHORTLIST_RECALL} of ` +
  `imputed cells on wafer-like data; knnSearch 'exact' restores the full scan.`;
/** Measured with bench/impute.ts --recall (1,567 donors x 590 columns, fresh rows). */
const SHORTLIST_RECALL = '99.6% (1,567 donors; 98.0% with 5,000)';
