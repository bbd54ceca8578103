import { describe, expect, it } from 'vitest';
import { jsonSensorValue } from '../../../../src/main/ml/pipeline/bundle';
import { createRng } from '../../../../src/main/ml/rng';

describe('jsonSensorValue (explanations write each sensor value with it)', () => {
  it('writes exactly what String / JSON.stringify write, for sensor-like and awkward values', () => {
    const rng = createRng(7);
    const values: number[] = [
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
    ];
    for (let i = 0; i < 20_000; i++) {
      const decimals = Math.floor(rng.next() * 7);
      const scale = 10 ** Math.floor(rng.next() * 9 - 3);
      const v = Number(((rng.next() - 0.3) * scale).toFixed(decimals));
      values.push(v, v / 7, -v);
    }
    for (const v of values) expect(jsonSensorValue(v), String(v)).toBe(JSON.stringify(v));
  });
});
