import { describe, expect, it } from 'vitest';
import { jsonDecimal, jsonEffect, jsonSensorValue } from '../../../../src/main/ml/pipeline/bundle';
import { createRng } from '../../../../src/main/ml/rng';

/** Seeded decimals of every size and up to `maxDecimals` decimals, their sevenths and negations. */
function decimals(seed: number, maxDecimals: number): number[] {
  const rng = createRng(seed);
  const values: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const places = Math.floor(rng.next() * (maxDecimals + 3));
    const scale = 10 ** Math.floor(rng.next() * 12 - 5);
    const v = Number(((rng.next() - 0.3) * scale).toFixed(places));
    values.push(v, v / 7, -v);
  }
  return values;
}

const AWKWARD = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.2,
  0.3,
  2968.33,
  -2968.33,
  4.101,
  100,
  1e-4,
  0.0001,
  0.00012,
  0.00001,
  1e-6,
  1e-7,
  99999999999.9,
  1e11,
  123456789012,
  1e21,
  0.1 + 0.2,
  1 / 3,
  2 ** 53,
  -(2 ** 31),
  1234.5678,
  1234.56789,
  NaN,
  Infinity,
  -Infinity,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  5e-324,
  0.5,
  2.5,
  -2.5,
  1.005,
  9.995,
  999999.999999999,
  0.000999999999,
];

describe('explanation numbers as JSON', () => {
  it('writes a value exactly as String / JSON.stringify would, whatever it is', () => {
    for (const d of [4, 9]) {
      for (const v of [...AWKWARD, ...decimals(d, d)]) {
        expect(jsonDecimal(v, d), String(v)).toBe(JSON.stringify(v));
      }
    }
    for (const v of [...AWKWARD, ...decimals(7, 4)])
      expect(jsonSensorValue(v), String(v)).toBe(JSON.stringify(v));
  });

  it('writes an effect to 1e-9 from 0.001 up and smaller ones exactly, never changing its sign', () => {
    const rng = createRng(3);
    for (let i = 0; i < 20_000; i++) {
      const e = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 10 - 7);
      const text = jsonEffect(e);
      const back = JSON.parse(text) as number;
      if (Math.abs(e) >= 1e-3) {
        expect(Math.abs(back - e)).toBeLessThanOrEqual(5e-10 + Math.abs(e) * 1e-15);
        expect(text).toBe(JSON.stringify(Math.round(e * 1e9) / 1e9));
      } else expect(back).toBe(e);
      expect(Math.sign(back)).toBe(Math.sign(e));
    }
    expect(jsonEffect(NaN)).toBe('null');
  });
});
