import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, sampleIndices } from '../../../../src/main/ml/rng';

describe('rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('next() is in [0,1) and roughly uniform', () => {
    const r = createRng(1);
    const bins = new Array(10).fill(0);
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.next();
      if (!(v >= 0 && v < 1)) bad++;
      else bins[Math.floor(v * 10)]++;
    }
    expect(bad).toBe(0);
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('nextInt covers [0,n) uniformly and validates n', () => {
    const r = createRng(7);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => r.nextInt(0)).toThrow();
    expect(() => r.nextInt(2.5)).toThrow();
  });

  it('shuffle is a seeded permutation', () => {
    const a = createRng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    const b = createRng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a.slice().sort())).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('sampleIndices returns sorted distinct indices', () => {
    const s = sampleIndices(100, 10, createRng(5));
    expect(s.length).toBe(10);
    expect(new Set(s).size).toBe(10);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(sampleIndices(5, 10, createRng(5)).length).toBe(5);
  });

  it('deriveSeed is stable and salt-dependent', () => {
    expect(deriveSeed(1, 0)).toBe(deriveSeed(1, 0));
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
  });
});
