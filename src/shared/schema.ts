// The data sharing agreement: what a sensor batch file must look like (name, columns, label values) and the
// reasons a file can be rejected. Shared by main, the ingest worker and the renderer's schema editor, so it is
// pure TypeScript + zod. It also reads and writes the reference system's schema_*.json files unchanged.

import { z } from 'zod';
import { matchFileName, namePatternText, type NameReason } from './schema-names';

// The file-name rule and the column layout live in schema-names.ts, which does not load zod: the ingest
// worker needs them, and zod takes ~100 ms to load, on the critical path of every worker's start.
export { matchFileName, namePatternText, schemaLayout, type NameReason } from './schema-names';

export type ColumnType = 'varchar' | 'float' | 'integer';

export interface SchemaColumn {
  name: string;
  type: ColumnType;
  // The type text as the reference JSON spelled it (e.g. " float" with its leading space), kept so an
  // imported schema exports byte-for-byte; absent for columns created in the app.
  rawType?: string;
}

export type LabelValue = number | string;

export interface DataSchema {
  sampleFileName: string;
  dateStampLength: number;
  timeStampLength: number;
  // The reference JSON states the count separately from the list; kept so a mismatch can be reported.
  numberOfColumns: number;
  columns: SchemaColumn[];
  idColumn: string;
  labelColumn: string | null;
  labelValues: { good: LabelValue; faulty: LabelValue };
  labelNames: { good: string; faulty: string };
  missingTokens: string[];
  caseInsensitiveName: boolean;
  namePrefix: string;
  // Original text of an imported reference JSON: exported verbatim while the schema still says the same.
  reference?: { kind: SchemaKind; text: string };
}

export type SchemaKind = 'training' | 'prediction';

export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'NaN', 'NULL'];

// ---------------------------------------------------------------------------------------------------------
// Reasons a file is rejected (produced by matchFileName here and by the validator in main/ml/validate).

export type ReasonCode =
  | 'name_pattern'
  | 'date_stamp_length'
  | 'time_stamp_length'
  | 'date'
  | 'column_count'
  | 'column_all_missing'
  | 'non_numeric_value'
  | 'bad_label'
  | 'ragged_row'
  | 'empty_file'
  | 'no_rows'
  | 'not_text'
  | 'duplicate_file';

export const REASON_CODES: readonly ReasonCode[] = [
  'name_pattern',
  'date_stamp_length',
  'time_stamp_length',
  'date',
  'column_count',
  'column_all_missing',
  'non_numeric_value',
  'bad_label',
  'ragged_row',
  'empty_file',
  'no_rows',
  'not_text',
  'duplicate_file',
];

export interface ReasonColumn {
  index: number; // 1-based position in the file
  name: string; // the schema's name for that position ('' when the file has more columns than the schema)
  header?: string; // what the file's header row calls it
}

export interface Reason {
  code: ReasonCode;
  message: string;
  row?: number; // 1-based data row (the header is row 0)
  column?: ReasonColumn;
  columns?: ReasonColumn[]; // column_all_missing: every such column
  count?: number; // summary reasons: how many occurrences were not listed one by one
  value?: string; // the offending cell text, shortened
}

export type FileStatus = 'good' | 'bad' | 'duplicate';

// ---------------------------------------------------------------------------------------------------------
// zod schema. Input may omit the fields that have defaults or can be derived; parseDataSchema fills them.

const labelValue = z.union([z.number(), z.string()]);

export const schemaColumnZ = z.object({
  name: z.string(),
  type: z.enum(['varchar', 'float', 'integer']),
  rawType: z.string().optional(),
});

export const dataSchemaZ = z.object({
  sampleFileName: z.string(),
  dateStampLength: z.number().int(),
  timeStampLength: z.number().int(),
  numberOfColumns: z.number().int().optional(),
  columns: z.array(schemaColumnZ),
  idColumn: z.string(),
  labelColumn: z.string().nullable(),
  labelValues: z.object({ good: labelValue, faulty: labelValue }).default({ good: -1, faulty: 1 }),
  labelNames: z.object({ good: z.string(), faulty: z.string() }).default({ good: 'good', faulty: 'faulty' }),
  missingTokens: z.array(z.string()).default([...DEFAULT_MISSING_TOKENS]),
  caseInsensitiveName: z.boolean().default(false),
  namePrefix: z.string().optional(),
  reference: z.object({ kind: z.enum(['training', 'prediction']), text: z.string() }).optional(),
});

export type DataSchemaInput = z.input<typeof dataSchemaZ>;

/** Prefix of a sample name like "wafer_08012020_120000.csv": everything before the last two '_' parts. */
export function derivePrefix(sampleFileName: string): string {
  const base = sampleFileName.replace(/\.csv$/i, '');
  const parts = base.split('_');
  return parts.length >= 3 ? parts.slice(0, -2).join('_') : (parts[0] ?? '');
}

/** Parse and complete a schema (defaults, derived prefix and column count). Throws a ZodError on bad shape. */
export function parseDataSchema(input: unknown): DataSchema {
  const p = dataSchemaZ.parse(input);
  const out: DataSchema = {
    sampleFileName: p.sampleFileName,
    dateStampLength: p.dateStampLength,
    timeStampLength: p.timeStampLength,
    numberOfColumns: p.numberOfColumns ?? p.columns.length,
    columns: p.columns.map((c) => (c.rawType === undefined ? { name: c.name, type: c.type } : { ...c })),
    idColumn: p.idColumn,
    labelColumn: p.labelColumn,
    labelValues: { ...p.labelValues },
    labelNames: { ...p.labelNames },
    missingTokens: [...p.missingTokens],
    caseInsensitiveName: p.caseInsensitiveName,
    namePrefix: p.namePrefix ?? derivePrefix(p.sampleFileName),
  };
  if (p.reference) out.reference = { ...p.reference };
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Definition checks for the schema editor: every problem, each located by a field path.

export interface SchemaIssue {
  path: string; // e.g. 'numberOfColumns', 'columns[12].name', 'labelValues.faulty'
  message: string;
}

export function validateSchemaDefinition(s: DataSchema): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  if (!s.namePrefix || s.namePrefix.trim() === '')
    add('namePrefix', 'The file name prefix must not be empty.');
  else if (/[\\/]/.test(s.namePrefix)) add('namePrefix', 'The file name prefix must not contain / or \\.');
  for (const f of ['dateStampLength', 'timeStampLength'] as const) {
    if (!Number.isInteger(s[f]) || s[f] <= 0) add(f, `${f} must be a positive whole number (got ${s[f]}).`);
  }
  if (s.columns.length === 0) add('columns', 'The schema must list at least one column.');
  if (s.numberOfColumns !== s.columns.length) {
    add(
      'numberOfColumns',
      `NumberofColumns says ${s.numberOfColumns} but the column list has ${s.columns.length} columns.`,
    );
  }
  const seen = new Map<string, number>();
  s.columns.forEach((c, i) => {
    if (c.name.trim() === '') add(`columns[${i}].name`, `Column ${i + 1} has no name.`);
    const prev = seen.get(c.name);
    if (prev !== undefined) {
      add(`columns[${i}].name`, `Column ${i + 1} repeats the name "${c.name}" of column ${prev + 1}.`);
    } else seen.set(c.name, i);
  });
  const idIdx = s.columns.findIndex((c) => c.name === s.idColumn);
  if (idIdx < 0) add('idColumn', `The id column "${s.idColumn}" is not in the column list.`);
  let labelIdx = -1;
  if (s.labelColumn !== null) {
    labelIdx = s.columns.findIndex((c) => c.name === s.labelColumn);
    if (labelIdx < 0) add('labelColumn', `The label column "${s.labelColumn}" is not in the column list.`);
    else {
      const t = s.columns[labelIdx]!.type;
      if (t !== 'float' && t !== 'integer') {
        add(
          'labelColumn',
          `The label column "${s.labelColumn}" must be numeric (float or integer), not ${t}.`,
        );
      }
      if (labelIdx === idIdx) add('labelColumn', 'The label column cannot also be the id column.');
    }
    for (const k of ['good', 'faulty'] as const) {
      const v = s.labelValues[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        add(
          `labelValues.${k}`,
          `The ${k} label value must be a finite number because the label column is numeric.`,
        );
      } else if (labelIdx >= 0 && s.columns[labelIdx]!.type === 'integer' && !Number.isInteger(v)) {
        add(`labelValues.${k}`, `The ${k} label value must be a whole number for an integer label column.`);
      }
    }
    if (s.labelValues.good === s.labelValues.faulty) {
      add('labelValues.faulty', 'The good and faulty label values must differ.');
    }
  }
  s.columns.forEach((c, i) => {
    if (c.type === 'varchar' && i !== idIdx) {
      add(`columns[${i}].type`, `Column "${c.name}" is text; only the id column may be text.`);
    }
  });
  for (const k of ['good', 'faulty'] as const) {
    if (s.labelNames[k].trim() === '') add(`labelNames.${k}`, `The ${k} label needs a display name.`);
  }
  s.missingTokens.forEach((t, i) => {
    if (t !== t.trim()) add(`missingTokens[${i}]`, `Missing-value token "${t}" has surrounding spaces.`);
    if (/[",\r\n]/.test(t))
      add(`missingTokens[${i}]`, `Missing-value token "${t}" contains a quote, comma or newline.`);
  });
  const sampleReasons = matchFileName(s, s.sampleFileName);
  if (issues.every((x) => x.path !== 'namePrefix') && sampleReasons.length > 0) {
    add('sampleFileName', `The sample file name does not follow the schema: ${sampleReasons[0]!.message}`);
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------
// File-name previews for the schema editor (the rule itself is in schema-names.ts).

export interface NamePreview {
  pattern: string; // e.g. "wafer_DDDDDDDD_TTTTTT.csv"
  sample: { fileName: string; ok: boolean; reasons: NameReason[] };
  examples: { fileName: string; ok: boolean; reasons: NameReason[] }[];
}

/** Live preview for the schema editor: the pattern and how the sample name and a few variants fare. */
export function previewNames(s: DataSchema, extraNames: string[] = []): NamePreview {
  const n = (v: number) => (Number.isInteger(v) ? Math.min(Math.max(v, 1), 64) : 1);
  const dateOk = s.dateStampLength === 8 ? '08012020' : '1'.repeat(n(s.dateStampLength));
  const timeOk = s.timeStampLength === 6 ? '120000' : '1'.repeat(n(s.timeStampLength));
  const flipCase = (p: string) =>
    p === p.toLowerCase() ? p.charAt(0).toUpperCase() + p.slice(1) : p.toLowerCase();
  const candidates = [
    `${s.namePrefix}_${dateOk}_${timeOk}.csv`,
    `${flipCase(s.namePrefix)}_${dateOk}_${timeOk}.csv`,
    `${s.namePrefix}_${dateOk.slice(0, -1)}_${timeOk}.csv`,
    `${s.namePrefix}_${dateOk}_${timeOk}0.csv`,
    ...(s.dateStampLength === 8 ? [`${s.namePrefix}_31022020_${timeOk}.csv`] : []),
    ...extraNames,
  ];
  const check = (fileName: string) => {
    const reasons = matchFileName(s, fileName);
    return { fileName, ok: reasons.length === 0, reasons };
  };
  return { pattern: namePatternText(s), sample: check(s.sampleFileName), examples: candidates.map(check) };
}

// ---------------------------------------------------------------------------------------------------------
// Reference JSON (schema_training.json / schema_prediction.json of the reference system).

const referenceZ = z.object({
  SampleFileName: z.string(),
  LengthOfDateStampInFile: z.number(),
  LengthOfTimeStampInFile: z.number(),
  NumberofColumns: z.number(),
  ColName: z.record(z.string(), z.string()),
});

function typeFromReference(raw: string): ColumnType | null {
  const t = raw.trim().toLowerCase();
  if (t === 'varchar' || t === 'string' || t === 'text' || t === 'str' || t === 'object') return 'varchar';
  if (t === 'float' || t === 'double' || t === 'real' || t === 'number' || t === 'float64') return 'float';
  if (t === 'integer' || t === 'int' || t === 'int64' || t === 'bigint') return 'integer';
  return null;
}

function referenceTypeText(c: SchemaColumn): string {
  if (c.rawType !== undefined && typeFromReference(c.rawType) === c.type) return c.rawType;
  return c.type === 'varchar' ? 'varchar' : c.type === 'float' ? 'float' : 'Integer';
}

export interface ReferenceImport {
  schema: DataSchema | null; // null only when the text is not a reference schema at all
  errors: SchemaIssue[]; // JSON/shape problems, then validateSchemaDefinition's findings
}

/**
 * Read a reference schema JSON. Columns keep the JSON's order; the first is the id column and, for a
 * training schema, the last is the label column. Label values follow the wafer agreement (good -1, faulty 1).
 */
export function importReferenceSchemaJson(text: string, kind: SchemaKind): ReferenceImport {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { schema: null, errors: [{ path: '', message: `Not valid JSON: ${(e as Error).message}` }] };
  }
  const r = referenceZ.safeParse(json);
  if (!r.success) {
    return {
      schema: null,
      errors: r.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: `Reference schema: ${i.message}`,
      })),
    };
  }
  const ref = r.data;
  const errors: SchemaIssue[] = [];
  const columns: SchemaColumn[] = Object.entries(ref.ColName).map(([name, rawType], i) => {
    const type = typeFromReference(rawType);
    if (type === null)
      errors.push({ path: `columns[${i}].type`, message: `Unknown column type "${rawType}" for "${name}".` });
    return { name, type: type ?? 'float', rawType };
  });
  const schema: DataSchema = {
    sampleFileName: ref.SampleFileName,
    dateStampLength: ref.LengthOfDateStampInFile,
    timeStampLength: ref.LengthOfTimeStampInFile,
    numberOfColumns: ref.NumberofColumns,
    columns,
    idColumn: columns[0]?.name ?? '',
    labelColumn: kind === 'training' ? (columns[columns.length - 1]?.name ?? '') : null,
    labelValues: { good: -1, faulty: 1 },
    labelNames: { good: 'good', faulty: 'faulty' },
    missingTokens: [...DEFAULT_MISSING_TOKENS],
    caseInsensitiveName: false,
    namePrefix: derivePrefix(ref.SampleFileName),
    reference: { kind, text },
  };
  errors.push(...validateSchemaDefinition(schema));
  return { schema, errors };
}

// What the reference JSON can express; the rest of DataSchema (labels, tokens, prefix) is app-side only.
function referenceFingerprint(s: DataSchema): string {
  return JSON.stringify([
    s.sampleFileName,
    s.dateStampLength,
    s.timeStampLength,
    s.numberOfColumns,
    s.columns.map((c) => [c.name, referenceTypeText(c)]),
  ]);
}

/**
 * Write the reference JSON. An imported schema that still says the same gives back its original text
 * byte-for-byte; otherwise the reference system's own layout is written (tabs, CRLF, "Key" : value for the
 * count and the id/label columns), which reproduces the two wafer files exactly.
 */
export function exportReferenceSchemaJson(s: DataSchema): string {
  if (s.reference) {
    const again = importReferenceSchemaJson(s.reference.text, s.reference.kind).schema;
    if (again && referenceFingerprint(again) === referenceFingerprint(s)) return s.reference.text;
  }
  const q = (v: string) => JSON.stringify(v);
  const lines = s.columns.map((c) => {
    const tight = c.name !== s.idColumn && c.name !== s.labelColumn;
    return `\t\t${q(c.name)}${tight ? ':' : ' :'} ${q(referenceTypeText(c))}`;
  });
  return (
    `{\t"SampleFileName": ${q(s.sampleFileName)},\r\n` +
    `\t"LengthOfDateStampInFile": ${s.dateStampLength},\r\n` +
    `\t"LengthOfTimeStampInFile": ${s.timeStampLength},\r\n` +
    `\t"NumberofColumns" : ${s.numberOfColumns},\r\n` +
    `\t"ColName": {\r\n` +
    lines.join(',\r\n') +
    `\r\n\t}\r\n}\r\n`
  );
}

// ---------------------------------------------------------------------------------------------------------
// Built-in wafer schemas, equal to the reference system's two JSON files.

export const WAFER_SENSOR_COUNT = 590;

function waferColumns(withLabel: boolean): SchemaColumn[] {
  const cols: SchemaColumn[] = [{ name: 'Wafer', type: 'varchar', rawType: 'varchar' }];
  for (let i = 1; i <= WAFER_SENSOR_COUNT; i++)
    cols.push({ name: `Sensor - ${i}`, type: 'float', rawType: ' float' });
  if (withLabel) cols.push({ name: 'Output', type: 'integer', rawType: 'Integer' });
  return cols;
}

function waferSchema(withLabel: boolean): DataSchema {
  const columns = waferColumns(withLabel);
  return {
    sampleFileName: 'wafer_08012020_120000.csv',
    dateStampLength: 8,
    timeStampLength: 6,
    numberOfColumns: columns.length,
    columns,
    idColumn: 'Wafer',
    labelColumn: withLabel ? 'Output' : null,
    labelValues: { good: -1, faulty: 1 },
    labelNames: { good: 'good', faulty: 'faulty' },
    missingTokens: [...DEFAULT_MISSING_TOKENS],
    caseInsensitiveName: false,
    namePrefix: 'wafer',
  };
}

export const WAFER_TRAINING_SCHEMA: DataSchema = waferSchema(true);
export const WAFER_PREDICTION_SCHEMA: DataSchema = waferSchema(false);
