import { describe, expect, it } from 'vitest';
import { elbow, kmeans } from '../../../../src/main/ml/kmeans';
import { run, toColumnMajor } from '../../../../src/main/ml/matrix';
import { createRng } from '../../../../src/main/ml/rng';

/** Three tight blobs in 4-D, column-major. */
function blobs(nPer: number, seed: number): { X: Float64Array; n: number; p: number; truth: number[] } {
  const rng = createRng(seed);
  const centers = [
    [0, 0, 0, 0],
    [10, 10, 0, 0],
    [0, 10, 10, 5],
  ];
  const rows: number[] = [];
  const truth: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < nPer; i++) {
      for (const v of centers[c]) rows.push(v + rng.next() - 0.5);
      truth.push(c);
    }
  }
  const n = 3 * nPer;
  return { X: toColumnMajor(Float64Array.from(rows), n, 4), n, p: 4, truth };
}

function bruteCheck(
  X: Float64Array,
  n: number,
  p: number,
  k: number,
  C: Float64Array,
  a: Int32Array,
): number {
  let wcss = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let d2own = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += (X[j * n + i] - C[c * p + j]) ** 2;
      if (s < best) best = s;
      if (c === a[i]) d2own = s;
    }
    // Every row sits at its nearest centre.
    expect(d2own).toBeLessThanOrEqual(best + 1e-9);
    wcss += d2own;
  }
  return wcss;
}

describe('kmeans', () => {
  it('recovers well-separated blobs and reports consistent WCSS', () => {
    const { X, n, p, truth } = blobs(50, 1);
    const r = kmeans(X, n, p, 3, { seed: 7 });
    // Same partition as the truth up to label permutation.
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (!map.has(truth[i])) map.set(truth[i], r.assignments[i]);
      expect(r.assignments[i]).toBe(map.get(truth[i]));
    }
    expect(new Set(map.values()).size).toBe(3);
    expect(r.converged).toBe(true);
    expect(r.wcss).toBeCloseTo(bruteCheck(X, n, p, 3, r.centroids, r.assignments), 9);
    // Centroids are the cluster means.
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        let m = 0;
        for (let i = 0; i < n; i++) {
          if (r.assignments[i] !== c) continue;
          s += X[j * n + i];
          m++;
        }
        expect(r.centroids[c * p + j]).toBeCloseTo(s / m, 9);
      }
    }
    expect(Array.from(r.clusterSizes)).toEqual([50, 50, 50]);
  });

  it('k=1 gives the mean and the total sum of squares', () => {
    const { X, n, p } = blobs(20, 2);
    const r = kmeans(X, n, p, 1, { seed: 0 });
    let tss = 0;
    for (let j = 0; j < p; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += X[j * n + i];
      m /= n;
      expect(r.centroids[j]).toBeCloseTo(m, 12);
      for (let i = 0; i < n; i++) tss += (X[j * n + i] - m) ** 2;
    }
    expect(r.wcss).toBeCloseTo(tss, 9);
  });

  it('is deterministic per seed and lands on a Lloyd fixed point on random data', () => {
    const rng = createRng(3);
    const n = 400;
    const p = 6;
    const X = Float64Array.from({ length: n * p }, () => rng.next());
    const a = kmeans(X, n, p, 5, { seed: 11 });
    const b = kmeans(X, n, p, 5, { seed: 11 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.wcss).toBe(b.wcss);
    expect(a.wcss).toBeCloseTo(bruteCheck(X, n, p, 5, a.centroids, a.assignments), 9);
    const best = kmeans(X, n, p, 5, { seed: 11, nInit: 4 });
    expect(best.wcss).toBeLessThanOrEqual(a.wcss * 1.05);
  });

  it('survives duplicate points (empty-cluster handling) and rejects NaN / bad k', () => {
    const X = Float64Array.from([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]); // 5 rows x 2, all identical rows
    const r = kmeans(X, 5, 2, 3, { seed: 1 });
    expect(r.wcss).toBe(0);
    expect(() => kmeans(Float64Array.from([1, NaN]), 2, 1, 1)).toThrow(/impute/);
    expect(() => kmeans(X, 5, 2, 6)).toThrow();
  });
});

describe('elbow', () => {
  it('returns WCSS per k with a clear drop at the true k, and models matching kmeans()', () => {
    const { X, n, p } = blobs(40, 4);
    const e = run(elbow(X, n, p, { kMin: 1, kMax: 6, seed: 5 }));
    expect(e.ks).toEqual([1, 2, 3, 4, 5, 6]);
    expect(e.wcss[2]).toBeLessThan(e.wcss[1] / 10);
    for (let i = 1; i < e.wcss.length; i++) expect(e.wcss[i]).toBeLessThanOrEqual(e.wcss[i - 1] * 1.0001);
    const trials = 2 + Math.floor(Math.log(6));
    const k3 = kmeans(X, n, p, 3, { seed: 5, localTrials: trials });
    expect(k3.wcss).toBe(e.wcss[2]);
    expect(Array.from(k3.assignments)).toEqual(Array.from(e.models[2].assignments));
  });

  it('fits on a seeded sample above maxRows but assigns and scores every row', () => {
    const { X, n, p, truth } = blobs(200, 8);
    const e = run(elbow(X, n, p, { kMax: 4, seed: 2, maxRows: 120 }));
    const m3 = e.models[2];
    expect(m3.fitRows).toBe(120);
    expect(m3.assignments.length).toBe(n);
    expect(m3.wcss).toBeCloseTo(bruteCheck(X, n, p, 3, m3.centroids, m3.assignments), 6);
    expect(Array.from(m3.clusterSizes).reduce((a, b) => a + b, 0)).toBe(n);
    // Blobs are separated, so the sample's centroids still reproduce the true partition.
    for (let i = 1; i < n; i++) {
      if (truth[i] === truth[i - 1]) expect(m3.assignments[i]).toBe(m3.assignments[i - 1]);
    }
  });

  it('yields progress and can be abandoned between yields', () => {
    const { X, n, p } = blobs(30, 6);
    const g = elbow(X, n, p, { kMax: 5, seed: 1 });
    const msgs: string[] = [];
    for (let s = g.next(); !s.done && msgs.length < 3; s = g.next()) msgs.push(s.value.message);
    expect(msgs.length).toBe(3);
    g.return(undefined as never);
  });
});
