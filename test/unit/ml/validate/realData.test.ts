// The reference data set (/work/shared/data/wafer): which files pass, and exactly why the others fail.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateFileBytes, type FileValidationResult } from '../../../../src/main/ml/validate';
import {
  WAFER_PREDICTION_SCHEMA,
  WAFER_TRAINING_SCHEMA,
  type DataSchema,
} from '../../../../src/shared/schema';

const DATA = '/work/shared/data/wafer';
const hasData = existsSync(join(DATA, 'training_batch')) && existsSync(join(DATA, 'prediction_batch'));

const EMPTY_SENSORS = [86, 110, 111, 112, 221, 245, 246, 247, 359, 383, 384, 385, 493, 517, 518, 519];

// Lower-case files whose 16 sensors above have no value at all (same set in both batches).
const ALL_MISSING = [
  'wafer_07012020_041011.csv',
  'wafer_20012020_090819.csv',
  'wafer_22022020_041119.csv',
  'wafer_23012020_011008.csv',
  'wafer_28012020_051011.csv',
  'wafer_29012020_060756.csv',
  'wafer_31012020_090811.csv',
];
const GOOD = [
  'wafer_13012020_090817.csv',
  'wafer_16012020_051629.csv',
  'wafer_20022020_090716.csv',
  'wafer_21012020_080913.csv',
  'wafer_23012020_041211.csv',
  'wafer_27012020_080911.csv',
  'wafer_28012020_090817.csv',
  'wafer_28042020_031911.csv',
  'wafer_29012020_050617.csv',
];

function runDir(dir: string, schema: DataSchema, chunk: number) {
  const results = new Map<string, FileValidationResult>();
  const ids: string[] = [];
  const labels = new Map<number, number>();
  for (const f of readdirSync(join(DATA, dir)).sort()) {
    const bytes = readFileSync(join(DATA, dir, f));
    const rows: { id: string; label: number | null; values: number[] }[] = [];
    const r = validateFileBytes(schema, f, bytes, {
      chunkSize: chunk,
      onRow: (row) => rows.push({ id: row.id, label: row.label, values: Array.from(row.values) }),
    });
    results.set(f, r);
    if (r.status === 'good') {
      expect(rows).toHaveLength(r.rows);
      for (const row of rows) {
        ids.push(row.id);
        if (row.label !== null) labels.set(row.label, (labels.get(row.label) ?? 0) + 1);
        expect(row.values).toHaveLength(590);
      }
    }
  }
  return { results, ids, labels };
}

const codesOf = (r: FileValidationResult) => r.reasons.map((x) => x.code);

describe.skipIf(!hasData)('reference wafer data', () => {
  it('training batch: 9 good files, 837 rows (800 x -1, 37 x 1); every bad file gets exactly its reasons', () => {
    const { results, ids, labels } = runDir('training_batch', WAFER_TRAINING_SCHEMA, 65536);
    expect(results.size).toBe(41);
    const good = [...results].filter(([, r]) => r.status === 'good').map(([f]) => f);
    expect(good).toEqual(GOOD);
    expect(ids).toHaveLength(837);
    expect(new Set(ids).size).toBe(837);
    expect(Object.fromEntries(labels)).toEqual({ '-1': 800, '1': 37 });

    for (const [f, r] of results) {
      let want: string[];
      if (GOOD.includes(f)) want = [];
      else if (ALL_MISSING.includes(f)) want = ['column_all_missing'];
      else if (f === 'wafer_16012020_134553.csv' || f === 'wafer_17012020_125434.csv')
        want = ['column_count'];
      else {
        // Every other name starts with "Wafer" (capital W); their content has 591 (or 563) columns, not 592.
        expect(f.startsWith('Wafer')).toBe(true);
        want = ['name_pattern'];
        if (f === 'Wafer_12012020_111.csv') want.push('time_stamp_length');
        if (f === 'Wafer_15010_130532.csv' || f === 'Waferdefault_15010_130532.csv')
          want.push('date_stamp_length');
        want.push('column_count');
      }
      expect(codesOf(r), f).toEqual(want);
      if (ALL_MISSING.includes(f)) {
        const cols = r.reasons[0]!.columns!;
        expect(cols.map((c) => c.name)).toEqual(EMPTY_SENSORS.map((n) => `Sensor - ${n}`));
        expect(cols.map((c) => c.header)).toEqual(EMPTY_SENSORS.map((n) => `Sensor-${n}`));
        expect(cols.map((c) => c.index)).toEqual(EMPTY_SENSORS.map((n) => n + 1));
      }
    }
    expect(results.get('wafer_16012020_134553.csv')!.reasons[0]!.message).toBe(
      'The file has 591 columns but the schema expects 592 (including the label column).',
    );
    expect([...results.values()].filter((r) => r.status === 'bad')).toHaveLength(32);
  });

  it('prediction batch: 9 good files with the same 837 wafers, 10 bad', () => {
    const train = runDir('training_batch', WAFER_TRAINING_SCHEMA, 65536);
    const { results, ids } = runDir('prediction_batch', WAFER_PREDICTION_SCHEMA, 65536);
    expect(results.size).toBe(19);
    const good = [...results].filter(([, r]) => r.status === 'good').map(([f]) => f);
    expect(good).toEqual(GOOD);
    expect(new Set(ids)).toEqual(new Set(train.ids));
    for (const [f, r] of results) {
      const want: string[] = [];
      if (f.startsWith('Wafer')) want.push('name_pattern');
      if (f === 'Wafer_15010_130532.csv') want.push('date_stamp_length');
      if (!GOOD.includes(f)) want.push('column_all_missing');
      expect(codesOf(r), f).toEqual(want);
    }
    expect([...results.values()].filter((r) => r.status === 'bad')).toHaveLength(10);
  });

  it('gives the same verdicts and rows for odd chunk sizes', () => {
    const a = runDir('training_batch', WAFER_TRAINING_SCHEMA, 65536);
    const b = runDir('training_batch', WAFER_TRAINING_SCHEMA, 997);
    expect([...b.results.values()].map((r) => r.reasons)).toEqual(
      [...a.results.values()].map((r) => r.reasons),
    );
    expect(b.ids).toEqual(a.ids);
  });

  it('reads sensor values exactly as Number() reads the text', () => {
    const f = join(DATA, 'training_batch', 'wafer_13012020_090817.csv');
    const text = readFileSync(f, 'latin1');
    const lines = text.split('\r\n').filter((l) => l !== '');
    const got: number[][] = [];
    validateFileBytes(WAFER_TRAINING_SCHEMA, 'wafer_13012020_090817.csv', readFileSync(f), {
      onRow: (row) => got.push(Array.from(row.values)),
    });
    lines.slice(1).forEach((line, i) => {
      const want = line
        .split(',')
        .slice(1, 591)
        .map((c) => (c === '' ? NaN : Number(c)));
      expect(got[i]).toEqual(want);
    });
  });
});
