import { describe, expect, it } from 'vitest';
import { stratifiedKFold, stratifiedSplit } from '../../../../src/main/ml/split';

const labels = Uint8Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0)); // 20 faulty

describe('stratifiedSplit', () => {
  it('is deterministic, disjoint, complete and stratified', () => {
    const a = stratifiedSplit(labels, 0.25, 1);
    const b = stratifiedSplit(labels, 0.25, 1);
    const c = stratifiedSplit(labels, 0.25, 2);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    const all = [...a.train, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(a.test.length).toBe(50);
    expect(Array.from(a.test).filter((i) => labels[i] === 1).length).toBe(5);
  });

  it('keeps tiny classes usable', () => {
    const l = Uint8Array.from([0, 0, 0, 0, 0, 0, 1]);
    const s = stratifiedSplit(l, 0.3, 0);
    expect(Array.from(s.train)).toContain(6);
    const l2 = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
    const s2 = stratifiedSplit(l2, 0.1, 0);
    expect(Array.from(s2.test).filter((i) => l2[i] === 1).length).toBe(1);
    expect(Array.from(s2.train).filter((i) => l2[i] === 1).length).toBe(1);
  });
});

describe('stratifiedKFold', () => {
  it('puts every row in exactly one test fold with balanced classes', () => {
    const k = stratifiedKFold(labels, 5, 3);
    expect(k.folds.length).toBe(5);
    const seen = new Int32Array(200);
    for (const f of k.folds) {
      for (const i of f.test) seen[i]++;
      expect(f.test.length).toBe(40);
      expect(f.train.length).toBe(160);
      expect(Array.from(f.test).filter((i) => labels[i] === 1).length).toBe(4);
    }
    expect(Array.from(seen).every((v) => v === 1)).toBe(true);
    expect(k.warnings).toEqual([]);
    expect(Array.from(stratifiedKFold(labels, 5, 3).foldOf)).toEqual(Array.from(k.foldOf));
  });

  it('warns when a class has fewer rows than folds', () => {
    const l = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const k = stratifiedKFold(l, 5, 0);
    expect(k.warnings.length).toBe(1);
    expect(k.folds.filter((f) => Array.from(f.test).some((i) => l[i] === 1)).length).toBe(2);
    expect(() => stratifiedKFold(l, 11, 0)).toThrow();
  });
});
