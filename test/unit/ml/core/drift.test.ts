import { describe, expect, it } from 'vitest';
import {
  driftLevel,
  observedMedian,
  psiAgainst,
  psiNoise,
  quantileEdges,
  referenceBins,
} from '../../../../src/main/ml/drift';
import { PSI_DRIFTED, PSI_MOVING } from '../../../../src/shared/drift';
import { createRng } from '../../../../src/main/ml/rng';

/** One sensor's PSI with both samples' summaries, as the Monitor service assembles them. */
function psi(reference: Float64Array, current: Float64Array) {
  const ref = referenceBins(reference);
  const { psi: value, curMissing } = psiAgainst(ref, current);
  return { psi: value, refMissing: ref.missingShare, curMissing, refMedian: ref.median, curMedian: observedMedian(current) };
}

function normal(n: number, mean: number, sd: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rng.next(), 1e-12);
    out[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  }
  return out;
}

describe('population stability index', () => {
  it('computes the textbook sum over decile bins', () => {
    // Reference 0..99: edges at 10, 20, ..., 90, so 10% in each of the ten bins.
    const ref = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(Array.from(quantileEdges(ref, 10))).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    // Current: half in the first bin (values <= 10), half in the last (> 90).
    const cur = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 95));
    // First bin holds 0..10 (11 values), the last 91..99 (9 values), the rest 10 each.
    const p = [11, 10, 10, 10, 10, 10, 10, 10, 10, 9].map((c) => c / 100);
    const q = [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5];
    const expected = p.reduce((s, pi, i) => {
      const a = Math.max(pi, 1e-4);
      const b = Math.max(q[i]!, 1e-4);
      return s + (b - a) * Math.log(b / a);
    }, 0);
    const stat = psi(ref, cur);
    expect(stat.psi).toBeCloseTo(expected, 12);
    expect(stat).toMatchObject({ refMissing: 0, curMissing: 0, refMedian: 49.5, curMedian: 47.5 });
  });

  it('stays small for a fresh sample of the same process and grows with a shift', () => {
    const ref = normal(2000, 100, 5, 1);
    expect(psi(ref, normal(1000, 100, 5, 2)).psi!).toBeLessThan(PSI_MOVING);
    const moved = psi(ref, normal(1000, 103, 5, 3)).psi!;
    expect(moved).toBeGreaterThan(PSI_MOVING);
    expect(psi(ref, normal(1000, 110, 5, 4)).psi!).toBeGreaterThan(Math.max(PSI_DRIFTED, moved));
  });

  it('counts missing values as their own bin, so a sensor dropping out drifts', () => {
    const ref = normal(1000, 10, 1, 5);
    const cur = normal(1000, 10, 1, 6);
    for (let i = 0; i < 400; i++) cur[i] = NaN;
    const stat = psi(ref, cur);
    expect(stat.curMissing).toBeCloseTo(0.4, 12);
    expect(stat.refMissing).toBe(0);
    expect(stat.psi!).toBeGreaterThan(PSI_DRIFTED);
  });

  it('handles constant and wholly missing sensors and empty samples', () => {
    const constant = new Float64Array(50).fill(7);
    expect(psi(constant, new Float64Array(20).fill(7)).psi).toBe(0);
    expect(psi(constant, new Float64Array(20).fill(8)).psi!).toBeGreaterThan(PSI_DRIFTED);
    const missing = new Float64Array(50).fill(NaN);
    expect(psi(missing, new Float64Array(20).fill(NaN)).psi).toBe(0);
    expect(psi(missing, new Float64Array(20).fill(1))).toMatchObject({ refMedian: null, curMedian: 1 });
    expect(psi(missing, new Float64Array(20).fill(1)).psi!).toBeGreaterThan(PSI_DRIFTED);
    expect(psi(constant, new Float64Array(0)).psi).toBeNull();
  });

  it('calls a sensor moving or drifted only above what chance gives for the sample sizes', () => {
    // Same process, small samples: many sensors score over 0.1 by chance, none above the noise level.
    const ref = referenceBins(normal(240, 0, 1, 20));
    let overRule = 0;
    let called = 0;
    for (let seed = 0; seed < 300; seed++) {
      const cur = normal(400, 0, 1, 100 + seed);
      const score = psiAgainst(ref, cur).psi!;
      if (score > PSI_MOVING) overRule++;
      if (driftLevel(score, psiNoise(ref, cur.length)) !== 'stable') called++;
    }
    expect(overRule).toBeGreaterThan(5);
    expect(called).toBeLessThanOrEqual(2);
    // With thousands of rows the noise level is far below the rule of thumb, so it decides.
    const big = referenceBins(normal(1567, 0, 1, 21));
    expect(psiNoise(big, 2000)).toBeLessThan(0.05);
    expect(driftLevel(0.3, psiNoise(big, 2000))).toBe('drifted');
    expect(driftLevel(0.15, psiNoise(big, 2000))).toBe('moving');
    expect(driftLevel(0.3, psiNoise(ref, 40))).toBe('stable');
  });
});
