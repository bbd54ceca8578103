import { describe, expect, it } from 'vitest';
import {
  createFileValidator,
  duplicateFileReason,
  validateFileBytes,
  type FileValidationResult,
} from '../../../../src/main/ml/validate';
import { parseDataSchema, type DataSchema, type ReasonCode } from '../../../../src/shared/schema';
import { WORD_RAW, wordValue } from '../../../../src/main/ml/csv';

const enc = new TextEncoder();

// A small wafer-like agreement: id, two float sensors, one integer sensor, label.
const SCHEMA: DataSchema = parseDataSchema({
  sampleFileName: 'wafer_08012020_120000.csv',
  dateStampLength: 8,
  timeStampLength: 6,
  columns: [
    { name: 'Wafer', type: 'varchar' },
    { name: 'Sensor - 1', type: 'float' },
    { name: 'Sensor - 2', type: 'float' },
    { name: 'Sensor - 3', type: 'integer' },
    { name: 'Output', type: 'integer' },
  ],
  idColumn: 'Wafer',
  labelColumn: 'Output',
});
const PRED: DataSchema = {
  ...SCHEMA,
  columns: SCHEMA.columns.slice(0, 4),
  numberOfColumns: 4,
  labelColumn: null,
};
const NAME = 'wafer_08012020_120000.csv';
const HEADER = ',Sensor-1,Sensor-2,Sensor-3,Good/Bad';

interface Run extends FileValidationResult {
  got: { rowNo: number; id: string; values: number[]; label: number | null; faulty: boolean | null }[];
}

function check(
  text: string | Uint8Array,
  opts: { schema?: DataSchema; name?: string; chunk?: number } = {},
): Run {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const got: Run['got'] = [];
  const r = validateFileBytes(opts.schema ?? SCHEMA, opts.name ?? NAME, bytes, {
    chunkSize: opts.chunk,
    onRow: ({ words, ...row }) => {
      // Words are a compact spelling of the same values (which spelling depends on the chunking).
      words.forEach((w, k) => {
        if ((w & 15) !== WORD_RAW && !Object.is(wordValue(w), row.values[k])) {
          throw new Error(`row ${row.rowNo} value ${k}: word ${w} is not ${row.values[k]}`);
        }
      });
      got.push({ ...row, values: Array.from(row.values) });
    },
  });
  return { ...r, got };
}

/** Same verdict, reasons and rows for every chunk size from 1 byte up. */
function checkAllChunks(text: string | Uint8Array, opts: { schema?: DataSchema; name?: string } = {}): Run {
  const whole = check(text, opts);
  const len = typeof text === 'string' ? enc.encode(text).length : text.length;
  for (let c = 1; c <= Math.min(len, 40); c++) {
    const part = check(text, { ...opts, chunk: c });
    expect({ ...part, got: part.got }, `chunk ${c}`).toEqual(whole);
  }
  return whole;
}

const codes = (r: FileValidationResult): ReasonCode[] => r.reasons.map((x) => x.code);

describe('good files and tolerated variants', () => {
  it('delivers every good row with id, sensor values (NaN = missing) and label', () => {
    const r = checkAllChunks(
      `${HEADER}\r\nWafer-1,1.5,-2,3,-1\r\nWafer-2,,NA,4,1\r\nWafer-3,2.25,NaN,NULL,-1\r\n`,
    );
    expect(r.status).toBe('good');
    expect(r.reasons).toEqual([]);
    expect(r.rows).toBe(3);
    expect(r.deliveredRows).toBe(3);
    expect(r.got).toEqual([
      { rowNo: 1, id: 'Wafer-1', values: [1.5, -2, 3], label: -1, faulty: false },
      { rowNo: 2, id: 'Wafer-2', values: [NaN, NaN, 4], label: 1, faulty: true },
      { rowNo: 3, id: 'Wafer-3', values: [2.25, NaN, NaN], label: -1, faulty: false },
    ]);
    expect(r.labelCounts).toEqual({ good: 2, faulty: 1 });
    expect(r.columnMissingCounts).toEqual([0, 1, 2, 1, 0]);
    expect(r.header).toEqual(['', 'Sensor-1', 'Sensor-2', 'Sensor-3', 'Good/Bad']);
  });

  it('tolerates a BOM, LF endings, no final line end, quoted values and an "Unnamed: 0" id header', () => {
    const r = checkAllChunks(
      `\uFEFF"Unnamed: 0",Sensor-1,"Sensor-2",Sensor-3,Good/Bad\n"Wafer, ""A""","1.5",2,"3",-1\nWafer-é,1,2,3,1`,
    );
    expect(r.reasons).toEqual([]);
    expect(r.hadBom).toBe(true);
    expect(r.got.map((g) => g.id)).toEqual(['Wafer, "A"', 'Wafer-é']);
    expect(r.got[0]!.values).toEqual([1.5, 2, 3]);
  });

  it('keeps a quoted line break, a CRLF pair and a multi-byte char intact at every chunk boundary', () => {
    const r = checkAllChunks(`${HEADER}\r\n"Wafer\r\n日本",1e3,"-0.5",7,1\r\n`);
    expect(r.status).toBe('good');
    expect(r.got).toEqual([
      { rowNo: 1, id: 'Wafer\r\n日本', values: [1000, -0.5, 7], label: 1, faulty: true },
    ]);
  });

  it('skips blank lines, including trailing ones', () => {
    const r = check(`${HEADER}\r\n\r\nWafer-1,1,2,3,-1\r\n\r\n\r\n`);
    expect(r.reasons).toEqual([]);
    expect(r.rows).toBe(1);
  });

  it('works for a prediction schema (no label)', () => {
    const r = check(',Sensor-1,Sensor-2,Sensor-3\nW1,1,2,3\n', { schema: PRED });
    expect(r.status).toBe('good');
    expect(r.labelCounts).toBeNull();
    expect(r.got[0]).toEqual({ rowNo: 1, id: 'W1', values: [1, 2, 3], label: null, faulty: null });
  });

  it('honours case-insensitive names and custom missing tokens', () => {
    const body = `${HEADER}\nW1,-999,2,3,-1\nW2,1,2,3,1\n`;
    expect(codes(check(body, { name: 'Wafer_08012020_120000.csv' }))).toEqual(['name_pattern']);
    const ci = { ...SCHEMA, caseInsensitiveName: true, missingTokens: ['', '-999'] };
    const r = check(body, { name: 'Wafer_08012020_120000.csv', schema: ci });
    expect(r.reasons).toEqual([]);
    expect(r.got[0]!.values[0]).toBeNaN();
  });
});

describe('reasons', () => {
  const good = `${HEADER}\r\nWafer-1,1,2,3,-1\r\n`;

  it('name_pattern, date_stamp_length, time_stamp_length, date', () => {
    expect(codes(check(good, { name: 'Wafer_08012020_120000.csv' }))).toEqual(['name_pattern']);
    expect(codes(check(good, { name: 'wafer_0801202_120000.csv' }))).toEqual(['date_stamp_length']);
    expect(codes(check(good, { name: 'wafer_08012020_1200.csv' }))).toEqual(['time_stamp_length']);
    expect(codes(check(good, { name: 'wafer_32012020_120000.csv' }))).toEqual(['date']);
    expect(codes(check(good, { name: 'wafer_08012020_250000.csv' }))).toEqual(['date']);
    const r = check(good, { name: 'wafer_08012020_1200.csv' });
    expect(r.reasons[0]!.message).toMatch(/time stamp "1200" has 4 digits; the schema expects 6/);
    // A file with a bad name streams no rows: it can never be good.
    expect(r.deliveredRows).toBe(0);
  });

  it('column_count, and no per-cell noise when the columns cannot be matched', () => {
    const r = checkAllChunks(',Sensor-1,Sensor-2,Sensor-3\r\nW1,1,x,3\r\nW2,,,\r\n');
    expect(codes(r)).toEqual(['column_count']);
    expect(r.reasons[0]!.message).toBe(
      'The file has 4 columns but the schema expects 5 (including the label column).',
    );
    expect(r.deliveredRows).toBe(0);
  });

  it('column_all_missing names every such column in one reason, and only at the end', () => {
    let delivered = 0;
    const v = createFileValidator(SCHEMA, NAME, { onRow: () => delivered++ });
    v.push(enc.encode(`${HEADER}\nW1,,NA,3,-1\nW2,NULL,,4,1\n`));
    expect(delivered).toBe(2); // rows stream before the column verdict is known
    const r = v.finish();
    expect(codes(r)).toEqual(['column_all_missing']);
    expect(r.status).toBe('bad');
    expect(r.reasons[0]!.columns).toEqual([
      { index: 2, name: 'Sensor - 1', header: 'Sensor-1' },
      { index: 3, name: 'Sensor - 2', header: 'Sensor-2' },
    ]);
    expect(r.reasons[0]!.message).toBe('2 columns have no values in any row: "Sensor - 1", "Sensor - 2".');
    expect(r.columnMissingCounts).toEqual([0, 2, 2, 0, 0]);
  });

  it('non_numeric_value for text, inf, overflow, hex and a fraction in an integer column', () => {
    const r = checkAllChunks(
      `${HEADER}\nW1,abc,inf,3,-1\nW2,1e999,0x10,2.5,1\nW3,Infinity,1,3,1\nW4,1,2,3,-1\n`,
    );
    expect(codes(r)).toEqual(Array(6).fill('non_numeric_value'));
    expect(r.reasons.map((x) => [x.row, x.column!.index, x.value])).toEqual([
      [1, 2, 'abc'],
      [1, 3, 'inf'],
      [2, 2, '1e999'],
      [2, 3, '0x10'],
      [2, 4, '2.5'],
      [3, 2, 'Infinity'],
    ]);
    expect(r.reasons[0]!.message).toBe(
      'Row 1, column 2 ("Sensor - 1", header "Sensor-1"): "abc" is not a number.',
    );
    expect(r.reasons[1]!.message).toMatch(/is not a finite number/);
    expect(r.reasons[4]!.message).toMatch(/not a whole number/);
    expect(r.deliveredRows).toBe(0); // rows stop at the first reason
  });

  it('caps repeated cell reasons at 20 plus a count', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `W${i},bad,2,3,-1`).join('\n');
    const r = check(`${HEADER}\n${rows}\n`);
    expect(r.reasons).toHaveLength(21);
    expect(r.reasons[20]).toMatchObject({ code: 'non_numeric_value', count: 30 });
    expect(r.reasons[20]!.message).toBe(
      '30 more cells are not valid numbers (50 in total; only the first 20 are listed).',
    );
    const r5 = validateFileBytes(SCHEMA, NAME, enc.encode(`${HEADER}\n${rows}\n`), { maxListed: 5 });
    expect(r5.reasons).toHaveLength(6);
  });

  it('bad_label for values outside the agreed two, and an empty label', () => {
    const r = checkAllChunks(`${HEADER}\nW1,1,2,3,0\nW2,1,2,3,2\nW3,1,2,3,\nW4,1,2,3,good\nW5,1,2,3,-1\n`);
    expect(codes(r)).toEqual(['bad_label', 'bad_label', 'bad_label', 'bad_label']);
    expect(r.reasons.map((x) => x.row)).toEqual([1, 2, 3, 4]);
    expect(r.reasons[0]!.message).toBe(
      'Row 1: the label "0"; only -1 (good) or 1 (faulty) are agreed.'.replace(
        'the label "0";',
        'the label "0";',
      ),
    );
    expect(r.reasons[2]!.message).toMatch(/the label is empty/);
  });

  it('ragged_row for rows with too few or too many values, and for an unclosed quote', () => {
    const r = checkAllChunks(`${HEADER}\nW1,1,2,3,-1\nW2,1,2\nW3,1,2,3,-1,9\n`);
    expect(codes(r)).toEqual(['ragged_row', 'ragged_row']);
    expect(r.reasons.map((x) => x.row)).toEqual([2, 3]);
    expect(r.reasons[0]!.message).toBe('Row 2 has 3 values but the header has 5 columns.');
    const q = check(`${HEADER}\nW1,1,2,3,-1\nW2,"1,2,3,-1\nW3,1,2,3,-1\n`);
    expect(codes(q)).toContain('ragged_row');
    expect(q.reasons.at(-1)!.message).toMatch(/never closed/);
  });

  it('empty_file for zero bytes, a lone BOM or only blank lines', () => {
    for (const t of [new Uint8Array(0), enc.encode('\uFEFF'), enc.encode('\r\n\r\n')]) {
      const r = check(t);
      expect(codes(r)).toEqual(['empty_file']);
      expect(r.rows).toBe(0);
    }
    expect(check(new Uint8Array(0)).reasons[0]!.message).toBe('The file is empty.');
  });

  it('no_rows for a header-only file, with or without a final line end', () => {
    expect(codes(check(`${HEADER}\r\n`))).toEqual(['no_rows']);
    expect(codes(check(HEADER))).toEqual(['no_rows']);
  });

  it('not_text for NUL bytes or invalid UTF-8, also split over chunks, without content noise', () => {
    const nul = enc.encode(`${HEADER}\nW1,1,2,3,-1\n`);
    nul[HEADER.length + 4] = 0;
    const r = checkAllChunks(nul);
    expect(codes(r)).toEqual(['not_text']);
    expect(r.reasons[0]!.message).toMatch(/NUL byte/);
    const bin = new Uint8Array(300);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 37 + 11) & 0xff;
    expect(codes(check(bin))).toEqual(['not_text']);
    const latin1 = enc.encode(`${HEADER}\nW\u00e9,1,2,3,-1\n`);
    const bad = new Uint8Array([
      ...latin1.subarray(0, HEADER.length + 2),
      0xe9,
      ...latin1.subarray(HEADER.length + 4),
    ]);
    expect(codes(checkAllChunks(bad))).toEqual(['not_text']);
  });

  it('gives a file all of its reasons at once', () => {
    const r = check(`${HEADER}\nW1,x,2,3,5\nW2,1\nW3,,2,3,-1\n`, { name: 'Wafer_0801202_120000.csv' });
    expect(codes(r)).toEqual([
      'name_pattern',
      'date_stamp_length',
      'non_numeric_value',
      'bad_label',
      'ragged_row',
    ]);
    expect(r.status).toBe('bad');
    const r2 = check(`${HEADER}\nW1,,x,3,-1\n`);
    expect(codes(r2)).toEqual(['non_numeric_value', 'column_all_missing']);
  });

  it("duplicate_file is the caller's reason", () => {
    expect(duplicateFileReason('wafer_01012020_000000.csv')).toEqual({
      code: 'duplicate_file',
      message: 'This exact file (same SHA-256) was already ingested as "wafer_01012020_000000.csv".',
    });
    expect(duplicateFileReason().code).toBe('duplicate_file');
  });

  it('reuses one values buffer for every row (onRow must copy)', () => {
    const seen: Float64Array[] = [];
    validateFileBytes(SCHEMA, NAME, enc.encode(`${HEADER}\nW1,1,2,3,-1\nW2,4,5,6,1\n`), {
      onRow: (row) => seen.push(row.values),
    });
    expect(seen[0]).toBe(seen[1]);
  });
});

describe('hostile inputs', () => {
  it('stops reading a binary file after the first sign and keeps memory flat', () => {
    const v = createFileValidator(SCHEMA, NAME);
    const zeros = new Uint8Array(1 << 20);
    const before = process.memoryUsage().arrayBuffers;
    for (let k = 0; k < 64; k++) v.push(zeros);
    const r = v.finish();
    expect(codes(r)).toEqual(['not_text']);
    expect(r.bytes).toBe(64 << 20);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('rejects a text file with no line ends instead of holding it whole', () => {
    const v = createFileValidator(SCHEMA, NAME);
    const line = enc.encode('x'.repeat(1 << 20));
    for (let k = 0; k < 20; k++) v.push(line);
    const r = v.finish();
    expect(codes(r)).toEqual(['not_text']);
    expect(r.reasons[0]!.message).toMatch(/single value is longer than/);
  });
});
