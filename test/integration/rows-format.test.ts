// The stored row value format (store/repos/rows.ts): scaled-decimal words plus raw doubles, and the plain
// Float64 blobs of early workspaces, both read back as the exact values.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/main/store';
import { encodeRowValues, rowValuesCapacity } from '../../src/main/store/repos/rows';
import { WORD_MISSING, WORD_RAW } from '../../src/main/ml/csv';
import { WAFER_TRAINING_SCHEMA } from '../../src/shared/schema';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();

function workspace(): { store: Store; fileId: number } {
  const store = Store.open(join(tmp(), 'w.sqlite'));
  const schemaId = store.schemas.add('training', WAFER_TRAINING_SCHEMA, 'test', null).id;
  const fileId = store.files.startFile(
    { kind: 'training', name: 'f.csv', bytes: 1, schemaId, batch: 'b', sourcePath: null },
    'pending',
  );
  return { store, fileId };
}

describe('stored row values', () => {
  it('read back exactly from words and raw doubles, including rows that need the length padding', () => {
    const { store, fileId } = workspace();
    const n = 8;
    const rows: { words: number[]; values: number[] }[] = [
      // scaled words: 2968.33, -6273.75, 0.001, 7; missing; raw -0, 1e300 and 0.1 + 0.2
      {
        words: [
          296833 * 16 + 2,
          -627375 * 16 + 2,
          1 * 16 + 3,
          7 * 16,
          WORD_MISSING,
          WORD_RAW,
          WORD_RAW,
          WORD_RAW,
        ],
        values: [2968.33, -6273.75, 0.001, 7, NaN, -0, 1e300, 0.1 + 0.2],
      },
      // exactly half raw: 4n + 8 * n/2 = 8n bytes, the plain Float64 length, so the writer pads it
      {
        words: [WORD_RAW, WORD_RAW, WORD_RAW, WORD_RAW, 5 * 16 + 1, WORD_MISSING, -3 * 16, 0],
        values: [Math.PI, -Math.E, 123456789012.5, Number.MAX_VALUE, 0.5, NaN, -3, 0],
      },
    ];
    const blob = Buffer.alloc(rowValuesCapacity(n));
    rows.forEach((r, i) => {
      const len = encodeRowValues(Int32Array.from(r.words), Float64Array.from(r.values), blob);
      expect(len).not.toBe(8 * n);
      store.files.insertRow(fileId, i + 1, `W${i}`, -1, false, blob.subarray(0, len));
    });
    // A row written by an earlier version: n plain Float64 values.
    const old = Float64Array.from([1.25, NaN, -0, 3, 4, 5, 6, 7]);
    store.files.insertRow(fileId, 3, 'W2', 1, true, Buffer.from(old.buffer));
    const m = store.rows.matrixForFiles([fileId], n);
    const want = [...rows.map((r) => r.values), Array.from(old)];
    for (let r = 0; r < want.length; r++) {
      for (let f = 0; f < n; f++) {
        if (!Object.is(m.X[f * m.nRows + r], want[r]![f])) {
          throw new Error(`row ${r} value ${f}: ${m.X[f * m.nRows + r]} vs ${want[r]![f]}`);
        }
      }
    }
    expect(m.wafers).toEqual(['W0', 'W1', 'W2']);
    store.close();
  });

  it('reads any range of a multi-file sequence as the same rows the whole matrix holds there', () => {
    const { store, fileId } = workspace();
    const schemaId = store.schemas.list('training')[0]!.id;
    const second = store.files.startFile(
      { kind: 'training', name: 'g.csv', bytes: 1, schemaId, batch: 'b', sourcePath: null },
      'pending-g',
    );
    const n = 3;
    // Row k of the sequence holds k, k + 0.5 and -k; file f.csv has 5 rows, g.csv 4 (listed second first).
    const put = (file: number, rowNo: number, k: number) =>
      store.files.insertRow(
        file,
        rowNo,
        `W${k}`,
        -1,
        false,
        Buffer.from(Float64Array.from([k, k + 0.5, -k]).buffer),
      );
    for (let r = 1; r <= 4; r++) put(second, r, r - 1);
    for (let r = 1; r <= 5; r++) put(fileId, r, 3 + r);
    const order = [second, fileId];
    const whole = store.rows.matrixForFiles(order, n);
    expect(whole.wafers).toEqual(['W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8']);
    for (let start = 0; start <= 10; start++) {
      for (const count of [1, 2, 4, 5, 9, 20]) {
        const part = store.rows.matrixForFiles(order, n, { start, count });
        const want = whole.wafers.slice(start, start + count);
        expect(part.wafers, `start ${start} count ${count}`).toEqual(want);
        for (let i = 0; i < part.nRows; i++) {
          for (let f = 0; f < n; f++)
            expect(part.X[f * part.nRows + i]).toBe(whole.X[f * whole.nRows + start + i]);
          expect(part.rowIds[i]).toBe(whole.rowIds[start + i]);
        }
      }
    }
    store.close();
  });

  it('refuses a file whose stored rows are not numbered 1..n instead of reading a wrong range', () => {
    const { store, fileId } = workspace();
    for (const rowNo of [1, 2, 4])
      store.files.insertRow(fileId, rowNo, `W${rowNo}`, -1, false, Buffer.alloc(24));
    expect(() => store.rows.matrixForFiles([fileId], 3)).toThrow(/not numbered 1\.\.n/);
    expect(() => store.rows.matrixForFiles([fileId], 3, { start: 1, count: 2 })).toThrow(
      /not numbered 1\.\.n/,
    );
    store.close();
  });

  it('refuses a blob too short for the feature count', () => {
    const { store, fileId } = workspace();
    store.files.insertRow(fileId, 1, 'W0', -1, false, Buffer.alloc(12));
    expect(() => store.rows.matrixForFiles([fileId], 8)).toThrow(/too few/);
    store.close();
  });
});
