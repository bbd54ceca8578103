import { describe, expect, it } from 'vitest';
import { binMatrix, binValue, fitBinner, resolveMaxBins } from '../../../../src/main/ml/trees';

describe('resolveMaxBins', () => {
  it("takes a number as is and makes 'auto' one bin per 12 rows, between 48 and 255", () => {
    expect(resolveMaxBins(32, 10_000)).toBe(32);
    expect(resolveMaxBins('auto', 100)).toBe(48);
    expect(resolveMaxBins('auto', 558)).toBe(48);
    expect(resolveMaxBins('auto', 1_045)).toBe(87);
    expect(resolveMaxBins('auto', 3_060)).toBe(255);
    expect(resolveMaxBins('auto', 156_700)).toBe(255);
  });
});

describe('binning', () => {
  it('gives missing values code 0 and orders values by code', () => {
    const X = Float64Array.from([3, 1, NaN, 2, 1, 3]);
    const b = fitBinner(X, 6, 1);
    expect(Array.from(b.thresholds[0])).toEqual([1.5, 2.5]);
    expect(b.nValueBins[0]).toBe(3);
    const d = binMatrix(b, X, 6);
    expect(Array.from(d.codes)).toEqual([3, 1, 0, 2, 1, 3]);
  });

  it('drops constant and all-missing columns but keeps constant-with-missing ones', () => {
    const n = 4;
    // f0 constant, f1 all missing, f2 constant with a missing cell, f3 varying.
    const X = Float64Array.from([5, 5, 5, 5, NaN, NaN, NaN, NaN, 1, NaN, 1, 1, 0, 1, 2, 3]);
    const b = fitBinner(X, n, 4);
    expect(Array.from(b.active)).toEqual([2, 3]);
    const d = binMatrix(b, X, n);
    expect(d.codes.length).toBe(2 * n);
    expect(Array.from(d.columnOf)).toEqual([-1, -1, 0, 1]);
    expect(Array.from(d.codes.subarray(0, n))).toEqual([1, 0, 1, 1]);
  });

  it('caps bins at maxBins with roughly equal counts, and codes agree with thresholds', () => {
    const n = 10_000;
    const X = new Float64Array(n);
    for (let i = 0; i < n; i++) X[i] = Math.sin(i * 12.9898) * 1000;
    const b = fitBinner(X, n, 1, 255);
    expect(b.nValueBins[0]).toBe(255);
    const d = binMatrix(b, X, n);
    const counts = new Int32Array(256);
    for (const c of d.codes) counts[c]++;
    for (let c = 1; c <= 255; c++) expect(counts[c]).toBeGreaterThan(20);
    const t = b.thresholds[0];
    for (let i = 0; i < n; i += 97) {
      const c = d.codes[i];
      if (c > 1) expect(X[i]).toBeGreaterThan(t[c - 2]);
      if (c < 255) expect(X[i]).toBeLessThanOrEqual(t[c - 1]);
    }
    expect(binValue(t, Infinity)).toBe(255);
    expect(binValue(t, -Infinity)).toBe(1);
  });

  it('puts heavily tied values in one bin without starving the rest', () => {
    const n = 2000;
    const X = new Float64Array(n);
    for (let i = 0; i < n; i++) X[i] = i < 1000 ? 0 : i;
    const b = fitBinner(X, n, 1, 16);
    expect(b.nValueBins[0]).toBeLessThanOrEqual(16);
    expect(b.nValueBins[0]).toBeGreaterThanOrEqual(12);
  });

  it('bins a matrix exactly as binValue bins each value, for any threshold count', () => {
    // Values the fitted thresholds fall between, exact threshold hits, infinities, -0 and NaN.
    for (const maxBins of [2, 3, 16, 64, 200, 255]) {
      const n = 3000;
      const fit = new Float64Array(n);
      for (let i = 0; i < n; i++) fit[i] = Math.round(Math.sin(i * 7.31) * 500) / 4;
      const b = fitBinner(fit, n, 1, maxBins);
      const t = b.thresholds[0];
      const probe = [
        ...t,
        -0,
        0,
        Infinity,
        -Infinity,
        NaN,
        ...Array.from(fit.subarray(0, 500)),
        1e300,
        -1e300,
      ];
      const X = Float64Array.from(probe);
      const d = binMatrix(b, X, X.length);
      for (let i = 0; i < X.length; i++) expect(d.codes[i]).toBe(binValue(t, X[i]));
    }
  });
});
