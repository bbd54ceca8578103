import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  WAFER_PREDICTION_SCHEMA,
  WAFER_TRAINING_SCHEMA,
  derivePrefix,
  exportReferenceSchemaJson,
  importReferenceSchemaJson,
  matchFileName,
  parseDataSchema,
  previewNames,
  schemaLayout,
  validateSchemaDefinition,
  type DataSchema,
} from '../../../src/shared/schema';

const DATA = '/work/shared/data/wafer';
const hasData = existsSync(join(DATA, 'schema_training.json'));

function codes(s: DataSchema, name: string): string[] {
  return matchFileName(s, name).map((r) => r.code);
}

function withoutRef(s: DataSchema): DataSchema {
  const { reference: _r, ...rest } = s;
  return rest;
}

describe('built-in wafer schemas', () => {
  it('have the reference shape', () => {
    expect(WAFER_TRAINING_SCHEMA.columns).toHaveLength(592);
    expect(WAFER_PREDICTION_SCHEMA.columns).toHaveLength(591);
    expect(WAFER_TRAINING_SCHEMA.columns[1]).toEqual({
      name: 'Sensor - 1',
      type: 'float',
      rawType: ' float',
    });
    expect(WAFER_TRAINING_SCHEMA.labelColumn).toBe('Output');
    expect(WAFER_PREDICTION_SCHEMA.labelColumn).toBeNull();
    expect(WAFER_TRAINING_SCHEMA.namePrefix).toBe('wafer');
    expect(validateSchemaDefinition(WAFER_TRAINING_SCHEMA)).toEqual([]);
    expect(validateSchemaDefinition(WAFER_PREDICTION_SCHEMA)).toEqual([]);
    const l = schemaLayout(WAFER_TRAINING_SCHEMA);
    expect([l.idIndex, l.labelIndex, l.featureIndexes.length]).toEqual([0, 591, 590]);
  });

  it.skipIf(!hasData)('export byte-identical to the reference files', () => {
    expect(exportReferenceSchemaJson(WAFER_TRAINING_SCHEMA)).toBe(
      readFileSync(join(DATA, 'schema_training.json'), 'utf8'),
    );
    expect(exportReferenceSchemaJson(WAFER_PREDICTION_SCHEMA)).toBe(
      readFileSync(join(DATA, 'schema_prediction.json'), 'utf8'),
    );
  });
});

describe('reference JSON import/export', () => {
  it.skipIf(!hasData)('round-trips both real files and imports them equal to the built-ins', () => {
    for (const [file, kind, builtin] of [
      ['schema_training.json', 'training', WAFER_TRAINING_SCHEMA],
      ['schema_prediction.json', 'prediction', WAFER_PREDICTION_SCHEMA],
    ] as const) {
      const text = readFileSync(join(DATA, file), 'utf8');
      const { schema, errors } = importReferenceSchemaJson(text, kind);
      expect(errors).toEqual([]);
      expect(schema).not.toBeNull();
      expect(exportReferenceSchemaJson(schema!)).toBe(text);
      expect(withoutRef(schema!)).toEqual(builtin);
      // Without the kept text the writer still reproduces the bytes.
      expect(exportReferenceSchemaJson(withoutRef(schema!))).toBe(text);
    }
  });

  const small = JSON.stringify(
    {
      SampleFileName: 'tool_01022021_101010.csv',
      LengthOfDateStampInFile: 8,
      LengthOfTimeStampInFile: 6,
      NumberofColumns: 4,
      ColName: { Id: 'varchar', 'Temp A': ' float', 'Temp B': 'FLOAT', Result: 'Integer' },
    },
    null,
    2,
  );

  it('round-trips a small schema written here, byte for byte', () => {
    const { schema, errors } = importReferenceSchemaJson(small, 'training');
    expect(errors).toEqual([]);
    expect(schema!.namePrefix).toBe('tool');
    expect(schema!.idColumn).toBe('Id');
    expect(schema!.labelColumn).toBe('Result');
    expect(schema!.columns.map((c) => c.type)).toEqual(['varchar', 'float', 'float', 'integer']);
    expect(exportReferenceSchemaJson(schema!)).toBe(small);
    // Rewritten in the reference layout, it is the same JSON with the same key order and type strings.
    const rewritten = exportReferenceSchemaJson(withoutRef(schema!));
    expect(Object.keys(JSON.parse(rewritten).ColName)).toEqual(['Id', 'Temp A', 'Temp B', 'Result']);
    expect(JSON.stringify(JSON.parse(rewritten))).toBe(JSON.stringify(JSON.parse(small)));
  });

  it('an edited schema exports the edit, not the stale original', () => {
    const { schema } = importReferenceSchemaJson(small, 'training');
    const edited: DataSchema = { ...schema!, timeStampLength: 4 };
    const out = JSON.parse(exportReferenceSchemaJson(edited));
    expect(out.LengthOfTimeStampInFile).toBe(4);
    expect(out.ColName['Temp A']).toBe(' float');
  });

  it('reports unreadable and inconsistent reference files', () => {
    expect(importReferenceSchemaJson('{nope', 'training').schema).toBeNull();
    expect(importReferenceSchemaJson('{"SampleFileName": 3}', 'training').schema).toBeNull();
    const bad = JSON.stringify({
      SampleFileName: 'x_01022021_101010.csv',
      LengthOfDateStampInFile: 8,
      LengthOfTimeStampInFile: 6,
      NumberofColumns: 5,
      ColName: { Id: 'varchar', A: 'blob', Result: 'varchar' },
    });
    const r = importReferenceSchemaJson(bad, 'training');
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('numberOfColumns');
    expect(paths).toContain('columns[1].type');
    expect(paths).toContain('labelColumn');
  });
});

describe('validateSchemaDefinition', () => {
  const base = (): DataSchema =>
    parseDataSchema({
      sampleFileName: 'wafer_08012020_120000.csv',
      dateStampLength: 8,
      timeStampLength: 6,
      columns: [
        { name: 'Wafer', type: 'varchar' },
        { name: 'S1', type: 'float' },
        { name: 'Out', type: 'integer' },
      ],
      idColumn: 'Wafer',
      labelColumn: 'Out',
    });

  it('fills defaults and derives the prefix', () => {
    const s = base();
    expect(s.namePrefix).toBe('wafer');
    expect(s.numberOfColumns).toBe(3);
    expect(s.missingTokens).toEqual(['', 'NA', 'NaN', 'NULL']);
    expect(s.caseInsensitiveName).toBe(false);
    expect(s.labelValues).toEqual({ good: -1, faulty: 1 });
    expect(validateSchemaDefinition(s)).toEqual([]);
    expect(derivePrefix('my_tool_01012020_101010.csv')).toBe('my_tool');
  });

  it('locates every problem by field', () => {
    const s = base();
    const broken: DataSchema = {
      ...s,
      numberOfColumns: 7,
      dateStampLength: 0,
      timeStampLength: -1,
      namePrefix: '',
      idColumn: 'Nope',
      labelColumn: 'Missing',
      columns: [...s.columns, { name: 'S1', type: 'float' }, { name: 'T', type: 'varchar' }],
    };
    const paths = validateSchemaDefinition(broken).map((i) => i.path);
    for (const p of [
      'numberOfColumns',
      'dateStampLength',
      'timeStampLength',
      'namePrefix',
      'idColumn',
      'labelColumn',
      'columns[3].name',
      'columns[4].type',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('requires a numeric label column and distinct numeric label values', () => {
    const s = base();
    const t: DataSchema = {
      ...s,
      columns: [s.columns[0]!, s.columns[1]!, { name: 'Out', type: 'varchar' }],
      labelValues: { good: 'ok', faulty: 'ok' },
    };
    const paths = validateSchemaDefinition(t).map((i) => i.path);
    expect(paths).toContain('labelColumn');
    expect(paths).toContain('labelValues.good');
    expect(paths).toContain('labelValues.faulty');
  });
});

describe('matchFileName', () => {
  const s = WAFER_TRAINING_SCHEMA;
  it('accepts the agreed pattern', () => {
    expect(codes(s, 'wafer_08012020_120000.csv')).toEqual([]);
    expect(codes(s, 'wafer_29022020_235959.csv')).toEqual([]);
  });
  it('is case-sensitive by default, like the reference', () => {
    expect(codes(s, 'Wafer_08012020_120000.csv')).toEqual(['name_pattern']);
    expect(codes(s, 'wafer_08012020_120000.CSV')).toEqual(['name_pattern']);
    const ci = { ...s, caseInsensitiveName: true };
    expect(codes(ci, 'Wafer_08012020_120000.csv')).toEqual([]);
    expect(codes(ci, 'WAFER_08012020_120000.CSV')).toEqual([]);
  });
  it('matches the prefix exactly (not a character class)', () => {
    expect(codes(s, 'waffer_08012020_120000.csv')).toEqual(['name_pattern']);
    expect(codes(s, 'afer_08012020_120000.csv')).toEqual(['name_pattern']);
    expect(codes(s, 'wafer_08012020_120000xcsv')).toEqual(['name_pattern']);
  });
  it('reports all name reasons together', () => {
    expect(codes(s, 'Wafer_12012020_111.csv')).toEqual(['name_pattern', 'time_stamp_length']);
    expect(codes(s, 'Waferdefault_15010_130532.csv')).toEqual(['name_pattern', 'date_stamp_length']);
    expect(codes(s, 'wafer_1501202_1305.csv')).toEqual(['date_stamp_length', 'time_stamp_length']);
    expect(codes(s, 'Wafer12_20012.csv')).toEqual(['name_pattern']);
    expect(codes(s, 'Wafer_text_130532.csv')).toEqual(['name_pattern']);
  });
  it('checks real dates and times', () => {
    expect(codes(s, 'wafer_31022020_120000.csv')).toEqual(['date']);
    expect(codes(s, 'wafer_29022021_120000.csv')).toEqual(['date']);
    expect(codes(s, 'wafer_01132020_120000.csv')).toEqual(['date']);
    expect(codes(s, 'wafer_08012020_246000.csv')).toEqual(['date']);
    expect(codes(s, 'wafer_00012020_126000.csv')).toEqual(['date', 'date']);
    for (const r of matchFileName(s, 'wafer_31022020_120000.csv'))
      expect(r.message).toMatch(/not a real date/);
  });
  it('previewNames shows the pattern and the fate of variants', () => {
    const p = previewNames(s, ['wafer_01012021_000000.csv']);
    expect(p.pattern).toBe('wafer_DDMMYYYY_HHMMSS.csv');
    expect(p.sample.ok).toBe(true);
    expect(p.examples[0]!.ok).toBe(true);
    expect(p.examples[1]!.fileName).toBe('Wafer_08012020_120000.csv');
    expect(p.examples[1]!.ok).toBe(false);
    expect(p.examples.at(-1)!.ok).toBe(true);
    expect(p.examples.filter((e) => !e.ok).length).toBeGreaterThanOrEqual(3);
  });
});
