import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestFileResult, IngestSummary } from '../../src/shared/contract';
import type { IngestFileInput } from '../../src/main/workers/tasks/ingest';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import {
  currentSchema,
  exportQuarantined,
  exportTrainingTable,
  startIngest,
} from '../../src/main/services/data';
import { SHARED_WAFER, useTempDir } from '../helpers/tmp';
import { waferCsv, writeWaferFile } from '../helpers/wafer-files';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

function open(dir = tmp()) {
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
  contexts.push(ctx);
  return ctx;
}

async function ingest(
  ctx: AppContext,
  kind: 'training' | 'prediction',
  paths: string[],
): Promise<IngestSummary> {
  const job = startIngest(ctx, kind, paths);
  const final = await ctx.jobs.wait(job.id);
  if (final.status !== 'succeeded') throw new Error(`${final.status}: ${final.error?.message}`);
  return final.result as IngestSummary;
}

const rowCount = (ctx: AppContext) =>
  (ctx.store.db.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n;

describe('import (real worker threads, real SQLite)', () => {
  it('stores good files whole, quarantines bad ones with reasons, and adds nothing the second time', async () => {
    const dir = tmp();
    const files = join(dir, 'batch');
    mkdirSync(files);
    writeWaferFile(files, 'wafer_08012020_120000.csv', { rows: 12 });
    writeWaferFile(files, 'wafer_09012020_120000.csv', { rows: 7, seed: 9 });
    writeWaferFile(files, 'Wafer_10012020_120000.csv', { rows: 3 });
    writeWaferFile(files, 'wafer_11012020_120000.csv', {
      rows: 4,
      cell: (r, s) => (r === 2 && s === 10 ? 'abc' : undefined),
    });
    const ctx = open(dir);
    const first = await ingest(ctx, 'training', [files]);
    expect(first).toMatchObject({ good: 2, bad: 2, duplicate: 0, rows: 19 });
    const byName = new Map(first.files.map((f) => [f.name, f]));
    expect(byName.get('Wafer_10012020_120000.csv')!.reasons.map((r) => r.code)).toContain('name_pattern');
    const textValue = byName
      .get('wafer_11012020_120000.csv')!
      .reasons.find((r) => r.code === 'non_numeric_value')!;
    expect(textValue).toMatchObject({ row: 3 });
    expect(textValue.column?.index).toBe(12);
    expect(rowCount(ctx)).toBe(19);

    const again = await ingest(ctx, 'training', [files]);
    expect(again).toMatchObject({ good: 0, duplicate: 2, bad: 2, rows: 0 });
    expect(rowCount(ctx)).toBe(19);
    expect(ctx.store.files.list({ limit: 100, offset: 0 }).total).toBe(4);
  });

  it('leaves the WAL to a worker: main never checkpoints an import, the store/checkpoint task copies it all', async () => {
    const dir = tmp();
    const files = join(dir, 'batch');
    mkdirSync(files);
    for (let i = 0; i < 4; i++)
      writeWaferFile(files, `wafer_0${i + 1}012020_120000.csv`, { rows: 300, seed: i + 1 });
    const ctx = open(dir);
    expect(ctx.store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10000);
    await ingest(ctx, 'training', [files]);
    // The import's own background checkpoint may be running at the same moment (a PASSIVE checkpoint
    // then reports busy): ask until one finds the whole WAL copied.
    const checkpoint = () =>
      ctx.pool.run<{ busy: number; log: number; checkpointed: number }>('store/checkpoint', {});
    await expect
      .poll(
        async () => {
          const r = await checkpoint();
          return r.busy === 0 && r.checkpointed === r.log;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(rowCount(ctx)).toBe(1200);
  });

  it('keeps the row id, the label and exact values', async () => {
    const dir = tmp();
    const path = writeWaferFile(dir, 'wafer_08012020_120000.csv', {
      rows: 3,
      cell: (r, s) =>
        s === 0 ? ['2968.33', '-6273.75', 'NA'][r] : s === 1 ? ['', '0.1', '1e-3'][r] : undefined,
      label: (r) => (r === 1 ? 1 : -1),
    });
    const ctx = open(dir);
    await ingest(ctx, 'training', [path]);
    const files = ctx.store.files.goodFiles('training');
    const m = ctx.store.rows.matrixForFiles(
      files.map((f) => f.id),
      590,
    );
    expect(m.wafers).toEqual(['Wafer-100', 'Wafer-101', 'Wafer-102']);
    expect([...m.labels]).toEqual([0, 1, 0]);
    expect([...m.rawLabels]).toEqual([-1, 1, -1]);
    expect(m.X[0]).toBe(2968.33);
    expect(m.X[1]).toBe(-6273.75);
    expect(m.X[2]).toBeNaN();
    expect(m.X[3]).toBeNaN();
    expect(m.X[4]).toBe(0.1);
    expect(m.X[5]).toBe(0.001);
  });

  it('stores values that do not fit the compact form exactly too (-0, long and exponent values)', async () => {
    const dir = tmp();
    const cells = ['-0', '0.12345678901234567', '1234567890.5', '6.02e23', '134217728', '-0.000000001'];
    const path = writeWaferFile(dir, 'wafer_08012020_120000.csv', {
      rows: cells.length,
      cell: (r, s) => (s === 2 ? cells[r] : s === 3 ? cells[cells.length - 1 - r] : undefined),
    });
    const ctx = open(dir);
    await ingest(ctx, 'training', [path]);
    const m = ctx.store.rows.matrixForFiles(
      ctx.store.files.goodFiles('training').map((f) => f.id),
      590,
    );
    for (let r = 0; r < cells.length; r++) {
      expect(Object.is(m.X[2 * m.nRows + r], Number(cells[r]))).toBe(true);
      expect(Object.is(m.X[3 * m.nRows + r], Number(cells[cells.length - 1 - r]))).toBe(true);
    }
  });

  it('stores every row of a long file exactly', async () => {
    const dir = tmp();
    const path = writeWaferFile(dir, 'wafer_08012020_120000.csv', {
      rows: 101,
      cell: (r, s) => (s === 0 ? String(r * 1.5) : s === 589 ? String(-r) : undefined),
    });
    const ctx = open(dir);
    await ingest(ctx, 'training', [path]);
    const m = ctx.store.rows.matrixForFiles(
      ctx.store.files.goodFiles('training').map((f) => f.id),
      590,
    );
    expect(m.nRows).toBe(101);
    for (let r = 0; r < 101; r++) {
      expect(m.X[r]).toBe(r * 1.5);
      expect(m.X[589 * 101 + r]).toBe(r === 0 ? 0 : -r);
      expect(m.wafers[r]).toBe(`Wafer-${100 + r}`);
    }
  });

  it('exports a quarantined file byte for byte, and the fixed file imports as good', async () => {
    const dir = tmp();
    const bad = join(dir, 'wafer_08012020_120000.csv');
    writeFileSync(bad, waferCsv({ rows: 3, cell: (r, s) => (r === 1 && s === 5 ? 'oops' : undefined) }));
    const ctx = open(dir);
    const result = await ingest(ctx, 'training', [bad]);
    const fileId = result.files[0]!.fileId!;
    const out = join(dir, 'exported', 'copy.csv');
    exportQuarantined(ctx, fileId, out);
    expect(readFileSync(out)).toEqual(readFileSync(bad));
    const fixedDir = join(dir, 'fixed');
    mkdirSync(fixedDir);
    writeFileSync(
      join(fixedDir, 'wafer_08012020_120000.csv'),
      readFileSync(out, 'utf8').replace('oops', '12.5'),
    );
    const fixed = await ingest(ctx, 'training', [fixedDir]);
    expect(fixed).toMatchObject({ good: 1, rows: 3 });
  });

  it('exports the training table in the InputFile.csv shape', async () => {
    const dir = tmp();
    writeWaferFile(dir, 'wafer_08012020_120000.csv', {
      rows: 2,
      cell: (r, s) => (s === 0 && r === 0 ? '' : undefined),
    });
    const ctx = open(dir);
    await ingest(ctx, 'training', [join(dir, 'wafer_08012020_120000.csv')]);
    const out = join(dir, 'InputFile.csv');
    const result = await exportTrainingTable(ctx, out);
    expect(result.rows).toBe(2);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]!.split(',').slice(0, 2)).toEqual(['Wafer', 'Sensor - 1']);
    expect(lines[0]!.endsWith(',Output')).toBe(true);
    expect(lines[1]!.startsWith('Wafer-100,,')).toBe(true);
    expect(lines[1]!.split(',')).toHaveLength(592);
  });

  it('a cancelled import leaves the workspace as it was', async () => {
    const dir = tmp();
    const files = join(dir, 'big');
    mkdirSync(files);
    for (let i = 0; i < 12; i++)
      writeWaferFile(files, `wafer_${String(10 + i).padStart(2, '0')}012020_120000.csv`, {
        rows: 600,
        seed: i + 1,
      });
    const ctx = open(dir);
    const job = startIngest(ctx, 'training', [files]);
    const off = ctx.events.subscribe((event, payload) => {
      const info = payload as { id: string; progress: { done: number } };
      if (event === 'jobs/changed' && info.id === job.id && info.progress.done > 0) ctx.jobs.cancel(job.id);
    });
    const final = await ctx.jobs.wait(job.id);
    off();
    expect(final.status).toBe('cancelled');
    expect(rowCount(ctx)).toBe(0);
    expect(ctx.store.files.list({ limit: 100, offset: 0 }).total).toBe(0);
  });

  // A file is read and validated before its write transaction opens (rows kept in memory up to a
  // budget), so the workspace stays writable meanwhile; past the budget the file takes the lock and
  // stores the rest as it reads. Either way it lands whole or not at all.
  const importFile = (
    ctx: AppContext,
    path: string,
    name: string,
    pendingMaxBytes?: number,
    onProgress?: (p: { done: number; total: number }) => void,
  ) => {
    const schema = currentSchema(ctx, 'training');
    const input: IngestFileInput = {
      path,
      name,
      kind: 'training',
      schemaId: schema.id,
      schema: schema.definition,
      batch: `test-${name}`,
      ...(pendingMaxBytes === undefined ? {} : { pendingMaxBytes }),
    };
    return ctx.pool.run<IngestFileResult>('ingest/file', input, onProgress ? { onProgress } : {});
  };

  it('stores a file the same whether its rows fit the memory budget or not', async () => {
    const dir = tmp();
    const a = writeWaferFile(dir, 'wafer_08012020_120000.csv', { rows: 60, seed: 3 });
    mkdirSync(join(dir, 'in-memory'));
    mkdirSync(join(dir, 'under-lock'));
    const ctxInMemory = open(join(dir, 'in-memory'));
    const ctxUnderLock = open(join(dir, 'under-lock'));
    const inMemory = await importFile(ctxInMemory, a, 'wafer_08012020_120000.csv');
    // A budget of 1 byte: the file takes the lock at its first row and stores each row as it is read.
    const underLock = await importFile(ctxUnderLock, a, 'wafer_08012020_120000.csv', 1);
    expect(inMemory).toMatchObject({ status: 'good', rows: 60 });
    expect(underLock).toMatchObject({ status: 'good', rows: 60, sha256: inMemory.sha256 });
    const stored = (ctx: AppContext) =>
      ctx.store.db.prepare('SELECT row_no, wafer, label, faulty, vals FROM rows ORDER BY row_no').all();
    expect(stored(ctxUnderLock)).toEqual(stored(ctxInMemory));
    expect(stored(ctxInMemory)).toHaveLength(60);
  });

  it('leaves nothing of a bad file, whether or not it had outgrown the memory budget', async () => {
    const dir = tmp();
    // Good for 49 rows, then a text value in the last one.
    const bad = writeWaferFile(dir, 'wafer_08012020_120000.csv', {
      rows: 50,
      cell: (r, s) => (r === 49 && s === 7 ? 'oops' : undefined),
    });
    const ctx = open(dir);
    for (const budget of [1, undefined]) {
      const result = await importFile(ctx, bad, 'wafer_08012020_120000.csv', budget);
      expect(result.status).toBe('bad');
      expect(rowCount(ctx)).toBe(0);
      expect(ctx.store.files.goodFiles('training')).toHaveLength(0);
    }
    // Quarantined once (the second verdict reuses the first copy).
    expect(ctx.store.files.list({ limit: 10, offset: 0 }).total).toBe(1);
  });

  /** Imports a 3,000-row file and tries a write that does not wait, once its first chunk is read. */
  async function writeWhileReading(pendingMaxBytes?: number) {
    const dir = tmp();
    const path = writeWaferFile(dir, 'wafer_08012020_120000.csv', { rows: 3000, seed: 5 });
    const ctx = open(dir);
    let tried = false;
    let writeError: unknown = null;
    const result = await importFile(ctx, path, 'wafer_08012020_120000.csv', pendingMaxBytes, (p) => {
      // The first chunk is read and megabytes are still to come.
      if (tried || p.done >= p.total) return;
      tried = true;
      ctx.store.db.pragma('busy_timeout = 0');
      try {
        ctx.store.settings.set('test/probe', { at: p.done });
      } catch (error) {
        writeError = error;
      } finally {
        ctx.store.db.pragma('busy_timeout = 15000');
      }
    });
    expect(tried).toBe(true);
    expect(result).toMatchObject({ status: 'good', rows: 3000 });
    expect(rowCount(ctx)).toBe(3000);
    return writeError as { code?: string } | null;
  }

  it('keeps the workspace writable while a file is being read', async () => {
    // Before, a file held the write lock from its first row to its commit.
    expect(await writeWhileReading()).toBeNull();
  });

  it('holds the write lock from where a file outgrows the memory budget', async () => {
    expect((await writeWhileReading(1))?.code).toBe('SQLITE_BUSY');
  });

  it.skipIf(!existsSync(SHARED_WAFER))('judges the reference batches as the reference did', async () => {
    const ctx = open();
    const training = await ingest(ctx, 'training', [join(SHARED_WAFER, 'training_batch')]);
    expect(training).toMatchObject({ good: 9, bad: 32, duplicate: 0, rows: 837 });
    for (const f of training.files.filter((x) => x.name.startsWith('Wafer'))) {
      expect(f.reasons.map((r) => r.code)).toContain('name_pattern');
    }
    const colCount = training.files.filter(
      (f) => f.reasons.some((r) => r.code === 'column_count') && f.name.startsWith('wafer'),
    );
    expect(colCount.map((f) => f.name).sort()).toEqual([
      'wafer_16012020_134553.csv',
      'wafer_17012020_125434.csv',
    ]);
    const allMissing = training.files.filter((f) => f.reasons.some((r) => r.code === 'column_all_missing'));
    expect(allMissing).toHaveLength(7);
    for (const f of allMissing)
      expect(f.reasons.find((r) => r.code === 'column_all_missing')!.columns).toHaveLength(16);
    const prediction = await ingest(ctx, 'prediction', [join(SHARED_WAFER, 'prediction_batch')]);
    expect(prediction).toMatchObject({ good: 9, bad: 10, rows: 837 });
    const again = await ingest(ctx, 'training', [join(SHARED_WAFER, 'training_batch')]);
    expect(again).toMatchObject({ good: 0, duplicate: 9, rows: 0 });
    expect(rowCount(ctx)).toBe(837 * 2);
  });
});
