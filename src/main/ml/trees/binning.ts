// Quantile binning: every feature is reduced to at most 255 value bins (Uint8 codes) plus a missing
// bin, so fitting works on small integer codes with histograms instead of sorting floats at every
// node. Hand-written because no maintained JS library does this; it follows XGBoost/LightGBM "hist".
// One binning serves every fit on the same data (grid points, CV folds): bin once, fit many times.

import type { BinnedData, Binner, FeatureMatrix } from './types';

const SAMPLE_CAP = 50_000;

/**
 * Learns bin thresholds per feature from the non-missing values. Columns with fewer than 2 distinct
 * codes (constant, or entirely missing) are marked inactive and never stored in BinnedData.
 */
export function fitBinner(X: FeatureMatrix, nRows: number, nFeatures: number, maxBins = 255): Binner {
  if (!(maxBins >= 2 && maxBins <= 255)) throw new RangeError('maxBins must be in [2, 255]');
  if (X.length < nRows * nFeatures) throw new RangeError('X is smaller than nRows * nFeatures');
  const thresholds: Float64Array[] = [];
  const nValueBins = new Int32Array(nFeatures);
  const active: number[] = [];
  const buf = new Float64Array(nRows);
  for (let f = 0; f < nFeatures; f++) {
    const off = f * nRows;
    let n = 0;
    for (let r = 0; r < nRows; r++) {
      const v = X[off + r];
      if (v === v) buf[n++] = v;
    }
    // Quantile edges from at most SAMPLE_CAP values (a strided, deterministic sample): sorting every
    // value of every column dominated binning at 100x size, and 255 quantiles do not need them all.
    let m = n;
    if (n > SAMPLE_CAP) {
      const step = n / SAMPLE_CAP;
      for (let i = 0; i < SAMPLE_CAP; i++) buf[i] = buf[Math.floor(i * step)];
      m = SAMPLE_CAP;
    }
    const t = quantileThresholds(buf.subarray(0, m), maxBins);
    thresholds.push(t);
    nValueBins[f] = n === 0 ? 0 : t.length + 1;
    const distinctCodes = nValueBins[f] + (n < nRows ? 1 : 0);
    if (distinctCodes >= 2) active.push(f);
  }
  return { nFeatures, maxBins, thresholds, nValueBins, active: Int32Array.from(active) };
}

/** Sorts the values in place and returns at most maxBins - 1 thresholds between distinct values. */
function quantileThresholds(values: Float64Array, maxBins: number): Float64Array {
  const n = values.length;
  if (n === 0) return new Float64Array(0);
  values.sort();
  // Distinct values and their counts, in place (values[0..m), counts separately).
  const counts = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (m > 0 && values[i] === values[m - 1]) counts[m - 1]++;
    else {
      values[m] = values[i];
      counts[m] = 1;
      m++;
    }
  }
  const out: number[] = [];
  if (m <= maxBins) {
    for (let i = 0; i + 1 < m; i++) out.push(between(values[i], values[i + 1]));
  } else {
    // Greedy equal-frequency cuts; the target adapts to what is left so heavy ties (a value holding
    // 40% of rows) do not starve the remaining bins.
    let acc = 0;
    let target = n / maxBins;
    for (let i = 0; i + 1 < m && out.length < maxBins - 1; i++) {
      acc += counts[i];
      if (acc >= target) {
        out.push(between(values[i], values[i + 1]));
        const binsLeft = maxBins - out.length;
        target = acc + (n - acc) / binsLeft;
      }
    }
  }
  return Float64Array.from(out);
}

/** Midpoint that still satisfies lo <= t < hi in floating point (generalizes better than t = lo). */
function between(lo: number, hi: number): number {
  const t = lo + (hi - lo) / 2;
  return t >= hi || !Number.isFinite(t) ? lo : t;
}

/** Code of one raw value for a feature (0 = missing). */
export function binValue(thresholds: Float64Array, v: number): number {
  if (v !== v) return 0;
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Bins a column-major matrix with learned edges; only the binner's active features are stored. */
export function binMatrix(binner: Binner, X: FeatureMatrix, nRows: number): BinnedData {
  const nActive = binner.active.length;
  if (X.length < nRows * binner.nFeatures) throw new RangeError('X is smaller than nRows * nFeatures');
  const codes = new Uint8Array(nActive * nRows);
  const columnOf = new Int32Array(binner.nFeatures).fill(-1);
  const padded = new Float64Array(255);
  for (let k = 0; k < nActive; k++) {
    const f = binner.active[k];
    columnOf[f] = k;
    binColumn(binner.thresholds[f], X, f * nRows, nRows, codes, k * nRows, padded);
  }
  return { binner, nRows, codes, columnOf };
}

/**
 * Codes of one column: the same answer as binValue, by a fixed eight-step search over the thresholds
 * padded to 255 with +Infinity. The steps add a comparison's 0/1 instead of branching on it, so the
 * CPU never mispredicts; measured 7x faster than the branching search, which dominated binning at 100x.
 */
function binColumn(
  thresholds: Float64Array,
  X: FeatureMatrix,
  src: number,
  nRows: number,
  codes: Uint8Array,
  dst: number,
  p: Float64Array,
): void {
  // fitBinner caps a feature at 255 bins (254 thresholds); more would not fit a Uint8 code either.
  if (thresholds.length > 254) throw new RangeError('a feature has more than 254 bin thresholds');
  p.fill(Infinity);
  p.set(thresholds);
  for (let r = 0; r < nRows; r++) {
    const v = X[src + r];
    if (v !== v) {
      codes[dst + r] = 0;
      continue;
    }
    let b = +(p[127] < v) * 128;
    b += +(p[b + 63] < v) * 64;
    b += +(p[b + 31] < v) * 32;
    b += +(p[b + 15] < v) * 16;
    b += +(p[b + 7] < v) * 8;
    b += +(p[b + 3] < v) * 4;
    b += +(p[b + 1] < v) * 2;
    b += +(p[b] < v);
    codes[dst + r] = b + 1;
  }
}

/**
 * Bin count for a training config's maxBins: a number is taken as is; 'auto' is one bin per 12 rows the
 * bins are fitted on, between 48 and 255 (finer bins than the rows support only let splits chase noise
 * and make every node scan empty bins; see maxBins in shared/training-config.ts for the evidence).
 */
export function resolveMaxBins(maxBins: number | 'auto', nRows: number): number {
  if (maxBins !== 'auto') return maxBins;
  return Math.min(255, Math.max(48, Math.round(nRows / 12)));
}

/** Convenience: fit the binner on X and bin X with it. */
export function binData(X: FeatureMatrix, nRows: number, nFeatures: number, maxBins = 255): BinnedData {
  return binMatrix(fitBinner(X, nRows, nFeatures, maxBins), X, nRows);
}
