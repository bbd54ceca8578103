/**
 * The data domain: versioned schemas (the data sharing agreement), importing batch files as a job in
 * the worker pool, the file list, quarantine export and the training-table export.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExportResult, IngestFileResult, IngestSummary, SchemaVersion, SchemaVersionSummary } from '../../shared/contract';
import {
  exportReferenceSchemaJson,
  importReferenceSchemaJson,
  namePatternText,
  parseDataSchema,
  schemaLayout,
  validateSchemaDefinition,
  WAFER_PREDICTION_SCHEMA,
  WAFER_TRAINING_SCHEMA,
  type DataSchema,
  type SchemaKind,
} from '../../shared/schema';
import { AppError } from '../errors';
import { csvLine } from '../export/csv';
import { resourcesDir } from '../host/paths';
import type { JobHandle } from '../jobs/manager';
import type { SchemaRef, SchemaRow } from '../store/repos/schemas';
import type { IngestFileInput } from '../workers/tasks/ingest';
import { runInBackground, type AppContext } from './context';
import { exportDestination } from './exports';
import type { HandlerMap } from './registry';

export const DEFAULT_SCHEMA_NAMES: Record<SchemaKind, string> = {
  training: 'Wafer training (reference)',
  prediction: 'Wafer prediction (reference)',
};

/** A new workspace starts with the two reference wafer schemas as version 1. */
export function ensureDefaultSchemas(ctx: AppContext): void {
  for (const [kind, schema] of [
    ['training', WAFER_TRAINING_SCHEMA],
    ['prediction', WAFER_PREDICTION_SCHEMA],
  ] as const) {
    if (!ctx.store.schemas.hasKind(kind)) {
      ctx.store.schemas.add(kind, schema, DEFAULT_SCHEMA_NAMES[kind], 'Built-in default equal to the reference schema file.');
    }
  }
}

export function currentSchema(ctx: AppContext, kind: SchemaKind): SchemaRow {
  ensureDefaultSchemas(ctx);
  return ctx.store.schemas.current(kind)!;
}

/** The kind's current version as every import (and each prediction batch) reads it: no re-parse. */
export function currentSchemaForImport(ctx: AppContext, kind: SchemaKind): SchemaRef {
  ensureDefaultSchemas(ctx);
  return ctx.store.schemas.currentForImport(kind)!;
}

function toVersion(ctx: AppContext, row: SchemaRow): SchemaVersion {
  const current = ctx.store.schemas.current(row.kind);
  return { ...row, current: current?.id === row.id };
}

function checkedSchema(definition: unknown): DataSchema {
  let schema: DataSchema;
  try {
    schema = parseDataSchema(definition);
  } catch (error) {
    throw new AppError('bad_schema', `The schema is not well formed: ${(error as Error).message}`);
  }
  const issues = validateSchemaDefinition(schema);
  if (issues.length > 0) {
    throw new AppError('bad_schema', `The schema has ${issues.length} problem(s): ${issues[0]!.path}: ${issues[0]!.message}`, {
      issues,
    });
  }
  return schema;
}

export async function saveSchema(ctx: AppContext, kind: SchemaKind, definition: unknown, name?: string, note?: string): Promise<SchemaVersion> {
  const schema = checkedSchema(definition);
  // Without blocking the UI while a worker stores a large file (Store.writeWhenFree).
  const row = await ctx.store.writeWhenFree(() =>
    ctx.store.schemas.add(kind, schema, name ?? currentSchema(ctx, kind).name, note ?? null),
  );
  ctx.log.info(`Schema ${kind} saved as version ${row.version}`, { schemaId: row.id });
  ctx.events.emit('data/changed', { domain: 'schemas' });
  return toVersion(ctx, row);
}

export async function importReferenceSchema(ctx: AppContext, kind: SchemaKind, text: string, note?: string): Promise<SchemaVersion> {
  let imported: ReturnType<typeof importReferenceSchemaJson>;
  try {
    imported = importReferenceSchemaJson(text, kind);
  } catch (error) {
    throw new AppError('bad_schema', `This is not a schema file the app can read: ${(error as Error).message}`);
  }
  return saveSchema(ctx, kind, imported.schema, undefined, note ?? 'Imported from a reference schema JSON file.');
}

/** Files and folders (recursively) to the list of files to import, in a stable order. */
export function expandPaths(paths: string[]): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        if (entry.startsWith('.')) continue;
        walk(join(p, entry));
      }
    } else if (st.isFile()) {
      out.push({ path: p, name: basename(p) });
    }
  };
  for (const p of paths) {
    const full = resolve(p);
    if (!existsSync(full)) throw new AppError('not_found', `There is no file or folder at ${p}.`);
    walk(full);
  }
  return out;
}

/** Imports files as one job; a cancelled or failed import removes every file this batch added. */
export async function runIngest(
  ctx: AppContext,
  job: JobHandle,
  kind: SchemaKind,
  paths: string[],
  schemaId?: number,
  options: {
    /** The import batch's id (default: a new one), for a caller that must know it before the files. */
    batch?: string;
    /** Called as each file's result is in, before the others finish (prediction scores it meanwhile). */
    onFile?: (result: IngestFileResult) => void;
    /** Called for each file, in order, before its import is queued: where to stream its rows, if anywhere. */
    streamFor?: (file: { path: string; name: string; bytes: number }) => IngestFileInput['stream'];
  } = {},
): Promise<IngestSummary> {
  const started = Date.now();
  const schemaRow: SchemaRef | null = schemaId ? ctx.store.schemas.get(schemaId) : currentSchemaForImport(ctx, kind);
  if (!schemaRow) throw new AppError('not_found', `There is no schema version ${schemaId}.`);
  if (schemaRow.kind !== kind) throw new AppError('invalid_input', `Schema ${schemaRow.id} is a ${schemaRow.kind} schema, not ${kind}.`);
  const files = expandPaths(paths);
  const batch = options.batch ?? randomUUID();
  const sizes = files.map((f) => statSync(f.path).size);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const doneBytes = new Array<number>(files.length).fill(0);
  const active = new Map<number, { name: string; done: number; total: number }>();
  let finished = 0;
  const report = () =>
    job.progress({
      stage: 'importing',
      done: doneBytes.reduce((a, b) => a + b, 0),
      total: totalBytes,
      message: `${finished} of ${files.length} files`,
      items: [...active.values()],
    });
  job.log.info(`Importing ${files.length} ${kind} file(s) with schema version ${schemaRow.version}`, { batch });
  try {
    const results = await Promise.all(
      files.map(async (file, i) => {
        const input: IngestFileInput = { path: file.path, name: file.name, kind, schemaId: schemaRow.id, schema: schemaRow.definition, batch };
        const stream = options.streamFor?.({ path: file.path, name: file.name, bytes: sizes[i]! });
        if (stream) input.stream = stream;
        const result = await job.runTask<IngestFileResult>('ingest/file', input, {
          quiet: true,
          onProgress: (p) => {
            doneBytes[i] = p.done;
            active.set(i, { name: file.name, done: p.done, total: p.total });
            report();
          },
        });
        doneBytes[i] = sizes[i]!;
        active.delete(i);
        finished++;
        report();
        if (result.status === 'bad') {
          job.log.warn(`Quarantined ${file.name}: ${result.reasons.map((r) => r.code).join(', ')}`, { batch, file: file.name });
        }
        options.onFile?.(result);
        return result;
      }),
    );
    job.throwIfCancelled();
    const summary: IngestSummary = {
      batch,
      kind,
      schemaId: schemaRow.id,
      files: results,
      good: results.filter((r) => r.status === 'good').length,
      bad: results.filter((r) => r.status === 'bad').length,
      duplicate: results.filter((r) => r.status === 'duplicate').length,
      rows: results.reduce((a, r) => a + (r.status === 'good' ? r.rows : 0), 0),
      seconds: (Date.now() - started) / 1000,
    };
    job.log.info(
      `Imported ${summary.good} good, ${summary.bad} bad, ${summary.duplicate} duplicate file(s); ${summary.rows} rows`,
      { batch },
    );
    ctx.events.emit('data/changed', { domain: 'files' });
    return summary;
  } catch (error) {
    const removed = await ctx.store.writeWhenFree(() => ctx.store.files.deleteBatch(batch));
    if (removed > 0) job.log.info(`Removed the ${removed} file(s) this import had added`, { batch });
    ctx.events.emit('data/changed', { domain: 'files' });
    throw error;
  }
}

export function startIngest(ctx: AppContext, kind: SchemaKind, paths: string[], schemaId?: number) {
  const title = `Import ${paths.length === 1 ? basename(paths[0]!) : `${paths.length} items`} (${kind})`;
  const handle = ctx.jobs.start('ingest', title, (job) => runIngest(ctx, job, kind, paths, schemaId), (s) => ({
    ...s,
    files: s.files.map((f) => ({ ...f, reasons: f.reasons.slice(0, 25) })),
  }));
  void ctx.jobs.wait(handle.id).then(() => checkpointInBackground(ctx));
  return handle;
}

/**
 * Copies the WAL an import left into the database file in a worker (PASSIVE: never waits for readers
 * or writers), so neither the import nor the UI thread pays for it. Best effort: SQLite checkpoints
 * whatever is left when the WAL grows past its limit or the last connection closes.
 */
export function checkpointInBackground(ctx: AppContext): void {
  void runInBackground(ctx, 'store/checkpoint', {}, 'Background checkpoint failed');
}

export function sampleDir(): string {
  return join(resourcesDir(), 'sample');
}

export function exportQuarantined(ctx: AppContext, fileId: number, out?: string): ExportResult {
  const q = ctx.store.files.quarantined(fileId);
  if (!q) throw new AppError('not_found', `File ${fileId} is not in quarantine.`);
  const path = exportDestination(ctx, q.name, out);
  const bytes = gunzipSync(q.content);
  writeFileSync(path, bytes);
  ctx.log.info(`Exported quarantined file ${q.name}`, { fileId, path });
  return { path, name: q.name, bytes: bytes.length };
}

/** The training table in the reference's InputFile.csv shape: Wafer, the sensor columns, Output. */
export async function exportTrainingTable(ctx: AppContext, out?: string): Promise<ExportResult & { rows: number }> {
  const files = ctx.store.files.goodFiles('training');
  const schema = currentSchema(ctx, 'training').definition;
  const layout = schemaLayout(schema);
  const featureNames = layout.featureIndexes.map((i) => schema.columns[i]!.name);
  const path = exportDestination(ctx, 'InputFile.csv', out);
  const stream = createWriteStream(path);
  const write = (text: string) =>
    new Promise<void>((res, rej) => {
      if (stream.write(text)) res();
      else stream.once('drain', res).once('error', rej);
    });
  await write(csvLine(['Wafer', ...featureNames, 'Output']));
  let rows = 0;
  // One file at a time keeps memory flat whatever the table size.
  for (const file of files) {
    const m = ctx.store.rows.matrixForFiles([file.id], featureNames.length);
    let chunk = '';
    for (let r = 0; r < m.nRows; r++) {
      const cells: (string | number | null)[] = [m.wafers[r]!];
      for (let f = 0; f < m.nFeatures; f++) {
        const v = m.X[f * m.nRows + r]!;
        cells.push(Number.isNaN(v) ? null : v);
      }
      cells.push(Number.isNaN(m.rawLabels[r]!) ? null : m.rawLabels[r]!);
      chunk += csvLine(cells);
      rows++;
    }
    await write(chunk);
  }
  await new Promise<void>((res, rej) => stream.end((err?: Error | null) => (err ? rej(err) : res())));
  ctx.log.info(`Exported the training table (${rows} rows)`, { path });
  return { path, name: 'InputFile.csv', bytes: statSync(path).size, rows };
}

export const dataHandlers: HandlerMap<
  | 'schemas/list'
  | 'schemas/get'
  | 'schemas/check'
  | 'schemas/save'
  | 'schemas/import-reference'
  | 'schemas/export-reference'
  | 'data/ingest'
  | 'data/load-sample'
  | 'data/files'
  | 'data/summary'
  | 'data/export-quarantined'
  | 'data/export-training'
> = {
  'schemas/list': (input, ctx) => {
    ensureDefaultSchemas(ctx);
    const currentIds = new Set((['training', 'prediction'] as const).map((k) => ctx.store.schemas.current(k)?.id));
    return ctx.store.schemas.list(input.kind).map(
      (row): SchemaVersionSummary => ({
        id: row.id,
        kind: row.kind,
        version: row.version,
        name: row.name,
        note: row.note,
        createdAt: row.createdAt,
        current: currentIds.has(row.id),
        files: row.files,
        columns: row.definition.columns.length,
        pattern: namePatternText(row.definition),
      }),
    );
  },
  'schemas/get': (input, ctx) => {
    if (input.id) {
      const row = ctx.store.schemas.get(input.id);
      if (!row) throw new AppError('not_found', `There is no schema version ${input.id}.`);
      return toVersion(ctx, row);
    }
    return toVersion(ctx, currentSchema(ctx, input.kind ?? 'training'));
  },
  'schemas/check': (input) => {
    try {
      return validateSchemaDefinition(parseDataSchema(input.definition));
    } catch (error) {
      return [{ path: '', message: (error as Error).message }];
    }
  },
  'schemas/save': (input, ctx) => saveSchema(ctx, input.kind, input.definition, input.name, input.note),
  'schemas/import-reference': (input, ctx) => importReferenceSchema(ctx, input.kind, input.text, input.note),
  'schemas/export-reference': (input, ctx) => {
    const row = ctx.store.schemas.get(input.id);
    if (!row) throw new AppError('not_found', `There is no schema version ${input.id}.`);
    return { text: exportReferenceSchemaJson(row.definition), fileName: `schema_${row.kind}.json` };
  },
  'data/ingest': (input, ctx) => ({ jobId: startIngest(ctx, input.kind, input.paths, input.schemaId).id }),
  'data/load-sample': (_input, ctx) => {
    const dir = join(sampleDir(), 'training');
    if (!existsSync(dir)) throw new AppError('not_found', `The sample data is missing (${dir}).`);
    return { jobId: startIngest(ctx, 'training', [dir]).id };
  },
  'data/files': (input, ctx) => ctx.store.files.list(input),
  'data/summary': (_input, ctx) => {
    const s = ctx.store.files.summary();
    return {
      files: { good: s.good, bad: s.bad, total: s.good + s.bad },
      rows: { training: s.rowsTraining, prediction: s.rowsPrediction },
      labels: { good: s.labelGood, faulty: s.labelFaulty },
      lastImport: s.lastImport,
    };
  },
  'data/export-quarantined': (input, ctx) => exportQuarantined(ctx, input.fileId, input.out),
  'data/export-training': (input, ctx) => exportTrainingTable(ctx, input.out),
};
