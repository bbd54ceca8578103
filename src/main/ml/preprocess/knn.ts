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

import type { Progress } from '../matrix';

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
  /** Source column of each distance coordinate (length p). */
  colSrc: ArrayLike<number>;
  /** Output position of each distance coordinate, -1 when the coordinate is not needed in the output. */
  outPos: Int32Array;
  /** Fallback value per coordinate (training column mean). */
  fallback: Float64Array;
  /** Column-major output nRows x nOut, already holding the observed values; NaNs get filled. */
  out: Float64Array;
}

const QB = 32;
const TOP = 8;

/** Fill the missing output cells of job.out. Yields once per block of query rows. */
export function* knnImpute(job: KnnImputeJob): Generator<Progress, void, void> {
  const { donors, k, X, nRows, colSrc, outPos, fallback, out } = job;
  const { nDonors: D, p, Z, obs, norm2, missPtr, missIdx } = donors;

  // Only rows with a missing value in an output column need distances.
  const needs = new Uint8Array(nRows);
  for (let j = 0; j < p; j++) {
    const op = outPos[j];
    if (op < 0) continue;
    const o = op * nRows;
    for (let r = 0; r < nRows; r++) if (out[o + r] !== out[o + r]) needs[r] = 1;
  }
  let nq = 0;
  for (let r = 0; r < nRows; r++) nq += needs[r];
  const queries = new Int32Array(nq);
  nq = 0;
  for (let r = 0; r < nRows; r++) if (needs[r]) queries[nq++] = r;
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
      // Weighted squared nan-Euclidean distance to every donor; Infinity marks "undefined".
      let nTop = 0;
      for (let d = 0; d < D; d++) {
        const zo = d * p;
        let a = qn2[q];
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
