// Sensor drift: the population stability index (PSI) of a recent sample against a reference (training)
// sample, the usual drift score in process and credit monitoring. Bins are the reference's deciles
// (equal edges merged, so a sensor with few distinct values gets fewer bins) plus one bin for missing
// values: a sensor that starts dropping out drifts as surely as one whose readings shift. Shares under
// 1e-4 count as 1e-4 so an empty bin gives a large but finite score. Rule of thumb (shared/drift.ts):
// under 0.1 stable, 0.1 to 0.25 moving, over 0.25 drifted. Small samples score high by chance alone (PSI is close to a
// chi-square statistic times 1/n + 1/m), so a sensor is called moving or drifted only when its score
// is also above what chance gives one time in a thousand for those sample sizes (driftLevel).
// Hand-written: a few dozen lines on typed arrays; no maintained JS package computes PSI with a
// missing-value bin.

import { PSI_DRIFTED, PSI_MOVING, type DriftLevel } from '../../shared/drift';

/** Chi-square 99.9% quantiles for 1..12 degrees of freedom. */
const CHI2_999 = [10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26, 32.91];
const FLOOR = 1e-4;

function observedSorted(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) out[k++] = v;
  }
  return out.sort();
}

function median(sorted: Float64Array): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Upper edges of the reference's quantile bins (the last bin is open above), equal edges merged. */
export function quantileEdges(sortedReference: Float64Array, bins: number): Float64Array {
  const n = sortedReference.length;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = sortedReference[Math.min(n - 1, Math.floor((k * n) / bins))]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Index of the first edge at or above v (edges.length when above them all). */
function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What PSI needs of a reference sample, computed once per sensor and reused for every comparison. */
export interface ReferenceBins {
  /** Upper edges of the value bins (see quantileEdges); the last value bin is open above. */
  edges: Float64Array;
  /** Rows per value bin, then missing rows last. */
  counts: Float64Array;
  rows: number;
  /** Share of the rows missing the sensor. */
  missingShare: number;
  median: number | null;
}

export function referenceBins(reference: ArrayLike<number>, bins = 10): ReferenceBins {
  const ref = observedSorted(reference);
  // No observed reference value: one value bin, which the reference leaves empty.
  const edges = ref.length ? quantileEdges(ref, bins) : new Float64Array(0);
  const counts = new Float64Array(edges.length + 2);
  for (const v of ref) counts[binOf(edges, v)]!++;
  const missing = reference.length - ref.length;
  counts[edges.length + 1] = missing;
  const rows = reference.length;
  return { edges, counts, rows, missingShare: rows ? missing / rows : 0, median: median(ref) };
}

/** PSI of `current` against prepared reference bins (null when either sample is empty), and its missing share. */
export function psiAgainst(ref: ReferenceBins, current: ArrayLike<number>): { psi: number | null; curMissing: number } {
  const nCur = current.length;
  const missingBin = ref.edges.length + 1;
  const counts = new Float64Array(missingBin + 1);
  for (let i = 0; i < nCur; i++) {
    const v = current[i]!;
    counts[v === v ? binOf(ref.edges, v) : missingBin]!++;
  }
  const curMissing = nCur ? counts[missingBin]! / nCur : 0;
  if (ref.rows === 0 || nCur === 0) return { psi: null, curMissing };
  let sum = 0;
  for (let b = 0; b <= missingBin; b++) {
    if (ref.counts[b] === 0 && counts[b] === 0) continue;
    sum += termOf(ref.counts[b]! / ref.rows, counts[b]! / nCur);
  }
  return { psi: sum, curMissing };
}

/** The PSI that chance alone exceeds about once in a thousand for a reference and `nCur` rows. */
export function psiNoise(ref: ReferenceBins, nCur: number): number {
  if (ref.rows === 0 || nCur === 0) return Infinity;
  const df = Math.min(CHI2_999.length, Math.max(1, ref.counts.length - 1));
  return CHI2_999[df - 1]! * (1 / ref.rows + 1 / nCur);
}

/** Drifted or moving by the rule of thumb, and only when above the chance level for the sample sizes. */
export function driftLevel(
  psi: number,
  noise: number,
  thresholds: { psiMoving: number; psiDrifted: number } = { psiMoving: PSI_MOVING, psiDrifted: PSI_DRIFTED },
): DriftLevel {
  if (psi > thresholds.psiDrifted && psi > noise) return 'drifted';
  if (psi > thresholds.psiMoving && psi > noise) return 'moving';
  return 'stable';
}

/** Median of the observed values (NaN = missing), or null when none is observed. */
export function observedMedian(values: ArrayLike<number>): number | null {
  return median(observedSorted(values));
}

function termOf(p: number, q: number): number {
  const a = Math.max(p, FLOOR);
  const b = Math.max(q, FLOOR);
  return (b - a) * Math.log(b / a);
}
