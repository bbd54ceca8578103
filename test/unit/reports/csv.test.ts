import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREDICTIONS_CSV_HEADER, writePredictionsCsv } from '../../../src/main/reports';
import { useTempDir } from '../../helpers/tmp';
import { EVIL_FILE, EVIL_FORMULA_WAFER, EVIL_SCRIPT_WAFER, makeReportData } from './fixture';

/** RFC 4180 records (quotes, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const tmp = useTempDir('wfs-reports-');

describe('writePredictionsCsv', () => {
  it('writes the reference Predictions.csv shape plus our columns, one record per prediction', async () => {
    const data = makeReportData();
    const path = join(tmp(), 'Predictions.csv');
    const result = await writePredictionsCsv(data, path);
    const text = readFileSync(path, 'utf8');
    expect(result).toEqual({ rows: 300, bytes: statSync(path).size });
    expect(text.split('\n')[0]).toBe(
      'Wafer,Prediction,Probability,Cluster,ModelVersion,Unfamiliar,File,TopSensors',
    );
    expect([...PREDICTIONS_CSV_HEADER].slice(0, 2)).toEqual(['Wafer', 'Prediction']);
    const records = parseCsv(text);
    expect(records).toHaveLength(301);
    for (const r of records) expect(r).toHaveLength(8);
    records.slice(1).forEach((r, i) => {
      const row = data.rows[i]!;
      expect(r[1]).toBe(row.faulty ? '1' : '-1');
      expect(Number(r[2])).toBeCloseTo(row.probability, 5);
      expect(r[3]).toBe(String(row.cluster));
      expect(r[4]).toBe('3');
      expect(r[5]).toBe(row.unfamiliar ? 'true' : 'false');
      expect(r[6]).toBe(row.fileName);
    });
  });

  it('lists the top three sensors towards faulty with their signed effect', async () => {
    const data = makeReportData();
    const path = join(tmp(), 'p.csv');
    await writePredictionsCsv(data, path);
    const records = parseCsv(readFileSync(path, 'utf8')).slice(1);
    const withExplanation = records.filter((r, i) => data.rows[i]!.explanation !== null);
    expect(withExplanation.length).toBeGreaterThan(250);
    for (const r of withExplanation) {
      expect(r[7]).toMatch(/^Sensor - \d+ \(\+\d+\.\d\d\)(; Sensor - \d+ \(\+\d+\.\d\d\)){2}$/);
      expect(r[7]!.startsWith('Sensor - 59 (')).toBe(true);
    }
    const without = records.filter((_, i) => data.rows[i]!.explanation === null);
    expect(without.length).toBeGreaterThan(0);
    for (const r of without) expect(r[7]).toBe('');
  });

  it('escapes formulas and quotes in user data; numbers stay numbers', async () => {
    const data = makeReportData();
    data.rows[0]!.wafer = '-5.5';
    data.rows[1]!.wafer = '@SUM(A1:A9)';
    data.rows[2]!.fileName = '+cmd|calc.csv';
    const path = join(tmp(), 'p.csv');
    await writePredictionsCsv(data, path);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""evil.example"",""open"")",1,`);
    expect(text).not.toMatch(/(^|\n|,)=HYPERLINK/);
    expect(text).toContain(`${EVIL_SCRIPT_WAFER},1,`);
    expect(text).toContain(`,${EVIL_FILE},`);
    expect(text).toContain('\n-5.5,');
    expect(text).toContain("\n'@SUM(A1:A9),");
    expect(text).toContain(",'+cmd|calc.csv,");
    const wafers = parseCsv(text).map((r) => r[0]);
    expect(wafers).toContain(`'${EVIL_FORMULA_WAFER}`);
  });

  it('streams 100,000 rows', async () => {
    const data = makeReportData();
    const base = data.rows;
    data.rows = Array.from({ length: 100_000 }, (_, i) => ({
      ...base[i % base.length]!,
      wafer: `Wafer-${i}`,
    }));
    const path = join(tmp(), 'big.csv');
    const result = await writePredictionsCsv(data, path);
    expect(result.rows).toBe(100_000);
    expect(result.bytes).toBe(statSync(path).size);
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')).toHaveLength(100_002); // header, rows, and the empty string after the last newline
  });

  it('rejects when the file cannot be written', async () => {
    await expect(
      writePredictionsCsv(makeReportData({ rows: 5 }), join(tmp(), 'missing-dir', 'p.csv')),
    ).rejects.toThrow();
  });
});
