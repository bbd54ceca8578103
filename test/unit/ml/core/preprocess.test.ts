import { describe, expect, it } from 'vitest';
import { fitPreprocessor, transformRows } from '../../../../src/main/ml/preprocess';
import type { PreprocessOptions } from '../../../../src/main/ml/preprocess';
import { run, toColumnMajor } from '../../../../src/main/ml/matrix';
import { createRng } from '../../../../src/main/ml/rng';
import { binData, fitGbm, runToEnd } from '../../../../src/main/ml/trees';
import { setKernelBackend, wasmKernelsEnabled } from '../../../../src/main/ml/wasm';

/** Build a column-major matrix from rows for readability. */
function cm(rows: number[][]): { X: Float64Array; n: number; p: number } {
  const n = rows.length;
  const p = rows[0].length;
  return { X: toColumnMajor(Float64Array.from(rows.flat()), n, p), n, p };
}
function rowsOf(X: Float64Array, n: number, p: number): number[][] {
  return Array.from({ length: n }, (_, r) => Array.from({ length: p }, (_, f) => X[f * n + r]));
}
const names = (p: number): string[] => Array.from({ length: p }, (_, i) => `s${i}`);
function fit(rows: number[][], opts: PreprocessOptions = {}) {
  const { X, n, p } = cm(rows);
  return { ...run(fitPreprocessor(X, n, p, names(p), opts)), X, n, p };
}

/** Straightforward scikit-learn KNNImputer (uniform weights) for cross-checking, row-major. */
function referenceKnn(rows: number[][], k: number): number[][] {
  const n = rows.length;
  const p = rows[0].length;
  const dist = (a: number[], b: number[]): number => {
    let s = 0;
    let c = 0;
    for (let j = 0; j < p; j++) {
      if (Number.isNaN(a[j]) || Number.isNaN(b[j])) continue;
      s += (a[j] - b[j]) ** 2;
      c++;
    }
    return c === 0 ? NaN : Math.sqrt((p / c) * s);
  };
  return rows.map((row) =>
    row.map((v, j) => {
      if (!Number.isNaN(v)) return v;
      const donors = [];
      for (let d = 0; d < n; d++) {
        if (Number.isNaN(rows[d][j])) continue;
        const dd = dist(row, rows[d]);
        if (!Number.isNaN(dd)) donors.push({ d, dd });
      }
      if (donors.length === 0) {
        const obs = rows.map((r) => r[j]).filter((x) => !Number.isNaN(x));
        return obs.reduce((a, b) => a + b, 0) / obs.length;
      }
      donors.sort((a, b) => a.dd - b.dd || a.d - b.d);
      const nb = donors.slice(0, k);
      return nb.reduce((s, x) => s + rows[x.d][j], 0) / nb.length;
    }),
  );
}

describe('KNN imputation (scikit-learn KNNImputer semantics)', () => {
  it('reproduces the scikit-learn documentation example (n_neighbors=2)', () => {
    // sklearn docs: KNNImputer(n_neighbors=2).fit_transform(X) -> [[1,2,4],[3,4,3],[5.5,6,5],[8,8,7]].
    // By hand: row0 col2 donors r1 (d^2 = 3/2*(4+4) = 12), r2 (3/1*16 = 48), r3 (3/2*(49+36) = 127.5)
    // -> mean(3, 5) = 4. Row2 col0 donors r0 (3/1*16 = 48), r1 (3/2*(4+4) = 12), r3 (3/2*(4+4) = 12)
    // -> mean(3, 8) = 5.5.
    const r = fit(
      [
        [1, 2, NaN],
        [3, 4, 3],
        [NaN, 6, 5],
        [8, 8, 7],
      ],
      { knnNeighbors: 2 },
    );
    expect(rowsOf(r.Xout, 4, 3)).toEqual([
      [1, 2, 4],
      [3, 4, 3],
      [5.5, 6, 5],
      [8, 8, 7],
    ]);
  });

  it('uses 3 neighbours by default and averages fewer when fewer donors exist', () => {
    const r = fit([
      [1, 2, NaN],
      [3, 4, 3],
      [NaN, 6, 5],
      [8, 8, 7],
    ]);
    // Row0 col2: all three donors -> (3+5+7)/3 = 5. Row2 col0: donors r0, r1, r3 -> (1+3+8)/3 = 4.
    expect(rowsOf(r.Xout, 4, 3)[0][2]).toBe(5);
    expect(rowsOf(r.Xout, 4, 3)[2][0]).toBe(4);
  });

  it('falls back to the training column mean when no donor shares a coordinate', () => {
    const r = fit([
      [1, NaN],
      [3, NaN],
      [NaN, 5],
      [NaN, 7],
    ]);
    expect(rowsOf(r.Xout, 4, 2)).toEqual([
      [1, 6],
      [3, 6],
      [2, 5],
      [2, 7],
    ]);
  });

  it('weights distances by p / n_common, so fewer shared coordinates count as farther', () => {
    // Query q = [0, 0, 0, NaN]. Donor A shares 1 coordinate with diff 1 (d^2 = 3/1 * 1 = 3);
    // donor B shares 3 coordinates each diff 0.9 (d^2 = 3/3 * 2.43 = 2.43) -> B is nearer.
    const r = fit(
      [
        [0, 0, 0, NaN],
        [1, NaN, NaN, 100],
        [0.9, 0.9, 0.9, 200],
      ],
      { knnNeighbors: 1 },
    );
    expect(rowsOf(r.Xout, 3, 4)[0][3]).toBe(200);
  });

  it('matches a brute-force KNNImputer on random data with 10% missing cells', () => {
    const rng = createRng(11);
    const n = 120;
    const p = 9;
    const rows = Array.from({ length: n }, () =>
      Array.from({ length: p }, (_, j) =>
        rng.next() < 0.1 ? NaN : Math.round(rng.next() * 100 * (j + 1)) / 10,
      ),
    );
    const expected = referenceKnn(rows, 3);
    const r = fit(rows, { knnSearch: 'exact' });
    const got = rowsOf(r.Xout, n, p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) expect(got[i][j]).toBeCloseTo(expected[i][j], 9);
  });

  it('drops entirely missing columns (recorded) and constant columns incl. 4.101', () => {
    const r = fit([
      [1, NaN, 4.101, 7, 2],
      [2, NaN, 4.101, 7, NaN],
      [3, NaN, NaN, 7, 4],
      [4, NaN, 4.101, NaN, 5],
    ]);
    expect(r.state.droppedAllMissing).toEqual(['s1']);
    expect(r.state.droppedConstant).toEqual(['s2', 's3']);
    expect(r.state.keptNames).toEqual(['s0', 's4']);
    expect(r.Xout.length).toBe(4 * 2);
    expect(r.notes.join(' ')).toMatch(/no observed/);
  });

  it('drops a 1,567-row constant 4.101 column whose floating std is not zero', () => {
    const n = 1567;
    const rows = Array.from({ length: n }, (_, i) => [i % 13, i % 50 === 0 ? NaN : 4.101]);
    // Naive sample std as the reference computed it: ~7e-14, so std == 0 would keep the column.
    let s = 0;
    let c = 0;
    for (const r of rows) {
      if (Number.isNaN(r[1])) continue;
      s += r[1];
      c++;
    }
    let ss = 0;
    for (const r of rows) if (!Number.isNaN(r[1])) ss += (r[1] - s / c) ** 2;
    expect(Math.sqrt(ss / (c - 1))).toBeGreaterThan(0);
    const r = fit(rows, { imputation: 'median' });
    expect(r.state.droppedConstant).toEqual(['s1']);
    expect(r.state.keptNames).toEqual(['s0']);
  });

  it('median imputation uses training medians', () => {
    const r = fit(
      [
        [1, 10],
        [NaN, 20],
        [5, NaN],
        [9, 40],
      ],
      { imputation: 'median' },
    );
    expect(rowsOf(r.Xout, 4, 2)).toEqual([
      [1, 10],
      [5, 20],
      [5, 20],
      [9, 40],
    ]);
  });

  it('standardizes with training mean and population std', () => {
    const r = fit(
      [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      { standardize: true, imputation: 'median' },
    );
    const s = Math.sqrt(2 / 3);
    expect(Array.from(r.Xout.slice(0, 3)).map((x) => +x.toFixed(12))).toEqual(
      [-1 / s, 0, 1 / s].map((x) => +x.toFixed(12)),
    );
    // New rows use the training statistics, never their own.
    const t = transformRows(r.state, Float64Array.from([5, 50]), 1);
    expect(t[0]).toBeCloseTo(3 / s, 12);
    expect(t[1]).toBeCloseTo(3 / s, 12);
  });

  it('transform of the training rows equals the fit output, also after a JSON round trip', () => {
    const rng = createRng(5);
    const n = 60;
    const p = 7;
    const rows = Array.from({ length: n }, () =>
      Array.from({ length: p }, () => (rng.next() < 0.15 ? NaN : rng.next())),
    );
    for (const opts of [
      {},
      { knnSearch: 'exact' as const },
      { standardize: true },
      { imputation: 'median' as const },
    ]) {
      const r = fit(rows, opts);
      const state = JSON.parse(JSON.stringify(r.state));
      expect(Array.from(transformRows(state, r.X, n))).toEqual(Array.from(r.Xout));
    }
  });

  it('imputes new rows from the saved training donors, not from the new batch', () => {
    const r = fit(
      [
        [1, 2, NaN],
        [3, 4, 3],
        [NaN, 6, 5],
        [8, 8, 7],
      ],
      { knnNeighbors: 2 },
    );
    // One new row: its nearest training donors on cols 0,1 are r1 (3,4) and r2 (6 on col1 only).
    const t = transformRows(r.state, Float64Array.from([3, 4, NaN]), 1);
    // d^2 to r1 = 0; r2 shares col1: 3/1*(4-6)^2 = 12; r3: 3/2*(25+16) = 61.5 -> mean(3, 5) = 4
    expect(Array.from(t)).toEqual([3, 4, 4]);
  });

  it('samples donors above the work budget, deterministically, and says so', () => {
    const rng = createRng(9);
    const n = 400;
    const p = 6;
    const rows = Array.from({ length: n }, () =>
      Array.from({ length: p }, () => (rng.next() < 0.2 ? NaN : rng.next())),
    );
    const opts = { knnWorkBudget: 1000, knnMinDonors: 50, seed: 3, knnSearch: 'exact' as const };
    const a = fit(rows, opts);
    const b = fit(rows, opts);
    expect(a.state.donors?.nDonors).toBe(50);
    expect(a.state.donors?.sampled).toBe(true);
    expect(a.notes.some((s) => /sample of 50 of 400/.test(s))).toBe(true);
    expect(Array.from(a.Xout)).toEqual(Array.from(b.Xout));
    expect(a.Xout.some((v) => Number.isNaN(v))).toBe(false);
    expect(Array.from(transformRows(a.state, a.X, n))).toEqual(Array.from(a.Xout));
  });

  it('yields progress while imputing', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, i % 7 === 0 ? NaN : i * 2, 3 + (i % 5)]);
    const { X, n, p } = cm(rows);
    const g = fitPreprocessor(X, n, p, names(p));
    let steps = 0;
    for (let s = g.next(); !s.done; s = g.next()) steps++;
    expect(steps).toBeGreaterThan(0);
  });
});

/** Seeded SECOM-like rows: log-uniform sensor scales, 3 regimes, 6 latent factors, ~5% missing cells. */
function waferRows(n: number, p: number, seed: number): number[][] {
  const rng = createRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const F = 6;
  const scale = Array.from({ length: p }, () => Math.pow(10, -2 + 5 * rng.next()));
  const base = scale.map((s) => s * (1 + 5 * rng.next()));
  const load = Array.from({ length: p * F }, gauss);
  const shift = Array.from({ length: 3 * p }, (_, i) => (i < p ? 0 : 3 * gauss()));
  const missRate = Array.from({ length: p }, (_, f) => (f % 29 === 11 ? 0.6 : 0.05));
  return Array.from({ length: n }, () => {
    const u = rng.next();
    const g = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    const z = Array.from({ length: F }, gauss);
    return Array.from({ length: p }, (_, f) => {
      let s = shift[g * p + f] + 0.3 * gauss();
      for (let j = 0; j < F; j++) s += 0.4 * load[f * F + j] * z[j];
      const v = base[f] + scale[f] * s;
      return rng.next() < missRate[f] ? NaN : v;
    });
  });
}

describe('KNN imputation, shortlist search', () => {
  const rows = waferRows(700, 120, 21);
  const { X, n, p } = cm(rows);
  const shortlist = run(fitPreprocessor(X, n, p, names(p), { seed: 2 }));
  const exact = run(fitPreprocessor(X, n, p, names(p), { seed: 2, knnSearch: 'exact' }));

  it('is the default, saved in the state and described in the notes', () => {
    expect(shortlist.state.version).toBe(2);
    expect(shortlist.state.knnSearch?.mode).toBe('shortlist');
    expect(exact.state.knnSearch ?? null).toBeNull();
    expect(shortlist.notes.some((s) => /two stages/.test(s))).toBe(true);
  });

  it('picks the same 3 nearest donors as exact search for nearly every imputed cell', () => {
    let cells = 0;
    let same = 0;
    for (let f = 0; f < p; f++) {
      for (let r = 0; r < n; r++) {
        if (!Number.isNaN(X[f * n + r])) continue;
        cells++;
        if (shortlist.Xout[f * n + r] === exact.Xout[f * n + r]) same++;
      }
    }
    expect(cells).toBeGreaterThan(3000);
    expect(same / cells).toBeGreaterThanOrEqual(0.99); // measured 1.0 (5,781 cells)
  });

  it('is deterministic and its fit output equals transformRows bit for bit, also after JSON', () => {
    const again = run(fitPreprocessor(X, n, p, names(p), { seed: 2 }));
    expect(Array.from(again.Xout)).toEqual(Array.from(shortlist.Xout));
    const state = JSON.parse(JSON.stringify(shortlist.state));
    expect(Array.from(transformRows(state, X, n))).toEqual(Array.from(shortlist.Xout));
    expect(Array.from(transformRows(shortlist.state, X, n))).toEqual(Array.from(shortlist.Xout));
  });

  it('leaves rows without missing cells untouched and falls back to means for all-missing rows', () => {
    const complete = waferRows(3, 120, 99).map((r) => r.map((v, j) => (Number.isNaN(v) ? 1 + j : v)));
    const batch = [...complete, Array.from({ length: p }, () => NaN)];
    const b = cm(batch);
    const t = transformRows(shortlist.state, b.X, b.n);
    const got = rowsOf(t, b.n, p);
    for (let i = 0; i < 3; i++) expect(got[i]).toEqual(complete[i]);
    for (let f = 0; f < p; f++) {
      let s = 0;
      let c = 0;
      for (let r = 0; r < n; r++) {
        const v = X[f * n + r];
        if (Number.isNaN(v)) continue;
        s += v;
        c++;
      }
      expect(got[3][f]).toBe(s / c);
    }
  });

  it('searches donors in WebAssembly with the same result as the TypeScript search, bit for bit', () => {
    expect(wasmKernelsEnabled()).toBe(true);
    const other = cm(waferRows(300, 120, 77));
    // A non-default layout too (6 heavy columns padded to 8, 5 dims padded to 8: the generic form).
    const odd = run(
      fitPreprocessor(X, n, p, names(p), { seed: 2, knnShortlistHeavy: 6, knnShortlistDims: 5 }),
    );
    // Donors that mostly lack column 5: the candidates rarely hold 3 that observe it, so the exact
    // fallback over every donor observing it runs.
    const sparse = cm(rows.map((row, i) => row.map((v, j) => (j === 5 && i % 25 !== 0 ? NaN : v))));
    const rare = run(fitPreprocessor(sparse.X, n, p, names(p), { seed: 2 }));
    const both = (f: () => Float64Array) => {
      setKernelBackend('js');
      const js = f();
      setKernelBackend(null);
      return { js: Array.from(js), wasm: Array.from(f()) };
    };
    // No regimes at all (one blob): a query's candidates span many donor groups, so the scan's group
    // bound decides close calls (a bound that skips too much changes the result here).
    const rng = createRng(5);
    const blobRows = Array.from({ length: 500 }, () =>
      Array.from({ length: 40 }, (_, j) => (rng.next() < 0.05 ? NaN : j + rng.next() * (1 + (j % 7)))),
    );
    const blob = cm(blobRows);
    const blobState = run(fitPreprocessor(blob.X, blob.n, blob.p, names(blob.p), { seed: 2 })).state;
    const r0 = both(() => transformRows(blobState, blob.X, blob.n));
    expect(r0.wasm).toEqual(r0.js);
    for (const state of [shortlist.state, odd.state, rare.state]) {
      for (const m of [{ X, n }, other, sparse]) {
        const r = both(() => transformRows(state, m.X, m.n));
        expect(r.wasm).toEqual(r.js);
      }
    }
    // The scan shares the thread's WebAssembly memory with boosting: each copies its data back in
    // when the other has used the memory in between.
    const labels = Uint8Array.from({ length: n }, (_, r) => (rows[r][0] > rows[r][1] ? 1 : 0));
    const data = binData(shortlist.Xout, n, p);
    const fit = () =>
      runToEnd(fitGbm(data, labels, { nEstimators: 5, maxDepth: 3 })).trees.map((t) => Array.from(t.value));
    const treesBefore = fit();
    const first = Array.from(transformRows(odd.state, other.X, other.n));
    expect(fit()).toEqual(treesBefore);
    expect(Array.from(transformRows(odd.state, other.X, other.n))).toEqual(first);
    expect(Array.from(transformRows(shortlist.state, other.X, other.n))).toEqual(
      both(() => transformRows(shortlist.state, other.X, other.n)).js,
    );
  });

  it('finds the rows to impute from the row-major rows when given, with the same output as without', () => {
    // Column 7 constant in training: dropped from the output but kept for distances, so a row missing
    // only that cell needs no imputation.
    const train = rows.map((row) => row.map((v, j) => (j === 7 ? 4.101 : v)));
    const t = cm(train);
    const complete = waferRows(3, 120, 99).map((r) => r.map((v, j) => (Number.isNaN(v) ? 1 + j : v)));
    const onlyConstant = complete[0]!.map((v, j) => (j === 7 ? NaN : v));
    const batch = [
      ...complete,
      onlyConstant,
      Array.from({ length: p }, () => NaN),
      ...waferRows(60, 120, 31),
    ];
    const b = cm(batch);
    const rowMajor = Float64Array.from(batch.flat());
    for (const knnSearch of ['shortlist', 'exact'] as const) {
      const state = run(fitPreprocessor(t.X, t.n, p, names(p), { seed: 2, knnSearch })).state;
      expect(state.droppedConstant).toContain(names(p)[7]);
      const without = transformRows(state, b.X, b.n);
      const withRows = transformRows(state, b.X, b.n, rowMajor);
      expect(Array.from(withRows)).toEqual(Array.from(without));
    }
  });

  it('a state without knnSearch (version 1) keeps using exact search', () => {
    const v1 = { ...exact.state, version: 1 as const };
    delete (v1 as { knnSearch?: unknown }).knnSearch;
    expect(Array.from(transformRows(v1, X, n))).toEqual(Array.from(exact.Xout));
  });

  it('caps donors at knnMaxDonors with a seeded sample and says so', () => {
    const a = run(fitPreprocessor(X, n, p, names(p), { seed: 4, knnMaxDonors: 200 }));
    expect(a.state.donors?.nDonors).toBe(200);
    expect(a.state.donors?.sampled).toBe(true);
    expect(a.notes.some((s) => /sample of 200 of 700/.test(s))).toBe(true);
    expect(a.Xout.some((v) => Number.isNaN(v))).toBe(false);
    expect(Array.from(transformRows(a.state, X, n))).toEqual(Array.from(a.Xout));
  });
});
