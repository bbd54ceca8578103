import { describe, expect, it } from 'vitest';
import {
  decodeExplanation,
  explanationBytes,
  writeExplanation,
  type ExplanationLookup,
} from '../../../../src/main/ml/pipeline/explanation';

const lookup: ExplanationLookup = {
  sensors: ['Sensor-1', 'Sensor-2', 'Sensor-3', 'Sensor-4'],
  low: [Float64Array.of(1, 2, 3, 4), Float64Array.of(-1, -2, NaN, -4)],
  high: [Float64Array.of(10, 20, 30, 40), Float64Array.of(1, 2, 3, Infinity)],
};

function stored(
  nFaulty: number,
  nGood: number,
  features: number[],
  values: number[],
  effects: number[],
): Uint8Array {
  const n = nFaulty + nGood;
  // Written at an offset inside a larger buffer, as predictWithBundle writes a batch's rows.
  const buffer = new ArrayBuffer(3 + explanationBytes(n) + 5);
  writeExplanation(
    new DataView(buffer),
    3,
    nFaulty,
    nGood,
    Int32Array.from(features),
    Float64Array.from(values),
    Float64Array.from(effects),
  );
  return new Uint8Array(buffer, 3, explanationBytes(n));
}

describe('stored explanations', () => {
  it('read back exactly: values (missing as null), effects to the last bit, the regime ranges', () => {
    const effects = [1.234567890123e-12, 0.30000000000000004, -5e-324, -1234.5678];
    const bytes = stored(2, 2, [3, 0, 1, 2], [2968.33, NaN, -0, 4.101], effects);
    expect(bytes.byteLength).toBe(8 + 18 * 4);
    expect(decodeExplanation(bytes, lookup, 0)).toEqual({
      towardsFaulty: [
        { sensor: 'Sensor-4', value: 2968.33, effect: effects[0], low: 4, high: 40 },
        { sensor: 'Sensor-1', value: null, effect: effects[1], low: 1, high: 10 },
      ],
      towardsGood: [
        { sensor: 'Sensor-2', value: -0, effect: effects[2], low: 2, high: 20 },
        { sensor: 'Sensor-3', value: 4.101, effect: effects[3], low: 3, high: 30 },
      ],
    });
    // Another regime, another range; a range that is not a number reads as null, as JSON had it.
    const other = decodeExplanation(bytes, lookup, 1);
    expect(other.towardsFaulty[0]).toMatchObject({ low: -4, high: null });
    expect(other.towardsGood[1]).toMatchObject({ low: null, high: 3 });
    // A regime the model has no ranges for reads 0 to 0.
    expect(decodeExplanation(bytes, lookup, 7).towardsFaulty[0]).toMatchObject({ low: 0, high: 0 });
  });

  it('an empty explanation is its header', () => {
    const bytes = stored(0, 0, [], [], []);
    expect(bytes.byteLength).toBe(8);
    expect(decodeExplanation(bytes, lookup, 0)).toEqual({ towardsFaulty: [], towardsGood: [] });
  });

  it('refuses bytes that are not one', () => {
    const bytes = stored(1, 0, [2], [1], [0.5]);
    expect(() => decodeExplanation(bytes.subarray(0, 20), lookup, 0)).toThrow(/Not a stored explanation/);
    expect(() => decodeExplanation(new Uint8Array(3), lookup, 0)).toThrow(/Not a stored explanation/);
    const wrongFormat = Uint8Array.from(bytes);
    wrongFormat[0] = 2;
    expect(() => decodeExplanation(wrongFormat, lookup, 0)).toThrow(/format 2/);
    const farSensor = stored(1, 0, [9], [1], [0.5]);
    expect(() => decodeExplanation(farSensor, lookup, 0)).toThrow(/sensor 9 of 4/);
  });
});
