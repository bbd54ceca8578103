import { describe, expect, it } from 'vitest';
import {
  columnStats,
  decodeF64,
  decodeI32,
  encodeF64,
  encodeI32,
  nanMedian,
  run,
  selectColumns,
  selectRows,
  toColumnMajor,
  toRowMajor,
} from '../../../../src/main/ml/matrix';
import type { Progress } from '../../../../src/main/ml/matrix';

// 3 rows x 2 features, column-major: f0 = [1,2,3], f1 = [10,NaN,30]
const X = Float64Array.from([1, 2, 3, 10, NaN, 30]);

describe('matrix helpers', () => {
  it('selects rows and columns in column-major layout', () => {
    expect(Array.from(selectRows(X, 3, 2, [2, 0]))).toEqual([3, 1, 30, 10]);
    expect(Array.from(selectColumns(X, 3, [1]))).toEqual([10, NaN, 30]);
  });

  it('round-trips row-major <-> column-major', () => {
    const R = toRowMajor(X, 3, 2);
    expect(Array.from(R)).toEqual([1, 10, 2, NaN, 3, 30]);
    expect(Array.from(toColumnMajor(R, 3, 2))).toEqual(Array.from(X));
    const big = Float64Array.from({ length: 130 * 3 }, (_, i) => i);
    expect(Array.from(toColumnMajor(toRowMajor(big, 130, 3), 130, 3))).toEqual(Array.from(big));
  });

  it('computes NaN-aware column stats (population std)', () => {
    const s = columnStats(X, 3, 2);
    expect(Array.from(s.count)).toEqual([3, 2]);
    expect(s.mean[0]).toBe(2);
    expect(s.mean[1]).toBe(20);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.std[1]).toBe(10);
    expect(s.min[1]).toBe(10);
    expect(s.max[1]).toBe(30);
  });

  it('medians skip NaN', () => {
    expect(nanMedian([3, NaN, 1, 2])).toBe(2);
    expect(nanMedian([4, 1, NaN, 3, 2])).toBe(2.5);
    expect(nanMedian([NaN])).toBeNaN();
  });

  it('encodes typed arrays as JSON-safe base64 including NaN', () => {
    const a = Float64Array.from([1.5, NaN, -Infinity, 4.101]);
    const e = JSON.parse(JSON.stringify(encodeF64(a)));
    expect(Array.from(decodeF64(e))).toEqual(Array.from(a));
    const sub = Int32Array.from([9, 8, 7, 6]).subarray(1, 3);
    expect(Array.from(decodeI32(encodeI32(sub)))).toEqual([8, 7]);
  });

  it('run drains a generator and reports progress', () => {
    function* g(): Generator<Progress, number, void> {
      yield { done: 1, total: 2, message: 'a' };
      yield { done: 2, total: 2, message: 'b' };
      return 42;
    }
    const seen: number[] = [];
    expect(run(g(), (p) => seen.push(p.done))).toBe(42);
    expect(seen).toEqual([1, 2]);
  });
});
