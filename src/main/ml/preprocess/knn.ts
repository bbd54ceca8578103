// KNN imputation core with scikit-learn KNNImputer semantics (n_neighbors = k, weights = 'uniform',
// metric = 'nan_euclidean'), written against typed arrays because no JS library implements the
// nan-Euclidean metric and a naive pairwise loop is ~5x slower than the blocked kernel below.
//
// Distance between a query row x and a donor row y (sklearn's nan_euclidean_distances):
//   d(x, y) = sqrt(p / n_common * sum over coordinates observed in both of (x_j - y_j)^2)
// undefined (NaN in sklearn) when n_common = 0. Ranking only needs the squared, weighted value.
// Like sklearn we expand the sum instead of looping over pairs of coordinates: with zero-filled
// rows x~, y~ and missing sets Mx, My,
//   sum_common (x - y)^2 = (|x~|^2 - sum_{j in My} x~_j^2) + (|y~|^2 - sum_{j in Mx} y~_j^2) - 2 x~.y~
// so the O(p) part is a plain dot product (computed 4 queries x 2 donors at a time so V8 keeps the
// eight accumulators in registers) and the corrections cost O(|Mx| + |My|), small for sensor data.
// Neighbour choice per missing column: the k nearest donors that observe that column, ties broken by
// the lower donor index; donors at undefined distance are never used (sklearn gives them weight 0);
// when no donor with the column is at a defined distance the training column mean is used.
// knnImputeShortlist (below) is the two-stage approximate search described in index.ts; it re-ranks
// its candidates with the same per-pair formula and summation order as the exact scan.

import type { Progress } from '../matrix';
import { acquireKnnKernel, wasmKernelsEnabled, type KnnKernelData } from '../wasm';
import { centerRows, gemmNT } from './shortlist';

export interface KnnDonors {
  nDonors: number;
  /** Number of coordinates of the distance space. */
  p: number;
  /** Row-major nDonors x p, missing entries set to 0. */
  Z: Float64Array;
  /** Row-major nDonors x p, 1 = observed. */
  obs: Uint8Array;
  norm2: Float64Array;
  /** CSR lists of missing coordinates per donor. */
  missPtr: Int32Array;
  missIdx: Int32Array;
}

/** Build donor structures from row-major raw values (NaN = missing). */
export function buildDonors(values: Float64Array, nDonors: number, p: number): KnnDonors {
  const Z = new Float64Array(nDonors * p);
  const obs = new Uint8Array(nDonors * p);
  const norm2 = new Float64Array(nDonors);
  const missPtr = new Int32Array(nDonors + 1);
  let nMiss = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) nMiss++;
  const missIdx = new Int32Array(nMiss);
  let m = 0;
  for (let d = 0; d < nDonors; d++) {
    const o = d * p;
    let s = 0;
    for (let j = 0; j < p; j++) {
      const v = values[o + j];
      if (v === v) {
        Z[o + j] = v;
        obs[o + j] = 1;
        s += v * v;
      } else {
        missIdx[m++] = j;
      }
    }
    norm2[d] = s;
    missPtr[d + 1] = m;
  }
  return { nDonors, p, Z, obs, norm2, missPtr, missIdx };
}

/** G[q * D + d] = Q[q] . Z[d] for nq (multiple of 4) row-major query rows. */
function dotBlock(Q: Float64Array, nq: number, Z: Float64Array, D: number, p: number, G: Float64Array): void {
  const D2 = D - (D % 2);
  for (let q = 0; q < nq; q += 4) {
    const q0 = q * p;
    const q1 = q0 + p;
    const q2 = q1 + p;
    const q3 = q2 + p;
    const g0 = q * D;
    const g1 = g0 + D;
    const g2 = g1 + D;
    const g3 = g2 + D;
    for (let d = 0; d < D2; d += 2) {
      const y0 = d * p;
      const y1 = y0 + p;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < p; j++) {
        const u = Z[y0 + j];
        const v = Z[y1 + j];
        const x0 = Q[q0 + j];
        const x1 = Q[q1 + j];
        const x2 = Q[q2 + j];
        const x3 = Q[q3 + j];
        a0 += x0 * u;
        a1 += x1 * u;
        a2 += x2 * u;
        a3 += x3 * u;
        b0 += x0 * v;
        b1 += x1 * v;
        b2 += x2 * v;
        b3 += x3 * v;
      }
      G[g0 + d] = a0;
      G[g1 + d] = a1;
      G[g2 + d] = a2;
      G[g3 + d] = a3;
      G[g0 + d + 1] = b0;
      G[g1 + d + 1] = b1;
      G[g2 + d + 1] = b2;
      G[g3 + d + 1] = b3;
    }
    if (D2 < D) {
      const y0 = D2 * p;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < p; j++) {
        const u = Z[y0 + j];
        a0 += Q[q0 + j] * u;
        a1 += Q[q1 + j] * u;
        a2 += Q[q2 + j] * u;
        a3 += Q[q3 + j] * u;
      }
      G[g0 + D2] = a0;
      G[g1 + D2] = a1;
      G[g2 + D2] = a2;
      G[g3 + D2] = a3;
    }
  }
}

export interface KnnImputeJob {
  donors: KnnDonors;
  k: number;
  /** Column-major source matrix and its row count. */
  X: Float64Array;
  nRows: number;
  /** The same matrix row-major, when the caller has it (rows read from a file are): the WebAssembly
   *  search copies a query's row from it instead of gathering it column by column. */
  rows?: Float64Array | null;
  /** Source column of each distance coordinate (length p). */
  colSrc: ArrayLike<number>;
  /** Output position of each distance coordinate, -1 when the coordinate is not needed in the output. */
  outPos: Int32Array;
  /** Fallback value per coordinate (training column mean). */
  fallback: Float64Array;
  /** Column-major output nRows x nOut, already holding the observed values; NaNs get filled. */
  out: Float64Array;
  /** Two-stage search (projected-space shortlist, exact re-ranking); exact scan when absent. */
  shortlist?: KnnShortlist | null;
}

/** Donor groups in scan order: positions gPtr[g]..gPtr[g+1] of perm, centroid cent[g * w..]. */
export interface DonorGroups {
  G: number;
  gPtr: Int32Array;
  perm: Int32Array;
  cent: Float64Array;
}

export interface KnnShortlist {
  /** Candidates kept from the projected-space scan. */
  C: number;
  /** Projected dims, padded with zero dims to a multiple of 4 (stride of P). */
  ms: number;
  /** Per coordinate, subtracted from observed values before projecting. */
  center: Float64Array;
  /** ms x p projection (rows beyond the fitted dims are zero). */
  W: Float64Array;
  /** Donor projections, nDonors x ms. */
  P: Float64Array;
  /** CSR per coordinate: the donors observing it, ascending. */
  obsPtr: Int32Array;
  obsIdx: Int32Array;
  /** Heavy coordinates compared exactly in stage 1, padded with -1 to hs (a multiple of 4). */
  hs: number;
  heavy: Int32Array;
  /** Donor values on the heavy coordinates, nDonors x hs, NaN = missing or padding. */
  HV: Float64Array;
  /** Missing coordinates per donor. */
  myd: Float64Array;
  /** Scan position -> donor index; P, HV and myd are stored in scan order. */
  perm: Int32Array;
  /** Donor groups: positions gPtr[g]..gPtr[g+1] of the scan order, centroid cent[g * (hs + ms)..]. */
  G: number;
  gPtr: Int32Array;
  cent: Float64Array;
  /** Scan-order donor vectors, nDonors x (hs + ms): slot t holds heavy value / projection slotSrc[t]. */
  V: Float64Array;
  slotSrc: Int32Array;
  /** The default scan layout (16 heavy, 8 projected) with no missing donor projection: the scan
   *  uses its unrolled form. */
  layout24: boolean;
}

/**
 * Deterministic k-means (8 rounds from evenly spaced donors) on the donors' scan vectors F (D x w):
 * the groups a query scans nearest first. Fit saves them in the state so prediction skips this.
 */
export function groupDonors(F: Float64Array, D: number, w: number): DonorGroups {
  const G = Math.max(1, Math.min(64, Math.round(Math.sqrt(D))));
  const cent = new Float64Array(G * w);
  for (let g = 0; g < G; g++)
    cent.set(F.subarray(Math.floor((g * D) / G) * w, (Math.floor((g * D) / G) + 1) * w), g * w);
  const grp = new Int32Array(D);
  const cnt = new Float64Array(G);
  for (let it = 0; it < 8; it++) {
    for (let d = 0; d < D; d++) {
      let best = 0;
      let bd = Infinity;
      for (let g = 0; g < G; g++) {
        let s = 0;
        for (let i = 0; i < w; i++) {
          const t = F[d * w + i] - cent[g * w + i];
          s += t * t;
        }
        if (s < bd) {
          bd = s;
          best = g;
        }
      }
      grp[d] = best;
    }
    if (it === 7) break;
    const sum = new Float64Array(G * w);
    cnt.fill(0);
    for (let d = 0; d < D; d++) {
      const g = grp[d];
      cnt[g]++;
      for (let i = 0; i < w; i++) sum[g * w + i] += F[d * w + i];
    }
    for (let g = 0; g < G; g++)
      if (cnt[g] > 0) for (let i = 0; i < w; i++) cent[g * w + i] = sum[g * w + i] / cnt[g];
  }
  const gPtr = new Int32Array(G + 1);
  for (let d = 0; d < D; d++) gPtr[grp[d] + 1]++;
  for (let g = 0; g < G; g++) gPtr[g + 1] += gPtr[g];
  const perm = new Int32Array(D);
  const at = gPtr.slice(0, G);
  for (let d = 0; d < D; d++) perm[at[grp[d]]++] = d;
  return { G, gPtr, perm, cent };
}

/** Donor projections and per-column observer lists for the shortlist search. */
export function buildShortlist(
  values: Float64Array,
  donors: KnnDonors,
  center: Float64Array,
  W: Float64Array,
  m: number,
  C: number,
  heavyCols: ArrayLike<number>,
  saved?: DonorGroups | null,
): KnnShortlist {
  const { nDonors: D, p, obs, missPtr } = donors;
  const hs = (heavyCols.length + 3) & ~3;
  const heavy = new Int32Array(hs).fill(-1);
  for (let t = 0; t < heavyCols.length; t++) heavy[t] = heavyCols[t];
  const HV = new Float64Array(D * hs).fill(NaN);
  for (let d = 0; d < D; d++)
    for (let t = 0; t < heavyCols.length; t++) HV[d * hs + t] = values[d * p + heavy[t]];
  const myd = new Float64Array(D);
  for (let d = 0; d < D; d++) myd[d] = missPtr[d + 1] - missPtr[d];
  const ms = Math.max(4, (m + 3) & ~3);
  const Wp = new Float64Array(ms * p);
  Wp.set(W.subarray(0, m * p));
  const P = new Float64Array(D * ms);
  // Project in chunks to bound the temporary centred copy.
  const CH = 256;
  const Ac = new Float64Array(Math.min(CH, D) * p);
  for (let d0 = 0; d0 < D; d0 += CH) {
    const n = Math.min(CH, D - d0);
    centerRows(values.subarray(d0 * p, (d0 + n) * p), n, p, center, Ac);
    gemmNT(Ac, n, Wp, ms, p, P.subarray(d0 * ms, (d0 + n) * ms));
  }
  const obsPtr = new Int32Array(p + 1);
  for (let d = 0; d < D; d++) for (let j = 0; j < p; j++) obsPtr[j + 1] += obs[d * p + j];
  for (let j = 0; j < p; j++) obsPtr[j + 1] += obsPtr[j];
  const obsIdx = new Int32Array(obsPtr[p]);
  const fillPos = obsPtr.slice(0, p);
  for (let d = 0; d < D; d++) for (let j = 0; j < p; j++) if (obs[d * p + j]) obsIdx[fillPos[j]++] = d;

  // Group donors (deterministic k-means on [mean-filled centred heavy values, projection]) so a query
  // scans the groups nearest to it first: its C-th best score is then tight early and the partial
  // sums reject most later donors after a few coordinates. Scan order never changes the result.
  const w = hs + ms;
  const F = new Float64Array(D * w);
  for (let d = 0; d < D; d++) {
    for (let t = 0; t < hs; t++) {
      const v = HV[d * hs + t];
      F[d * w + t] = v === v ? v - center[heavy[t]] : 0;
    }
    for (let i = 0; i < ms; i++) F[d * w + hs + i] = P[d * ms + i];
  }
  const { G, gPtr, perm, cent } =
    saved && saved.perm.length === D && saved.cent.length === saved.G * w && saved.gPtr[saved.G] === D
      ? saved
      : groupDonors(F, D, w);
  // Re-lay the scanned arrays in scan (group) order.
  const HVs = new Float64Array(D * hs);
  const Ps = new Float64Array(D * ms);
  const myds = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const d = perm[i];
    HVs.set(HV.subarray(d * hs, (d + 1) * hs), i * hs);
    Ps.set(P.subarray(d * ms, (d + 1) * ms), i * ms);
    myds[i] = myd[d];
  }
  // Scan layout: heavy and projected coordinates interleaved in chunks of 4 (heavy 0-3, projected
  // 0-3, heavy 4-7, ...), which measured to reject donors earliest.
  const slotSrc = new Int32Array(w);
  let nS = 0;
  for (let c = 0; c < Math.max(hs, ms); c += 4) {
    if (c < hs) for (let t = 0; t < 4; t++) slotSrc[nS++] = c + t;
    if (c < ms) for (let t = 0; t < 4; t++) slotSrc[nS++] = hs + c + t;
  }
  const V = new Float64Array(D * w);
  for (let i = 0; i < D; i++) {
    for (let t = 0; t < w; t++) {
      const src = slotSrc[t];
      V[i * w + t] = src < hs ? HVs[i * hs + src] : Ps[i * ms + src - hs];
    }
  }
  return {
    C,
    ms,
    center,
    W: Wp,
    P: Ps,
    obsPtr,
    obsIdx,
    hs,
    heavy,
    HV: HVs,
    myd: myds,
    perm,
    gPtr,
    cent,
    G,
    V,
    slotSrc,
    layout24: hs === 16 && ms === 8 && projectionsPresent(V, D, w),
  };
}

/** Whether every donor's projected slots (4-7 and 12-15 of the default layout) hold a number. */
function projectionsPresent(V: Float64Array, D: number, w: number): boolean {
  for (let i = 0; i < D; i++) {
    for (const t of [4, 5, 6, 7, 12, 13, 14, 15]) {
      const v = V[i * w + t];
      if (v !== v) return false;
    }
  }
  return true;
}

const QB = 32;
const TOP = 8;

const kernelCache = new WeakMap<KnnShortlist, KnnKernelData>();
/** The donors and the shortlist's scan-order donors as pairs per group, for the WebAssembly kernel. */
function kernelData(sl: KnnShortlist, donors: KnnDonors): KnnKernelData {
  const hit = kernelCache.get(sl);
  if (hit) return hit;
  const { G, gPtr, V, myd, perm } = sl;
  const w = sl.hs + sl.ms;
  const gpPtr = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) gpPtr[g + 1] = gpPtr[g] + ((gPtr[g + 1] - gPtr[g] + 1) >> 1);
  const nPairs = gpPtr[G];
  const vp = new Float64Array(nPairs * 2 * w);
  const mydP = new Float64Array(nPairs * 2);
  const pairDonor = new Int32Array(nPairs * 2).fill(-1);
  for (let g = 0; g < G; g++) {
    for (let pos = gPtr[g], pr = gpPtr[g]; pos < gPtr[g + 1]; pos++) {
      const lane = (pos - gPtr[g]) & 1;
      for (let t = 0; t < w; t++) vp[pr * 2 * w + 2 * t + lane] = V[pos * w + t];
      mydP[2 * pr + lane] = myd[pos];
      pairDonor[2 * pr + lane] = perm[pos];
      if (lane === 1) pr++;
    }
  }
  // Each group's bound for the scan (knn_scan in kernels.c): the members' mean over the projected
  // slots and the largest member distance from it. A donor's scan score is at least its squared
  // projected distance (heavy terms are >= 0, the weight >= 1), so a group whose projected lower bound
  // exceeds the C-th best score holds no candidate. Not for a group with a missing projection.
  const gProj = new Float64Array(G * w);
  const gRad = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const n = gPtr[g + 1] - gPtr[g];
    let present = n > 0;
    for (let t = 0; t < w; t++) {
      if (sl.slotSrc[t] < sl.hs) continue;
      let sum = 0;
      for (let pos = gPtr[g]; pos < gPtr[g + 1]; pos++) sum += V[pos * w + t];
      if (sum !== sum) present = false;
      gProj[g * w + t] = n > 0 ? sum / n : 0;
    }
    let r = 0;
    for (let pos = gPtr[g]; present && pos < gPtr[g + 1]; pos++) {
      let s2 = 0;
      for (let t = 0; t < w; t++) {
        if (sl.slotSrc[t] < sl.hs) continue;
        const e = V[pos * w + t] - gProj[g * w + t];
        s2 += e * e;
      }
      r = Math.max(r, Math.sqrt(s2));
    }
    gRad[g] = present ? r : Infinity;
  }
  const { p, nDonors, Z, obs, norm2, missPtr, missIdx } = donors;
  const data = {
    gProj,
    gRad,
    p,
    nDonors,
    Z,
    obs,
    norm2,
    missPtr,
    missIdx,
    obsPtr: sl.obsPtr,
    obsIdx: sl.obsIdx,
    w,
    vp,
    mydP,
    pairDonor,
    gpPtr,
    center: sl.center,
    W: sl.W,
    ms: sl.ms,
    heavy: sl.heavy,
    hs: sl.hs,
    cent: sl.cent,
    slotSrc: sl.slotSrc,
  };
  kernelCache.set(sl, data);
  return data;
}

const squaresCache = new WeakMap<KnnDonors, Float64Array>();
/** Column-major (p x nDonors) squares of the zero-filled donor values, cached per donor set. */
function donorSquaresT(donors: KnnDonors): Float64Array {
  const hit = squaresCache.get(donors);
  if (hit) return hit;
  const { nDonors: D, p, Z } = donors;
  const T = new Float64Array(D * p);
  for (let d = 0; d < D; d++) {
    for (let j = 0; j < p; j++) {
      const v = Z[d * p + j];
      T[j * D + d] = v * v;
    }
  }
  squaresCache.set(donors, T);
  return T;
}

/** Fill the missing output cells of job.out. Yields once per block of query rows. */
export function* knnImpute(job: KnnImputeJob): Generator<Progress, void, void> {
  const { donors, k, X, nRows, colSrc, outPos, fallback, out } = job;
  if (job.shortlist && job.shortlist.C < donors.nDonors) {
    yield* knnImputeShortlist(job, job.shortlist);
    return;
  }
  const { nDonors: D, p, Z, obs, norm2, missPtr, missIdx } = donors;

  // Only rows with a missing value in an output column need distances.
  const queries = rowsToImpute(job);
  const nq = queries.length;
  if (nq === 0 || D === 0) {
    // No donors at all: everything falls back to the training mean.
    if (nq > 0) fillFallback(queries, 0, nq);
    return;
  }

  const Q = new Float64Array(QB * p);
  const qobs = new Uint8Array(QB * p);
  const qn2 = new Float64Array(QB);
  const qMiss = new Int32Array(QB * p);
  const qMissN = new Int32Array(QB);
  const G = new Float64Array(QB * D);
  const dist = new Float64Array(D);
  const bs = new Float64Array(D);
  const ZsqT = donorSquaresT(donors);
  const topD = new Float64Array(TOP);
  const topI = new Int32Array(TOP);
  const nbD = new Float64Array(k);
  const nbI = new Int32Array(k);

  function fillFallback(rows: Int32Array, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const r = rows[i];
      for (let j = 0; j < p; j++) {
        const op = outPos[j];
        if (op >= 0 && out[op * nRows + r] !== out[op * nRows + r]) out[op * nRows + r] = fallback[j];
      }
    }
  }

  for (let b0 = 0; b0 < nq; b0 += QB) {
    const bn = Math.min(QB, nq - b0);
    const bn4 = (bn + 3) & ~3;
    Q.fill(0);
    qobs.fill(0);
    for (let j = 0; j < p; j++) {
      const src = colSrc[j] * nRows;
      for (let q = 0; q < bn; q++) {
        const v = X[src + queries[b0 + q]];
        if (v === v) {
          Q[q * p + j] = v;
          qobs[q * p + j] = 1;
        }
      }
    }
    for (let q = 0; q < bn; q++) {
      let s = 0;
      let m = 0;
      const o = q * p;
      for (let j = 0; j < p; j++) {
        if (qobs[o + j]) s += Q[o + j] * Q[o + j];
        else qMiss[o + m++] = j;
      }
      qn2[q] = s;
      qMissN[q] = m;
    }
    dotBlock(Q, bn4, Z, D, p, G);

    for (let q = 0; q < bn; q++) {
      const r = queries[b0 + q];
      const qo = q * p;
      const mx = qMissN[q];
      const go = q * D;
      // bs[d] = |y~|^2 - sum over the query's missing columns of y_j^2, column by column over a
      // column-major copy of the squares: sequential reads instead of mx random reads per donor, and
      // the same subtraction order per donor as before (bit-identical distances).
      bs.set(norm2);
      for (let t = 0; t < mx; t++) {
        const o = qMiss[qo + t] * D;
        for (let d = 0; d < D; d++) bs[d] -= ZsqT[o + d];
      }
      // Weighted squared nan-Euclidean distance to every donor; Infinity marks "undefined".
      let nTop = 0;
      for (let d = 0; d < D; d++) {
        let a = qn2[q];
        let inter = 0;
        const e = missPtr[d + 1];
        for (let t = missPtr[d]; t < e; t++) {
          const j = missIdx[t];
          const xv = Q[qo + j];
          a -= xv * xv;
          if (qobs[qo + j] === 0) inter++;
        }
        const bsum = bs[d];
        const cnt = p - mx - (e - missPtr[d]) + inter;
        let dd: number;
        if (cnt > 0) {
          const d2 = a + bsum - 2 * G[go + d];
          dd = ((d2 > 0 ? d2 : 0) * p) / cnt;
        } else {
          dd = Infinity;
        }
        dist[d] = dd;
        // Keep the TOP nearest (stable: equal distances keep the lower index first).
        if (dd !== Infinity && (nTop < TOP || dd < topD[nTop - 1])) {
          let i = nTop < TOP ? nTop++ : TOP - 1;
          while (i > 0 && topD[i - 1] > dd) {
            topD[i] = topD[i - 1];
            topI[i] = topI[i - 1];
            i--;
          }
          topD[i] = dd;
          topI[i] = d;
        }
      }

      for (let t = 0; t < mx; t++) {
        const j = qMiss[qo + t];
        const op = outPos[j];
        if (op < 0) continue;
        // Fast path: the nearest donors overall usually observe this column.
        let found = 0;
        let sum = 0;
        for (let i = 0; i < nTop && found < k; i++) {
          const d = topI[i];
          if (obs[d * p + j]) {
            sum += Z[d * p + j];
            found++;
          }
        }
        if (found < k && nTop === TOP) {
          // Slow path: full scan restricted to donors observing column j.
          let m = 0;
          for (let d = 0; d < D; d++) {
            const dd = dist[d];
            if (dd === Infinity || !obs[d * p + j]) continue;
            if (m < k || dd < nbD[m - 1]) {
              let i = m < k ? m++ : k - 1;
              while (i > 0 && nbD[i - 1] > dd) {
                nbD[i] = nbD[i - 1];
                nbI[i] = nbI[i - 1];
                i--;
              }
              nbD[i] = dd;
              nbI[i] = d;
            }
          }
          found = m;
          sum = 0;
          for (let i = 0; i < m; i++) sum += Z[nbI[i] * p + j];
        }
        out[op * nRows + r] = found > 0 ? sum / found : fallback[j];
      }
    }
    yield { done: b0 + bn, total: nq, message: `KNN imputation: ${b0 + bn}/${nq} rows with missing values` };
  }
}

/** Rows with a missing value in an output coordinate, ascending. */
function rowsToImpute(job: KnnImputeJob): Int32Array {
  const { nRows, outPos, out, donors, rows, colSrc } = job;
  const needs = new Uint8Array(nRows);
  if (rows && nRows > 0) {
    // out holds the source's values (NaN where missing), so with the rows at hand a row is settled at
    // its first missing output cell: a few dozen reads for sensor rows instead of every column.
    const nIn = rows.length / nRows;
    const cols: number[] = [];
    for (let j = 0; j < donors.p; j++) if (outPos[j] >= 0) cols.push(colSrc[j]);
    const nc = cols.length;
    for (let r = 0; r < nRows; r++) {
      const o = r * nIn;
      for (let c = 0; c < nc; c++) {
        const v = rows[o + cols[c]];
        if (v !== v) {
          needs[r] = 1;
          break;
        }
      }
    }
  } else {
    for (let j = 0; j < donors.p; j++) {
      const op = outPos[j];
      if (op < 0) continue;
      const o = op * nRows;
      for (let r = 0; r < nRows; r++) if (out[o + r] !== out[o + r]) needs[r] = 1;
    }
  }
  let nq = 0;
  for (let r = 0; r < nRows; r++) nq += needs[r];
  const queries = new Int32Array(nq);
  nq = 0;
  for (let r = 0; r < nRows; r++) if (needs[r]) queries[nq++] = r;
  return queries;
}

/**
 * Dots of query row Q[qo..qo+p) with donor rows d0..d3 of Z, each summed sequentially over the
 * coordinates exactly like dotBlock, so a pair's distance is bit-identical to the exact scan's.
 */
function dot4(
  Q: Float64Array,
  qo: number,
  Z: Float64Array,
  p: number,
  d: Int32Array,
  i0: number,
  g: Float64Array,
): void {
  const y0 = d[i0] * p;
  const y1 = d[i0 + 1] * p;
  const y2 = d[i0 + 2] * p;
  const y3 = d[i0 + 3] * p;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let j = 0; j < p; j++) {
    const x = Q[qo + j];
    a0 += x * Z[y0 + j];
    a1 += x * Z[y1 + j];
    a2 += x * Z[y2 + j];
    a3 += x * Z[y3 + j];
  }
  g[i0] = a0;
  g[i0 + 1] = a1;
  g[i0 + 2] = a2;
  g[i0 + 3] = a3;
}

/**
 * Two-stage search: per query, the C donors nearest in the projected space (scan with partial-distance
 * rejection; ties to the lower donor index), exact weighted nan-Euclidean distances for those, and per
 * missing column the k nearest candidates observing it; when fewer than k candidates observe the
 * column, an exact scan over every donor observing it (distances cached per query).
 */
function* knnImputeShortlist(job: KnnImputeJob, sl: KnnShortlist): Generator<Progress, void, void> {
  const { donors, k } = job;
  const { nDonors: D, p } = donors;
  const C = Math.max(1, Math.min(sl.C, D));
  const queries = rowsToImpute(job);
  const nq = queries.length;
  if (nq === 0) return;
  const ms = sl.ms;

  const Q = new Float64Array(QB * p);
  const Qc = new Float64Array(QB * p);
  const qobs = new Uint8Array(QB * p);
  const qn2 = new Float64Array(QB);
  const qMiss = new Int32Array(QB * p);
  const qMissN = new Int32Array(QB);
  const Y = new Float64Array(QB * ms);
  const topD = new Float64Array(C);
  const topI = new Int32Array(C + 3);
  const candI = new Int32Array(C);
  const candD = new Float64Array(C);
  const G = new Float64Array(C + 3);
  const cache = new Float64Array(D);
  const stamp = new Int32Array(D).fill(-1);
  const nbD = new Float64Array(k);
  const nbI = new Int32Array(k);

  const Hq = new Float64Array(QB * sl.hs);
  // At least 24 slots: the unrolled scan reads the first 24 into locals whatever the layout.
  const Vq = new Float64Array(Math.max(24, sl.hs + sl.ms));
  const gD = new Float64Array(sl.G);
  const gI = new Int32Array(sl.G);
  const ws: ShortlistWork = {
    queries,
    Hq,
    Vq,
    gD,
    gI,
    C,
    Q,
    Qc,
    qobs,
    qn2,
    qMiss,
    qMissN,
    Y,
    topD,
    topI,
    candI,
    candD,
    G,
    cache,
    stamp,
    nbD,
    nbI,
  };
  for (let b0 = 0; b0 < nq; b0 += QB) {
    const bn = Math.min(QB, nq - b0);
    shortlistBlock(job, sl, ws, b0, bn);
    yield { done: b0 + bn, total: nq, message: `KNN imputation: ${b0 + bn}/${nq} rows with missing values` };
  }
}

interface ShortlistWork {
  queries: Int32Array;
  Hq: Float64Array;
  Vq: Float64Array;
  gD: Float64Array;
  gI: Int32Array;
  C: number;
  Q: Float64Array;
  Qc: Float64Array;
  qobs: Uint8Array;
  qn2: Float64Array;
  qMiss: Int32Array;
  qMissN: Int32Array;
  Y: Float64Array;
  topD: Float64Array;
  topI: Int32Array;
  candI: Int32Array;
  candD: Float64Array;
  G: Float64Array;
  cache: Float64Array;
  stamp: Int32Array;
  nbD: Float64Array;
  nbI: Int32Array;
}

function shortlistBlock(
  job: KnnImputeJob,
  sl: KnnShortlist,
  ws: ShortlistWork,
  b0: number,
  bn: number,
): void {
  const { k, X, nRows, colSrc, outPos, fallback, out, donors } = job;
  const { p, Z, obs, norm2, missPtr, missIdx } = donors;
  const { ms, center, W, obsPtr, obsIdx, hs, heavy, myd, perm, G: nG, gPtr, cent, V, slotSrc } = sl;
  const { queries, Hq, gD, C, Qc, Y, topD, topI, candI, candD, G, cache, stamp, nbD, nbI } = ws;
  // Each query's preparation and both stages in WebAssembly when available (kernels.c, knn_block): the
  // same imputed values, bit for bit.
  const nIn = X.length / nRows;
  const kernel = wasmKernelsEnabled() ? acquireKnnKernel(kernelData(sl, donors), QB, C, k, nIn) : null;
  if (kernel) {
    if (b0 === 0) kernel.stamp.fill(-1);
    kernel.setJob(outPos, fallback, colSrc, k, C);
    const raw = kernel.raw;
    const rows = job.rows;
    if (rows) {
      for (let q = 0; q < bn; q++) {
        const r = queries[b0 + q];
        raw.set(rows.subarray(r * nIn, (r + 1) * nIn), q * nIn);
      }
    } else {
      for (let f = 0; f < nIn; f++) {
        const src = f * nRows;
        for (let q = 0; q < bn; q++) raw[q * nIn + f] = X[src + queries[b0 + q]];
      }
    }
    kernel.block(b0, bn);
    const { qMiss, qMissN, blockVals } = kernel;
    for (let q = 0; q < bn; q++) {
      const r = queries[b0 + q];
      const qo = q * p;
      for (let t = 0, mx = qMissN[q]; t < mx; t++) {
        const op = outPos[qMiss[qo + t]];
        if (op >= 0) out[op * nRows + r] = blockVals[qo + t];
      }
    }
    return;
  }
  const { Q, qobs, qn2, qMiss, qMissN, gI, Vq } = ws;
  Q.fill(0);
  Qc.fill(0);
  qobs.fill(0);
  for (let j = 0; j < p; j++) {
    const src = colSrc[j] * nRows;
    const cj = center[j];
    for (let q = 0; q < bn; q++) {
      const v = X[src + queries[b0 + q]];
      if (v === v) {
        Q[q * p + j] = v;
        Qc[q * p + j] = v - cj;
        qobs[q * p + j] = 1;
      }
    }
  }
  for (let q = 0; q < bn; q++) {
    let s = 0;
    let m = 0;
    const o = q * p;
    for (let j = 0; j < p; j++) {
      if (qobs[o + j]) s += Q[o + j] * Q[o + j];
      else qMiss[o + m++] = j;
    }
    qn2[q] = s;
    qMissN[q] = m;
  }
  gemmNT(Qc, bn, W, ms, p, Y);

  for (let q = 0; q < bn; q++) {
    const qi = b0 + q;
    const r = queries[qi];
    const qo = q * p;
    const mx = qMissN[q];
    const yo = q * ms;

    // Stage 1: C nearest donors in the projected space.
    // Score: (masked squared differences on the heavy columns + squared projected distance of the
    // light columns) x p / (p - missing in query - missing in donor); partial sums only grow, so a
    // donor is dropped as soon as its partial score reaches the current C-th best.
    let nTop = 0;
    let worst = Infinity;
    const ho = q * hs;
    for (let t = 0; t < hs; t++) {
      const j = heavy[t];
      Hq[ho + t] = j >= 0 && qobs[qo + j] ? Q[qo + j] : NaN;
    }
    // Groups by distance of their centroid to the query (missing heavy values count as the mean).
    const w = hs + ms;
    for (let g = 0; g < nG; g++) {
      let s = 0;
      for (let t = 0; t < hs; t++) {
        const v = Hq[ho + t];
        const e = (v === v ? v - center[heavy[t]] : 0) - cent[g * w + t];
        s += e * e;
      }
      for (let i = 0; i < ms; i++) {
        const e = Y[yo + i] - cent[g * w + hs + i];
        s += e * e;
      }
      let i = g;
      while (i > 0 && gD[i - 1] > s) {
        gD[i] = gD[i - 1];
        gI[i] = gI[i - 1];
        i--;
      }
      gD[i] = s;
      gI[i] = g;
    }
    for (let t = 0; t < w; t++) {
      const src = slotSrc[t];
      Vq[t] = src < hs ? Hq[ho + src] : Y[yo + src - hs];
    }
    const pm = p - mx;
    let worstI = -1;
    const fast =
      sl.layout24 &&
      Vq[4] === Vq[4] &&
      Vq[5] === Vq[5] &&
      Vq[6] === Vq[6] &&
      Vq[7] === Vq[7] &&
      Vq[12] === Vq[12] &&
      Vq[13] === Vq[13] &&
      Vq[14] === Vq[14] &&
      Vq[15] === Vq[15];
    const q0 = Vq[0];
    const q1 = Vq[1];
    const q2 = Vq[2];
    const q3 = Vq[3];
    const q4 = Vq[4];
    const q5 = Vq[5];
    const q6 = Vq[6];
    const q7 = Vq[7];
    const q8 = Vq[8];
    const q9 = Vq[9];
    const q10 = Vq[10];
    const q11 = Vq[11];
    const q12 = Vq[12];
    const q13 = Vq[13];
    const q14 = Vq[14];
    const q15 = Vq[15];
    const q16 = Vq[16];
    const q17 = Vq[17];
    const q18 = Vq[18];
    const q19 = Vq[19];
    const q20 = Vq[20];
    const q21 = Vq[21];
    const q22 = Vq[22];
    const q23 = Vq[23];
    for (let gi = 0; gi < nG; gi++) {
      const g = gI[gi];
      scan: for (let pos = gPtr[g], end = gPtr[g + 1]; pos < end; pos++) {
        const den = pm - myd[pos];
        const f = den > 0 ? p / den : p;
        const vo = pos * w;
        let s = 0;
        if (fast) {
          // The default layout (16 heavy, 8 projected: heavy 0-3, projected 0-3, heavy 4-7,
          // projected 4-7, heavy 8-15) unrolled with the query in locals: the same terms in the same
          // order, NaN checks only where a value can be missing.
          let t: number;
          t = q0 - V[vo + 0];
          if (t === t) s += t * t;
          t = q1 - V[vo + 1];
          if (t === t) s += t * t;
          t = q2 - V[vo + 2];
          if (t === t) s += t * t;
          t = q3 - V[vo + 3];
          if (t === t) s += t * t;
          if (s * f > worst) continue scan;
          t = q4 - V[vo + 4];
          s += t * t;
          t = q5 - V[vo + 5];
          s += t * t;
          t = q6 - V[vo + 6];
          s += t * t;
          t = q7 - V[vo + 7];
          s += t * t;
          if (s * f > worst) continue scan;
          t = q8 - V[vo + 8];
          if (t === t) s += t * t;
          t = q9 - V[vo + 9];
          if (t === t) s += t * t;
          t = q10 - V[vo + 10];
          if (t === t) s += t * t;
          t = q11 - V[vo + 11];
          if (t === t) s += t * t;
          if (s * f > worst) continue scan;
          t = q12 - V[vo + 12];
          s += t * t;
          t = q13 - V[vo + 13];
          s += t * t;
          t = q14 - V[vo + 14];
          s += t * t;
          t = q15 - V[vo + 15];
          s += t * t;
          if (s * f > worst) continue scan;
          t = q16 - V[vo + 16];
          if (t === t) s += t * t;
          t = q17 - V[vo + 17];
          if (t === t) s += t * t;
          t = q18 - V[vo + 18];
          if (t === t) s += t * t;
          t = q19 - V[vo + 19];
          if (t === t) s += t * t;
          if (s * f > worst) continue scan;
          t = q20 - V[vo + 20];
          if (t === t) s += t * t;
          t = q21 - V[vo + 21];
          if (t === t) s += t * t;
          t = q22 - V[vo + 22];
          if (t === t) s += t * t;
          t = q23 - V[vo + 23];
          if (t === t) s += t * t;
        } else {
          // NaN differences (either side missing a heavy value) are skipped; projections are never NaN.
          for (let i = 0; i < w; i += 4) {
            let t = Vq[i] - V[vo + i];
            if (t === t) s += t * t;
            t = Vq[i + 1] - V[vo + i + 1];
            if (t === t) s += t * t;
            t = Vq[i + 2] - V[vo + i + 2];
            if (t === t) s += t * t;
            t = Vq[i + 3] - V[vo + i + 3];
            if (t === t) s += t * t;
            if (s * f > worst) continue scan;
          }
        }
        s *= f;
        const d = perm[pos];
        // Ties on the score go to the lower donor index, whatever the scan order.
        if (nTop === C && (s > worst || (s === worst && d > worstI))) continue;
        let i = nTop < C ? nTop++ : C - 1;
        while (i > 0 && (topD[i - 1] > s || (topD[i - 1] === s && topI[i - 1] > d))) {
          topD[i] = topD[i - 1];
          topI[i] = topI[i - 1];
          i--;
        }
        topD[i] = s;
        topI[i] = d;
        if (nTop === C) {
          worst = topD[C - 1];
          worstI = topI[C - 1];
        }
      }
    }

    // Stage 2: exact distances of the candidates (dots four at a time; pad with the last index).
    for (let i = nTop; i < ((nTop + 3) & ~3); i++) topI[i] = topI[nTop - 1];
    for (let i = 0; i < nTop; i += 4) dot4(Q, qo, Z, p, topI, i, G);
    for (let i = 0; i < nTop; i++) {
      const d = topI[i];
      const dd = pairDist(Q, qo, qobs, qn2[q], qMiss, mx, d, G[i], Z, p, norm2, missPtr, missIdx);
      cache[d] = dd;
      stamp[d] = qi;
      // Insertion by (distance, donor index).
      let t = i;
      while (t > 0 && (candD[t - 1] > dd || (candD[t - 1] === dd && candI[t - 1] > d))) {
        candD[t] = candD[t - 1];
        candI[t] = candI[t - 1];
        t--;
      }
      candD[t] = dd;
      candI[t] = d;
    }

    for (let t = 0; t < mx; t++) {
      const j = qMiss[qo + t];
      const op = outPos[j];
      if (op < 0) continue;
      let found = 0;
      let sum = 0;
      for (let i = 0; i < nTop && found < k; i++) {
        const d = candI[i];
        if (candD[i] !== Infinity && obs[d * p + j]) {
          sum += Z[d * p + j];
          found++;
        }
      }
      if (found < k) {
        // Exact over the donors observing column j.
        let m = 0;
        for (let e = obsPtr[j], end = obsPtr[j + 1]; e < end; e++) {
          const d = obsIdx[e];
          let dd: number;
          if (stamp[d] === qi) dd = cache[d];
          else {
            let g = 0;
            const zo = d * p;
            for (let jj = 0; jj < p; jj++) g += Q[qo + jj] * Z[zo + jj];
            dd = pairDist(Q, qo, qobs, qn2[q], qMiss, mx, d, g, Z, p, norm2, missPtr, missIdx);
            cache[d] = dd;
            stamp[d] = qi;
          }
          if (dd === Infinity) continue;
          if (m < k || dd < nbD[m - 1]) {
            let i = m < k ? m++ : k - 1;
            while (i > 0 && nbD[i - 1] > dd) {
              nbD[i] = nbD[i - 1];
              nbI[i] = nbI[i - 1];
              i--;
            }
            nbD[i] = dd;
            nbI[i] = d;
          }
        }
        found = m;
        sum = 0;
        for (let i = 0; i < m; i++) sum += Z[nbI[i] * p + j];
      }
      out[op * nRows + r] = found > 0 ? sum / found : fallback[j];
    }
  }
}

/** Weighted squared nan-Euclidean distance from the exact scan's formula; Infinity when undefined. */
function pairDist(
  Q: Float64Array,
  qo: number,
  qobs: Uint8Array,
  qn2: number,
  qMiss: Int32Array,
  mx: number,
  d: number,
  dot: number,
  Z: Float64Array,
  p: number,
  norm2: Float64Array,
  missPtr: Int32Array,
  missIdx: Int32Array,
): number {
  const zo = d * p;
  let a = qn2;
  let inter = 0;
  const e = missPtr[d + 1];
  for (let t = missPtr[d]; t < e; t++) {
    const j = missIdx[t];
    const xv = Q[qo + j];
    a -= xv * xv;
    if (qobs[qo + j] === 0) inter++;
  }
  let bsum = norm2[d];
  for (let t = 0; t < mx; t++) {
    const yv = Z[zo + qMiss[qo + t]];
    bsum -= yv * yv;
  }
  const cnt = p - mx - (e - missPtr[d]) + inter;
  if (cnt <= 0) return Infinity;
  const d2 = a + bsum - 2 * dot;
  return ((d2 > 0 ? d2 : 0) * p) / cnt;
}
