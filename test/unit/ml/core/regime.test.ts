import { describe, expect, it } from 'vitest';
import {
  assignRegime,
  assignRegimes,
  fitRegimes,
  REGIME_THRESHOLD_FACTOR,
} from '../../../../src/main/ml/regime';
import { kmeans } from '../../../../src/main/ml/kmeans';
import { decodeF64, toColumnMajor } from '../../../../src/main/ml/matrix';
import { createRng } from '../../../../src/main/ml/rng';

describe('regime', () => {
  const rng = createRng(2);
  const rows: number[] = [];
  for (let i = 0; i < 200; i++) rows.push(rng.next(), rng.next()); // cluster near (0.5, 0.5)
  for (let i = 0; i < 200; i++) rows.push(10 + rng.next(), rng.next()); // cluster near (10.5, 0.5)
  const n = 400;
  const X = toColumnMajor(Float64Array.from(rows), n, 2);
  const km = kmeans(X, n, 2, 2, { seed: 1 });
  const state = fitRegimes(X, n, 2, km.centroids, 2, km.assignments);

  it('computes per-cluster distance stats and 1.25 x p99 thresholds', () => {
    for (const c of state.clusters) {
      expect(c.size).toBe(200);
      expect(c.p99).toBeLessThanOrEqual(c.max);
      expect(c.p50).toBeLessThanOrEqual(c.p99);
      expect(c.threshold).toBeCloseTo(REGIME_THRESHOLD_FACTOR * c.p99, 12);
      expect(c.thresholdSource).toBe('cluster');
      // Uniform square of side 1: distances from the centre stay below ~0.71.
      expect(c.max).toBeLessThan(0.75);
    }
  });

  it('flags rows far from every centroid, and survives JSON', () => {
    const s = JSON.parse(JSON.stringify(state));
    const near = assignRegime(s, [10.4, 0.6]);
    expect(near.unfamiliar).toBe(false);
    expect(near.cluster).toBe(km.assignments[200]);
    const far = assignRegime(s, [5, 5]);
    expect(far.unfamiliar).toBe(true);
    expect(far.distance).toBeGreaterThan(far.threshold);
    expect(assignRegime(s, [NaN, 0]).unfamiliar).toBe(true);
    const batch = assignRegimes(s, X, n);
    expect(Array.from(batch.cluster)).toEqual(Array.from(km.assignments));
    // About 1% of training rows lie beyond p99, but a 25% margin keeps nearly all of them familiar.
    expect(batch.unfamiliar.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(4);
  });

  it('assigns a batch exactly as row by row, missing values and ties included', () => {
    const rows = [
      [10.4, 0.6],
      [5, 5],
      [NaN, 0],
      [0.3, 0.7],
    ];
    // A point halfway between the first two centroids ties; the lower cluster must win in both forms.
    const C = decodeF64(state.centroids);
    rows.push([(C[0]! + C[2]!) / 2, (C[1]! + C[3]!) / 2]);
    const m = rows.length;
    const Xb = new Float64Array(m * 2);
    rows.forEach((r, i) => {
      Xb[i] = r[0]!;
      Xb[m + i] = r[1]!;
    });
    const batch = assignRegimes(state, Xb, m);
    rows.forEach((r, i) => {
      const one = assignRegime(state, r);
      expect(batch.cluster[i]).toBe(one.cluster);
      expect(Object.is(batch.distance[i], one.distance)).toBe(true);
      expect(batch.unfamiliar[i]).toBe(one.unfamiliar ? 1 : 0);
    });
  });

  it('assigns a batch exactly as row by row with centroids taken three at a time and some left over', () => {
    // k = 5: one block of three centroids and two single ones; 103 rows: a last partial block of rows.
    const r = createRng(7);
    const p = 6;
    const k = 5;
    const m = 103;
    const C = Float64Array.from({ length: k * p }, () => r.next() * 4);
    // Centroid 2 repeats centroid 0 (within the block of three) and 3 repeats 1 (across blocks), so
    // rows near them tie and the lower index must win.
    for (let j = 0; j < p; j++) {
      C[2 * p + j] = C[j]!;
      C[3 * p + j] = C[p + j]!;
    }
    const Xb = new Float64Array(m * p);
    for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) Xb[j * m + i] = r.next() * 4;
    Xb[2 * m + 10] = NaN;
    Xb[5 * m + 101] = NaN;
    const fitted = fitRegimes(
      Xb,
      m,
      p,
      C,
      k,
      Int32Array.from({ length: m }, (_, i) => i % k),
    );
    const batch = assignRegimes(fitted, Xb, m);
    let tied = 0;
    for (let i = 0; i < m; i++) {
      const row = Array.from({ length: p }, (_, j) => Xb[j * m + i]!);
      const one = assignRegime(fitted, row);
      expect(batch.cluster[i]).toBe(one.cluster);
      expect(Object.is(batch.distance[i], one.distance)).toBe(true);
      expect(batch.unfamiliar[i]).toBe(one.unfamiliar ? 1 : 0);
      if (one.cluster <= 1) tied++;
    }
    expect(tied).toBeGreaterThan(0);
    expect(Array.from(batch.cluster)).not.toContain(2);
    expect(Array.from(batch.cluster)).not.toContain(3);
    expect(batch.unfamiliar[10]).toBe(1);
  });

  it('uses the pooled p99 for clusters with too few rows', () => {
    const small = Float64Array.from([0, 0.1, 0.2, 0.3, 100]); // 5 rows x 1
    const st = fitRegimes(small, 5, 1, Float64Array.from([0.15, 100]), 2, Int32Array.from([0, 0, 0, 0, 1]));
    expect(st.clusters[1].thresholdSource).toBe('pooled');
    expect(st.clusters[1].threshold).toBeGreaterThan(0);
  });
});
