// Operating-regime assignment for prediction rows: nearest k-means centroid plus an "unfamiliar
// regime" flag when the row is farther from that centroid than training rows of the cluster were.
// Hand-written: it is a few loops over the k-means output and must serialise with the model.
//
// Threshold rule (per cluster c, Euclidean distance in the clustering feature space):
//   threshold_c = 1.25 x p99_c, p99 = 99th percentile (linear interpolation, numpy's default) of the
//   distances of cluster c's training rows to its centroid.
// Why: the max is set by the single most extreme training wafer, so a threshold on it moves with one
// outlier; p99 ignores the top 1%, and the 25% margin absorbs sampling noise in the p99 itself (in
// hundreds of dimensions distances concentrate, so in-regime rows rarely exceed p99 by that much while
// a shifted tool/recipe typically moves rows well past it). Clusters with fewer than 20 training rows
// have no meaningful p99, so they use the p99 pooled over all training rows instead.
// Rows must be in the same space k-means saw (the preprocessor's output columns).

import { decodeF64, encodeF64 } from './matrix';
import type { EncodedArray } from './matrix';

export const REGIME_THRESHOLD_FACTOR = 1.25;
export const REGIME_MIN_CLUSTER_ROWS = 20;

export interface ClusterDistanceStats {
  size: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** Distance above which a row assigned to this cluster is unfamiliar. */
  threshold: number;
  /** 'cluster' when from the cluster's own p99, 'pooled' when the cluster was too small. */
  thresholdSource: 'cluster' | 'pooled';
}

export interface RegimeState {
  version: 1;
  k: number;
  nFeatures: number;
  /** Row-major k x nFeatures. */
  centroids: EncodedArray;
  clusters: ClusterDistanceStats[];
  rule: string;
}

export interface RegimeAssignment {
  cluster: number;
  distance: number;
  threshold: number;
  unfamiliar: boolean;
}

function percentileSorted(a: Float64Array, q: number): number {
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

/** X is column-major nRows x nFeatures; centroids row-major k x nFeatures; assignments from k-means. */
export function fitRegimes(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  centroids: Float64Array,
  k: number,
  assignments: Int32Array,
): RegimeState {
  if (centroids.length !== k * nFeatures) throw new Error('fitRegimes: centroid size mismatch');
  if (assignments.length !== nRows) throw new Error('fitRegimes: assignments length mismatch');
  const d2 = new Float64Array(nRows);
  for (let f = 0; f < nFeatures; f++) {
    const o = f * nRows;
    for (let r = 0; r < nRows; r++) {
      const d = X[o + r] - centroids[assignments[r] * nFeatures + f];
      d2[r] += d * d;
    }
  }
  const dist = d2.map(Math.sqrt);
  const pooled = dist.slice().sort();
  const pooledP99 = percentileSorted(pooled, 0.99);
  const clusters: ClusterDistanceStats[] = [];
  for (let c = 0; c < k; c++) {
    const mine: number[] = [];
    for (let r = 0; r < nRows; r++) if (assignments[r] === c) mine.push(dist[r]);
    const s = Float64Array.from(mine).sort();
    const own = s.length >= REGIME_MIN_CLUSTER_ROWS;
    const p99 = percentileSorted(s, 0.99);
    let sum = 0;
    for (const v of mine) sum += v;
    clusters.push({
      size: s.length,
      mean: s.length ? sum / s.length : NaN,
      p50: percentileSorted(s, 0.5),
      p99,
      max: s.length ? s[s.length - 1] : NaN,
      threshold: REGIME_THRESHOLD_FACTOR * (own ? p99 : pooledP99),
      thresholdSource: own ? 'cluster' : 'pooled',
    });
  }
  return {
    version: 1,
    k,
    nFeatures,
    centroids: encodeF64(centroids),
    clusters,
    rule:
      `unfamiliar when distance to nearest centroid > ${REGIME_THRESHOLD_FACTOR} x p99 of that cluster's ` +
      `training distances (pooled p99 for clusters under ${REGIME_MIN_CLUSTER_ROWS} rows)`,
  };
}

const centroidCache = new WeakMap<RegimeState, Float64Array>();

function centroidsOf(state: RegimeState): Float64Array {
  let c = centroidCache.get(state);
  if (!c) {
    c = decodeF64(state.centroids);
    centroidCache.set(state, c);
  }
  return c;
}

/** Nearest centroid for one dense row vector (length state.nFeatures). */
export function assignRegime(state: RegimeState, row: ArrayLike<number>): RegimeAssignment {
  if (row.length !== state.nFeatures) throw new Error(`assignRegime: expected ${state.nFeatures} values`);
  const C = centroidsOf(state);
  const p = state.nFeatures;
  let best = Infinity;
  let bc = 0;
  for (let c = 0; c < state.k; c++) {
    let s = 0;
    for (let j = 0; j < p; j++) {
      const d = row[j] - C[c * p + j];
      s += d * d;
    }
    if (s < best) {
      best = s;
      bc = c;
    }
  }
  const distance = Math.sqrt(best);
  const threshold = state.clusters[bc].threshold;
  // NaN distances (missing inputs) count as unfamiliar rather than silently familiar.
  return { cluster: bc, distance, threshold, unfamiliar: !(distance <= threshold) };
}

/**
 * Batch form over a column-major matrix. Same result as assignRegime per row, bit for bit: each row's
 * squared distance still sums its coordinates in order, but column by column over all rows, which
 * reads X sequentially instead of gathering every row across the columns.
 */
export function assignRegimes(
  state: RegimeState,
  X: Float64Array,
  nRows: number,
): { cluster: Int32Array; distance: Float64Array; unfamiliar: Uint8Array } {
  const p = state.nFeatures;
  if (X.length !== nRows * p) throw new Error(`assignRegimes: expected ${nRows} x ${p} values`);
  const C = centroidsOf(state);
  const cluster = new Int32Array(nRows);
  const distance = new Float64Array(nRows);
  const unfamiliar = new Uint8Array(nRows);
  const best = new Float64Array(nRows).fill(Infinity);
  const s = new Float64Array(nRows);
  // Centroids three at a time against four rows at a time, the twelve sums in registers (instead of
  // a stored partial sum per row and centroid for every column); the rows and centroids left over
  // one centroid at a time. Centroids are still tried in order, so the choice is the same.
  const rows4 = nRows - (nRows % 4);
  for (let c = 0; c < state.k;) {
    if (c + 3 <= state.k && rows4 > 0) {
      assignThree(C, c, p, X, nRows, rows4, best, cluster);
      for (let t = c; t < c + 3; t++) assignOne(C, t, p, X, nRows, rows4, s, best, cluster);
      c += 3;
    } else {
      assignOne(C, c, p, X, nRows, 0, s, best, cluster);
      c++;
    }
  }
  for (let r = 0; r < nRows; r++) {
    const dist = Math.sqrt(best[r]);
    distance[r] = dist;
    // NaN distances (missing inputs) count as unfamiliar rather than silently familiar.
    unfamiliar[r] = dist <= state.clusters[cluster[r]].threshold ? 0 : 1;
  }
  return { cluster, distance, unfamiliar };
}

/** Rows [from, nRows) against centroid c alone: its squared distances, taken where strictly smaller. */
function assignOne(
  C: Float64Array,
  c: number,
  p: number,
  X: Float64Array,
  nRows: number,
  from: number,
  s: Float64Array,
  best: Float64Array,
  cluster: Int32Array,
): void {
  if (from >= nRows) return;
  s.fill(0, from, nRows);
  for (let j = 0; j < p; j++) {
    const o = j * nRows;
    const cj = C[c * p + j]!;
    for (let r = from; r < nRows; r++) {
      const d = X[o + r]! - cj;
      s[r] += d * d;
    }
  }
  // Strictly smaller wins, so ties keep the lower cluster (as in assignRegime).
  for (let r = from; r < nRows; r++) {
    if (s[r]! < best[r]!) {
      best[r] = s[r]!;
      cluster[r] = c;
    }
  }
}

/**
 * Rows [0, nRows4) (a multiple of four) against centroids c..c+2. Each (row, centroid) sum adds the
 * coordinates in order and the centroids are taken in order where strictly smaller, so distances and
 * choices are those of one centroid at a time, bit for bit.
 */
function assignThree(
  C: Float64Array,
  c: number,
  p: number,
  X: Float64Array,
  nRows: number,
  nRows4: number,
  best: Float64Array,
  cluster: Int32Array,
): void {
  const cu = c * p;
  const cv = cu + p;
  const cw = cv + p;
  for (let r = 0; r < nRows4; r += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let j = 0, o = r; j < p; j++, o += nRows) {
      const x0 = X[o]!;
      const x1 = X[o + 1]!;
      const x2 = X[o + 2]!;
      const x3 = X[o + 3]!;
      const u = C[cu + j]!;
      const v = C[cv + j]!;
      const w = C[cw + j]!;
      let d = x0 - u;
      a0 += d * d;
      d = x1 - u;
      a1 += d * d;
      d = x2 - u;
      a2 += d * d;
      d = x3 - u;
      a3 += d * d;
      d = x0 - v;
      b0 += d * d;
      d = x1 - v;
      b1 += d * d;
      d = x2 - v;
      b2 += d * d;
      d = x3 - v;
      b3 += d * d;
      d = x0 - w;
      c0 += d * d;
      d = x1 - w;
      c1 += d * d;
      d = x2 - w;
      c2 += d * d;
      d = x3 - w;
      c3 += d * d;
    }
    takeNearer(r, c, a0, b0, c0, best, cluster);
    takeNearer(r + 1, c, a1, b1, c1, best, cluster);
    takeNearer(r + 2, c, a2, b2, c2, best, cluster);
    takeNearer(r + 3, c, a3, b3, c3, best, cluster);
  }
}

/** Centroids c, c+1, c+2 at squared distances a, b, d from row r, each taken where strictly smaller. */
function takeNearer(
  r: number,
  c: number,
  a: number,
  b: number,
  d: number,
  best: Float64Array,
  cluster: Int32Array,
): void {
  if (a < best[r]!) {
    best[r] = a;
    cluster[r] = c;
  }
  if (b < best[r]!) {
    best[r] = b;
    cluster[r] = c + 1;
  }
  if (d < best[r]!) {
    best[r] = d;
    cluster[r] = c + 2;
  }
}
