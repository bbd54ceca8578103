// Low-dimensional projection for the KNN candidate shortlist (see knn.ts and the index.ts header).
// Fitted once on the donor matrix: the column means of the donors' observed values (the "center") and
// the top-m principal directions of the mean-filled, centred donor matrix in RAW units (not
// standardised: the nan-Euclidean distance the shortlist approximates is in raw units, so the large
// sensors dominate it and must dominate the projection too; measured recall was much lower with
// standardised columns and with random projections). Directions come from seeded subspace (block
// power) iteration with a few extra vectors, then a Rayleigh-Ritz step so the m kept directions are
// ordered by decreasing variance, which lets the projected-space scan reject most donors after its
// first few coordinates. A row's projection is sum over its OBSERVED columns of (x_j - center_j) W_j,
// i.e. missing cells are filled with the donor column mean before projecting.

import { createRng } from '../rng';

/** out[r * m + i] = sum_j A[r * p + j] * W[i * p + j] for n row-major rows of A and m rows of W. */
export function gemmNT(
  A: Float64Array,
  n: number,
  W: Float64Array,
  m: number,
  p: number,
  out: Float64Array,
): void {
  const n4 = n - (n % 4);
  const m2 = m - (m % 2);
  for (let r = 0; r < n4; r += 4) {
    const a0 = r * p;
    const a1 = a0 + p;
    const a2 = a1 + p;
    const a3 = a2 + p;
    for (let i = 0; i < m2; i += 2) {
      const w0 = i * p;
      const w1 = w0 + p;
      let s00 = 0;
      let s10 = 0;
      let s20 = 0;
      let s30 = 0;
      let s01 = 0;
      let s11 = 0;
      let s21 = 0;
      let s31 = 0;
      for (let j = 0; j < p; j++) {
        const u = W[w0 + j];
        const v = W[w1 + j];
        const x0 = A[a0 + j];
        const x1 = A[a1 + j];
        const x2 = A[a2 + j];
        const x3 = A[a3 + j];
        s00 += x0 * u;
        s10 += x1 * u;
        s20 += x2 * u;
        s30 += x3 * u;
        s01 += x0 * v;
        s11 += x1 * v;
        s21 += x2 * v;
        s31 += x3 * v;
      }
      out[r * m + i] = s00;
      out[(r + 1) * m + i] = s10;
      out[(r + 2) * m + i] = s20;
      out[(r + 3) * m + i] = s30;
      out[r * m + i + 1] = s01;
      out[(r + 1) * m + i + 1] = s11;
      out[(r + 2) * m + i + 1] = s21;
      out[(r + 3) * m + i + 1] = s31;
    }
    for (let i = m2; i < m; i++) {
      for (let q = 0; q < 4; q++) {
        let s = 0;
        const ao = (r + q) * p;
        const wo = i * p;
        for (let j = 0; j < p; j++) s += A[ao + j] * W[wo + j];
        out[(r + q) * m + i] = s;
      }
    }
  }
  // Tail rows: same per-pair summation order (sequential over j), so a row's result never depends on
  // its position in the batch.
  for (let r = n4; r < n; r++) {
    const ao = r * p;
    for (let i = 0; i < m; i++) {
      const wo = i * p;
      let s = 0;
      for (let j = 0; j < p; j++) s += A[ao + j] * W[wo + j];
      out[r * m + i] = s;
    }
  }
}

/** Centre (observed - center) and zero-fill n row-major raw rows (NaN = missing) in place into Ac. */
export function centerRows(
  values: Float64Array,
  n: number,
  p: number,
  center: Float64Array,
  Ac: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * p;
    for (let j = 0; j < p; j++) {
      const v = values[o + j];
      Ac[o + j] = v === v ? v - center[j] : 0;
    }
  }
}

function orthonormalizeRows(V: Float64Array, b: number, p: number): void {
  // Modified Gram-Schmidt, two passes for stability.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < b; i++) {
      const oi = i * p;
      for (let t = 0; t < i; t++) {
        const ot = t * p;
        let s = 0;
        for (let j = 0; j < p; j++) s += V[oi + j] * V[ot + j];
        for (let j = 0; j < p; j++) V[oi + j] -= s * V[ot + j];
      }
      let nn = 0;
      for (let j = 0; j < p; j++) nn += V[oi + j] * V[oi + j];
      const inv = nn > 1e-300 ? 1 / Math.sqrt(nn) : 0;
      for (let j = 0; j < p; j++) V[oi + j] *= inv;
    }
  }
}

/** Eigen-decomposition of a symmetric b x b matrix by cyclic Jacobi. Returns [values, vectors (columns)]. */
function jacobiEigen(S: Float64Array, b: number): [Float64Array, Float64Array] {
  const A = Float64Array.from(S);
  const U = new Float64Array(b * b);
  for (let i = 0; i < b; i++) U[i * b + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < b; i++) {
      diag += A[i * b + i] * A[i * b + i];
      for (let j = i + 1; j < b; j++) off += A[i * b + j] * A[i * b + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let pp = 0; pp < b; pp++) {
      for (let q = pp + 1; q < b; q++) {
        const apq = A[pp * b + q];
        if (apq === 0) continue;
        const app = A[pp * b + pp];
        const aqq = A[q * b + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < b; k++) {
          const akp = A[k * b + pp];
          const akq = A[k * b + q];
          A[k * b + pp] = c * akp - s * akq;
          A[k * b + q] = s * akp + c * akq;
        }
        for (let k = 0; k < b; k++) {
          const apk = A[pp * b + k];
          const aqk = A[q * b + k];
          A[pp * b + k] = c * apk - s * aqk;
          A[q * b + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < b; k++) {
          const ukp = U[k * b + pp];
          const ukq = U[k * b + q];
          U[k * b + pp] = c * ukp - s * ukq;
          U[k * b + q] = s * ukp + c * ukq;
        }
      }
    }
  }
  const vals = new Float64Array(b);
  for (let i = 0; i < b; i++) vals[i] = A[i * b + i];
  return [vals, U];
}

export interface Projection {
  /** Per distance coordinate: donor mean of the observed values (0 when no donor observes it). */
  center: Float64Array;
  /** m x p, row i = i-th direction, by decreasing variance of the donors' projections. */
  W: Float64Array;
  m: number;
}

/**
 * Top-m principal directions of the centred, mean-filled donor matrix (row-major nDonors x p raw
 * values, NaN = missing), by seeded subspace iteration. Deterministic for a given input and seed.
 */
export function fitProjection(
  values: Float64Array,
  nDonors: number,
  p: number,
  m: number,
  seed: number,
  exclude: ArrayLike<number> = [],
): Projection {
  const D = nDonors;
  const center = new Float64Array(p);
  const cnt = new Float64Array(p);
  for (let d = 0; d < D; d++) {
    const o = d * p;
    for (let j = 0; j < p; j++) {
      const v = values[o + j];
      if (v === v) {
        center[j] += v;
        cnt[j]++;
      }
    }
  }
  for (let j = 0; j < p; j++) center[j] = cnt[j] > 0 ? center[j] / cnt[j] : 0;
  const mm = Math.max(0, Math.min(m, p, D));
  if (mm === 0) return { center, W: new Float64Array(0), m: 0 };
  const b = Math.min(p, mm + 8);
  const A = new Float64Array(D * p);
  centerRows(values, D, p, center, A);
  // Excluded coordinates get exactly zero weight (compared exactly elsewhere).
  for (let t = 0; t < exclude.length; t++) for (let d = 0; d < D; d++) A[d * p + exclude[t]] = 0;
  const rng = createRng(seed ^ 0x5eed);
  const V = new Float64Array(b * p);
  for (let i = 0; i < V.length; i++) {
    const u = 1 - rng.next();
    const v = rng.next();
    V[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  orthonormalizeRows(V, b, p);
  const B = new Float64Array(D * b);
  const iterations = 4;
  for (let it = 0; it < iterations; it++) {
    gemmNT(A, D, V, b, p, B); // B = A V^T
    V.fill(0); // V = B^T A, four rows of A per pass over V (a quarter of V's loads and stores)
    const D4 = D - (D % 4);
    for (let d = 0; d < D4; d += 4) {
      const a0 = d * p;
      const a1 = a0 + p;
      const a2 = a1 + p;
      const a3 = a2 + p;
      for (let i = 0; i < b; i++) {
        const c0 = B[d * b + i];
        const c1 = B[(d + 1) * b + i];
        const c2 = B[(d + 2) * b + i];
        const c3 = B[(d + 3) * b + i];
        const vo = i * p;
        for (let j = 0; j < p; j++)
          V[vo + j] += c0 * A[a0 + j] + c1 * A[a1 + j] + c2 * A[a2 + j] + c3 * A[a3 + j];
      }
    }
    for (let d = D4; d < D; d++) {
      const ao = d * p;
      for (let i = 0; i < b; i++) {
        const c = B[d * b + i];
        if (c === 0) continue;
        const vo = i * p;
        for (let j = 0; j < p; j++) V[vo + j] += c * A[ao + j];
      }
    }
    orthonormalizeRows(V, b, p);
  }
  // Rayleigh-Ritz: eigenvectors of (A V^T)^T (A V^T) order the directions by variance.
  gemmNT(A, D, V, b, p, B);
  const S = new Float64Array(b * b);
  for (let d = 0; d < D; d++) {
    const o = d * b;
    for (let i = 0; i < b; i++) {
      const bi = B[o + i];
      for (let k = i; k < b; k++) S[i * b + k] += bi * B[o + k];
    }
  }
  for (let i = 0; i < b; i++) for (let k = 0; k < i; k++) S[i * b + k] = S[k * b + i];
  const [vals, U] = jacobiEigen(S, b);
  const order = Array.from({ length: b }, (_, i) => i).sort((x, y) => vals[y] - vals[x] || x - y);
  const W = new Float64Array(mm * p);
  for (let t = 0; t < mm; t++) {
    const col = order[t];
    const wo = t * p;
    for (let i = 0; i < b; i++) {
      const u = U[i * b + col];
      if (u === 0) continue;
      const vo = i * p;
      for (let j = 0; j < p; j++) W[wo + j] += u * V[vo + j];
    }
  }
  return { center, W, m: mm };
}

/** The h coordinates with the largest donor variance of observed values (ties: lower index), by variance. */
export function heavyColumns(values: Float64Array, nDonors: number, p: number, h: number): number[] {
  const sum = new Float64Array(p);
  const sq = new Float64Array(p);
  const cnt = new Float64Array(p);
  for (let d = 0; d < nDonors; d++) {
    const o = d * p;
    for (let j = 0; j < p; j++) {
      const v = values[o + j];
      if (v === v) {
        sum[j] += v;
        cnt[j]++;
      }
    }
  }
  for (let d = 0; d < nDonors; d++) {
    const o = d * p;
    for (let j = 0; j < p; j++) {
      const v = values[o + j];
      if (v === v) {
        const e = v - sum[j] / cnt[j];
        sq[j] += e * e;
      }
    }
  }
  const varj = Array.from({ length: p }, (_, j) => (cnt[j] > 0 ? sq[j] / cnt[j] : 0));
  return Array.from({ length: p }, (_, j) => j)
    .sort((a, b) => varj[b] - varj[a] || a - b)
    .slice(0, Math.max(0, Math.min(h, p)))
    .filter((j) => varj[j] > 0);
}
