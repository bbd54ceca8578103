// k-means for splitting wafers into operating regimes (the reference's KMeans + elbow step).
// Hand-written instead of using ml-kmeans: ml-kmeans takes data as number[][] (one JS array per row)
// and returns centroids the same way, so our column-major Float64Array (~156,700 x 450 at 100x scale)
// would need a boxed 450-wide row copy per point and its inner loops run over generic arrays; it also
// does plain Lloyd, recomputing all n x k distances every iteration. This version:
//  - converts once to a row-major Float64Array (n x p doubles; shared across k in `elbow`);
//  - seeds with greedy k-means++ as scikit-learn does (2 + floor(ln k) candidate centres per step,
//    keep the one that lowers the potential most), tracking nearest/second-nearest centre while seeding
//    so the first assignment pass is free;
//  - runs Lloyd iterations with Elkan's triangle-inequality bounds (upper bound to own centre, one lower
//    bound per centre, half centre-centre distances) so most distance computations are skipped once
//    centres settle, and updates cluster sums incrementally from reassigned points only;
//  - stops like scikit-learn: labels unchanged, or total squared centre shift <= tol * mean feature
//    variance; labels always correspond to the returned centres; empty clusters are re-seeded at the
//    point farthest from its centre.
// Above `maxRows` rows (default 30,000) centroids are fitted on a seeded uniform sample and then every
// row is assigned to its nearest centroid, WCSS summed over all rows: 30,000 rows already pin down <= 10
// centroids in a few hundred dimensions, and Lloyd on 156,700 rows would take minutes in one core.
// `elbow` reuses one k-means++ sequence for all k (the first k centres of a kMax sequence are exactly
// what a k-centre run draws from the same seed when both use the same number of local trials), so its
// k-th model equals kmeans(..., k, { seed, localTrials: 2 + floor(ln kMax) }).

import { createRng, deriveSeed, sampleIndices } from './rng';
import type { Rng } from './rng';
import { selectRows, toRowMajor } from './matrix';
import type { Progress } from './matrix';

export interface KMeansOptions {
  seed?: number;
  /** Max Lloyd iterations per run, default 300 (scikit-learn). */
  maxIter?: number;
  /** Relative tolerance on centre shift, default 1e-4 (scikit-learn). */
  tol?: number;
  /** Independent restarts (best WCSS kept), default 1 (scikit-learn 'auto' with k-means++). */
  nInit?: number;
  /** Greedy k-means++ candidates per step, default 2 + floor(ln k). */
  localTrials?: number;
  /**
   * Fit centroids on a seeded uniform sample of at most this many rows (default 30,000), then assign
   * every row to its nearest centroid and report WCSS over all rows. Bounds time and memory at 100x.
   */
  maxRows?: number;
}

export interface KMeansResult {
  k: number;
  nFeatures: number;
  /** Row-major k x nFeatures. */
  centroids: Float64Array;
  assignments: Int32Array;
  /** Within-cluster sum of squared distances (scikit-learn's inertia_). */
  wcss: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
  converged: boolean;
  clusterSizes: Int32Array;
  /** Rows the centroids were fitted on (< nRows when sampled; see KMeansOptions.maxRows). */
  fitRows: number;
}

interface Seeding {
  centers: Float64Array;
  /** Snapshot after each prefix length m = 1..kMax: nearest index, squared nearest and second-nearest. */
  label: Int32Array[];
  best: Float64Array[];
  second: Float64Array[];
}

function sqDist(R: Float64Array, ro: number, C: Float64Array, co: number, p: number): number {
  let s = 0;
  for (let j = 0; j < p; j++) {
    const d = R[ro + j] - C[co + j];
    s += d * d;
  }
  return s;
}

/** Greedy k-means++ (scikit-learn's _kmeans_plusplus), keeping per-prefix nearest-centre snapshots. */
function* seedPlusPlus(
  R: Float64Array,
  n: number,
  p: number,
  kMax: number,
  trials: number,
  rng: Rng,
  keepSnapshots: (m: number) => boolean,
): Generator<Progress, Seeding, void> {
  const centers = new Float64Array(kMax * p);
  const label = new Int32Array(n);
  const best = new Float64Array(n);
  const second = new Float64Array(n).fill(Infinity);
  const snaps: Seeding = { centers, label: [], best: [], second: [] };
  const snap = (m: number): void => {
    if (!keepSnapshots(m)) return;
    snaps.label[m] = label.slice();
    snaps.best[m] = best.slice();
    snaps.second[m] = second.slice();
  };

  const first = rng.nextInt(n);
  centers.set(R.subarray(first * p, first * p + p), 0);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    best[i] = sqDist(R, i * p, centers, 0, p);
    pot += best[i];
  }
  snap(1);
  const cum = new Float64Array(n);
  const cand = new Float64Array(trials * n);
  for (let c = 1; c < kMax; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += best[i];
      cum[i] = acc;
    }
    let bestT = -1;
    let bestPot = Infinity;
    const ids = new Int32Array(trials);
    for (let t = 0; t < trials; t++) {
      const target = rng.next() * pot;
      // searchsorted(side='left'): first i with cum[i] >= target.
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid] >= target) hi = mid;
        else lo = mid + 1;
      }
      ids[t] = lo;
    }
    for (let t = 0; t < trials; t++) {
      const co = ids[t] * p;
      const o = t * n;
      let tp = 0;
      for (let i = 0; i < n; i++) {
        const d = sqDist(R, i * p, R, co, p);
        cand[o + i] = d;
        tp += d < best[i] ? d : best[i];
      }
      if (tp < bestPot) {
        bestPot = tp;
        bestT = t;
      }
    }
    centers.set(R.subarray(ids[bestT] * p, ids[bestT] * p + p), c * p);
    const o = bestT * n;
    for (let i = 0; i < n; i++) {
      const d = cand[o + i];
      if (d < best[i]) {
        second[i] = best[i];
        best[i] = d;
        label[i] = c;
      } else if (d < second[i]) {
        second[i] = d;
      }
    }
    pot = bestPot;
    snap(c + 1);
    yield { done: c + 1, total: kMax, message: `k-means++ seeding: ${c + 1}/${kMax} centres` };
  }
  return snaps;
}

interface LloydOut {
  centroids: Float64Array;
  assign: Int32Array;
  iterations: number;
  converged: boolean;
}

function* lloyd(
  R: Float64Array,
  n: number,
  p: number,
  k: number,
  init: Float64Array,
  label0: Int32Array,
  best0: Float64Array,
  second0: Float64Array,
  maxIter: number,
  tolScaled: number,
  tag: string,
): Generator<Progress, LloydOut, void> {
  const C = init.slice(0, k * p);
  const assign = label0.slice();
  const u = new Float64Array(n);
  // Elkan's per-centre lower bounds: in hundreds of dimensions one shared lower bound (Hamerly) is
  // too loose once k > true regimes and boundary points dominate.
  const lb = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    u[i] = Math.sqrt(best0[i]);
    // The second-nearest seeding distance bounds every other centre from below.
    const l2 = k > 1 ? Math.sqrt(second0[i]) : Infinity;
    const o = i * k;
    for (let c = 0; c < k; c++) lb[o + c] = c === assign[i] ? u[i] : l2;
  }
  const sums = new Float64Array(k * p);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const a = assign[i];
    counts[a]++;
    const so = a * p;
    const ro = i * p;
    for (let j = 0; j < p; j++) sums[so + j] += R[ro + j];
  }
  const shift = new Float64Array(k);
  const s = new Float64Array(k);
  const cc = new Float64Array(k * k);
  const newC = new Float64Array(k * p);
  let iterations = 0;
  let converged = false;

  for (let it = 0; it < maxIter; it++) {
    // M-step from the incrementally maintained sums.
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) {
        const inv = 1 / counts[c];
        for (let j = 0; j < p; j++) newC[c * p + j] = sums[c * p + j] * inv;
      }
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      // Empty cluster: move it to the point currently farthest from its own centre (scikit-learn).
      let far = -1;
      let farD = -1;
      for (let i = 0; i < n; i++) {
        if (counts[assign[i]] <= 1) continue;
        const d = sqDist(R, i * p, newC, assign[i] * p, p);
        if (d > farD) {
          farD = d;
          far = i;
        }
      }
      if (far < 0) {
        newC.set(C.subarray(c * p, c * p + p), c * p);
        continue;
      }
      const old = assign[far];
      for (let j = 0; j < p; j++) {
        const v = R[far * p + j];
        sums[old * p + j] -= v;
        sums[c * p + j] += v;
        newC[c * p + j] = v;
      }
      counts[old]--;
      counts[c]++;
      assign[far] = c;
      // Bounds are relative to the pre-move centres; shifts below keep them valid, except that this
      // row is now exactly at centre c.
      u[far] = sqDist(R, far * p, C, c * p, p) ** 0.5;
      for (let c2 = 0; c2 < k; c2++) lb[far * k + c2] = 0;
      const inv = 1 / counts[old];
      for (let j = 0; j < p; j++) newC[old * p + j] = sums[old * p + j] * inv;
    }
    let shiftTot = 0;
    for (let c = 0; c < k; c++) {
      const d2 = sqDist(newC, c * p, C, c * p, p);
      shiftTot += d2;
      shift[c] = Math.sqrt(d2);
    }
    C.set(newC);
    iterations++;
    for (let i = 0; i < n; i++) {
      u[i] += shift[assign[i]];
      const o = i * k;
      for (let c = 0; c < k; c++) {
        const v = lb[o + c] - shift[c];
        lb[o + c] = v > 0 ? v : 0;
      }
    }

    // E-step with Elkan's bounds.
    for (let c = 0; c < k; c++) {
      let m = Infinity;
      for (let c2 = 0; c2 < k; c2++) {
        if (c2 === c) continue;
        const d = Math.sqrt(sqDist(C, c * p, C, c2 * p, p));
        cc[c * k + c2] = 0.5 * d;
        if (d < m) m = d;
      }
      s[c] = 0.5 * m;
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a0 = assign[i];
      if (u[i] <= s[a0]) continue;
      const ro = i * p;
      const o = i * k;
      let a = a0;
      let ui = u[i];
      let tight = false;
      for (let c = 0; c < k; c++) {
        if (c === a || ui <= lb[o + c] || ui <= cc[a * k + c]) continue;
        if (!tight) {
          ui = Math.sqrt(sqDist(R, ro, C, a * p, p));
          lb[o + a] = ui;
          tight = true;
          if (ui <= lb[o + c] || ui <= cc[a * k + c]) continue;
        }
        const d = Math.sqrt(sqDist(R, ro, C, c * p, p));
        lb[o + c] = d;
        // Ties keep the lower centre index, matching an argmin scan.
        if (d < ui || (d === ui && c < a)) {
          a = c;
          ui = d;
        }
      }
      u[i] = ui;
      if (a !== a0) {
        changed++;
        assign[i] = a;
        counts[a0]--;
        counts[a]++;
        const ao = a0 * p;
        const bo = a * p;
        for (let j = 0; j < p; j++) {
          const v = R[ro + j];
          sums[ao + j] -= v;
          sums[bo + j] += v;
        }
      }
    }
    yield { done: it + 1, total: maxIter, message: `${tag}: iteration ${it + 1}, ${changed} reassigned` };
    if (changed === 0 || shiftTot <= tolScaled) {
      converged = true;
      break;
    }
  }
  return { centroids: C, assign, iterations, converged };
}

function finish(R: Float64Array, n: number, p: number, k: number, out: LloydOut): KMeansResult {
  let wcss = 0;
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    wcss += sqDist(R, i * p, out.centroids, out.assign[i] * p, p);
    sizes[out.assign[i]]++;
  }
  return {
    k,
    nFeatures: p,
    centroids: out.centroids,
    assignments: out.assign,
    wcss,
    iterations: out.iterations,
    converged: out.converged,
    clusterSizes: sizes,
    fitRows: n,
  };
}

/** Nearest-centroid assignment of every row of column-major X, blocked over rows; returns WCSS. */
function assignAll(
  X: Float64Array,
  n: number,
  p: number,
  k: number,
  C: Float64Array,
  assign: Int32Array,
  sizes: Int32Array,
): number {
  const B = 256;
  const acc = new Float64Array(B * k);
  let wcss = 0;
  for (let r0 = 0; r0 < n; r0 += B) {
    const m = Math.min(B, n - r0);
    acc.fill(0);
    for (let f = 0; f < p; f++) {
      const o = f * n + r0;
      for (let c = 0; c < k; c++) {
        const cv = C[c * p + f];
        for (let i = 0; i < m; i++) {
          const d = X[o + i] - cv;
          acc[c * B + i] += d * d;
        }
      }
    }
    for (let i = 0; i < m; i++) {
      let best = Infinity;
      let bc = 0;
      for (let c = 0; c < k; c++) {
        if (acc[c * B + i] < best) {
          best = acc[c * B + i];
          bc = c;
        }
      }
      assign[r0 + i] = bc;
      sizes[bc]++;
      wcss += best;
    }
  }
  return wcss;
}

/** tol scaled as scikit-learn's _tolerance: tol * mean per-feature variance. */
function scaledTol(R: Float64Array, n: number, p: number, tol: number): number {
  if (tol === 0) return 0;
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += R[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const d = R[i * p + j] - mean[j];
      v += d * d;
    }
  }
  return (tol * v) / n / p;
}

function validate(X: Float64Array, nRows: number, nFeatures: number, k: number): void {
  if (X.length !== nRows * nFeatures) throw new Error(`kmeans: expected ${nRows * nFeatures} values`);
  if (!(k >= 1) || Math.floor(k) !== k) throw new Error(`kmeans: k must be a positive integer, got ${k}`);
  if (k > nRows) throw new Error(`kmeans: k = ${k} exceeds the ${nRows} rows`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i]))
      throw new Error('kmeans: input has missing or non-finite values; impute first');
  }
}

export interface ElbowOptions extends KMeansOptions {
  kMin?: number;
  kMax?: number;
}

export interface ElbowResult {
  ks: number[];
  wcss: number[];
  models: KMeansResult[];
}

/** Runs k-means for k = kMin..kMax (default 1..10) on column-major X; yields progress per iteration. */
export function* elbow(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  options: ElbowOptions = {},
): Generator<Progress, ElbowResult, void> {
  const kMin = options.kMin ?? 1;
  const kMax = Math.min(options.kMax ?? 10, nRows);
  if (kMin > kMax) throw new Error(`elbow: kMin ${kMin} > kMax ${kMax}`);
  validate(X, nRows, nFeatures, kMax);
  const p = nFeatures;
  const seed = options.seed ?? 0;
  const maxRows = Math.max(kMax, options.maxRows ?? 30_000);
  // Large inputs: fit on a seeded sample, gathered straight into row-major (no full row-major copy).
  const sample = nRows > maxRows ? sampleIndices(nRows, maxRows, createRng(deriveSeed(seed, 0x5a4e))) : null;
  const n = sample ? sample.length : nRows;
  const R = sample ? toRowMajor(selectRows(X, nRows, p, sample), n, p) : toRowMajor(X, n, p);
  const maxIter = options.maxIter ?? 300;
  const tolScaled = scaledTol(R, n, p, options.tol ?? 1e-4);
  const trials = options.localTrials ?? 2 + Math.floor(Math.log(kMax));
  const nInit = Math.max(1, options.nInit ?? 1);
  const bestByK: (KMeansResult | undefined)[] = [];
  for (let r = 0; r < nInit; r++) {
    const rng = createRng(nInit === 1 ? seed : deriveSeed(seed, r));
    const sd = yield* seedPlusPlus(R, n, p, kMax, trials, rng, (m) => m >= kMin);
    for (let k = kMin; k <= kMax; k++) {
      const out = yield* lloyd(
        R,
        n,
        p,
        k,
        sd.centers,
        sd.label[k],
        sd.best[k],
        sd.second[k],
        maxIter,
        tolScaled,
        `k-means k=${k}`,
      );
      const res = finish(R, n, p, k, out);
      if (sample) {
        res.assignments = new Int32Array(nRows);
        res.clusterSizes = new Int32Array(k);
        res.wcss = assignAll(X, nRows, p, k, res.centroids, res.assignments, res.clusterSizes);
      }
      // Free the snapshot as soon as it is used: they are n-sized each.
      sd.label[k] = sd.best[k] = sd.second[k] = undefined as never;
      const prev = bestByK[k];
      if (!prev || res.wcss < prev.wcss) bestByK[k] = res;
      yield {
        done: r * (kMax - kMin + 1) + (k - kMin + 1),
        total: nInit * (kMax - kMin + 1),
        message: `elbow: k=${k} done`,
      };
    }
  }
  const ks: number[] = [];
  const wcss: number[] = [];
  const models: KMeansResult[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const m = bestByK[k] as KMeansResult;
    ks.push(k);
    wcss.push(m.wcss);
    models.push(m);
  }
  return { ks, wcss, models };
}

export function* kmeansGen(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  k: number,
  options: KMeansOptions = {},
): Generator<Progress, KMeansResult, void> {
  const res = yield* elbow(X, nRows, nFeatures, {
    ...options,
    kMin: k,
    kMax: k,
    localTrials: options.localTrials ?? 2 + Math.floor(Math.log(k)),
  });
  return res.models[0];
}

/** Synchronous k-means on column-major X (see kmeansGen for the cancellable form). */
export function kmeans(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  const g = kmeansGen(X, nRows, nFeatures, k, options);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Index of the nearest centroid (row-major k x p) to a dense vector, and the squared distance. */
export function nearestCentroid(
  centroids: Float64Array,
  k: number,
  p: number,
  v: ArrayLike<number>,
): { cluster: number; sqDistance: number } {
  let best = Infinity;
  let bc = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const o = c * p;
    for (let j = 0; j < p; j++) {
      const d = v[j] - centroids[o + j];
      s += d * d;
    }
    if (s < best) {
      best = s;
      bc = c;
    }
  }
  return { cluster: bc, sqDistance: best };
}
