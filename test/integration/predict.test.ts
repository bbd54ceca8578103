import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IngestSummary, PredictResult } from '../../src/shared/contract';
import {
  closeAppContext,
  IDLE_CHECKPOINT_MS,
  openAppContext,
  type AppContext,
} from '../../src/main/services/context';
import { startIngest } from '../../src/main/services/data';
import {
  createReport,
  predictionDetail,
  predictSingle,
  startBatchPrediction,
  warmExplanationLookup,
  warmPrediction,
} from '../../src/main/services/predict';
import { startTraining } from '../../src/main/services/training';
import { closeMailbox, createMailbox, postPart } from '../../src/main/workers/tasks/predict';
import { SHARED_WAFER, useTempDir } from '../helpers/tmp';
import { trainIntoProduction } from '../helpers/production-model';
import { SMALL_CONFIG, writeTrainingBatch } from '../helpers/training-data';
import { writeWaferFile } from '../helpers/wafer-files';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

async function productionWorkspace(diagnostics = false) {
  const dir = tmp();
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2, diagnostics });
  contexts.push(ctx);
  const modelVersion = await trainIntoProduction(ctx, dir);
  return { ctx, dir, modelVersion };
}

describe('predictions', () => {
  it('refuses to predict when nothing is in Production, with a stable code', () => {
    const ctx = openAppContext({ workspacePath: join(tmp(), 'w.sqlite'), host: 'cli', poolSize: 1 });
    contexts.push(ctx);
    expect(() => startBatchPrediction(ctx, ['/nowhere'], 'production', 'app')).toThrow(
      expect.objectContaining({ code: 'no_model' }),
    );
  });

  it('decodes the Production model into every worker ahead of a batch (warm-up)', async () => {
    const { ctx, modelVersion } = await productionWorkspace(true);
    const versionId = ctx.store.registry.byVersion(modelVersion)!.id;
    // Both workers are idle, so two tasks given at once land one on each.
    const cached = () =>
      Promise.all([0, 1].map(() => ctx.pool.run<boolean>('diag/has-bundle', { versionId })));
    expect(await cached()).toEqual([false, false]);
    const warm = warmPrediction(ctx, 'production');
    expect(warm.version).toBe(modelVersion);
    await warm.ready;
    expect(await cached()).toEqual([true, true]);
    expect(warmPrediction(ctx, 'staging').version).toBeNull();
  });

  it('validates a batch like an import, scores every wafer once with an explanation, and keeps history', async () => {
    const { ctx, dir, modelVersion } = await productionWorkspace();
    const batchDir = writeTrainingBatch(join(dir, 'predict'), 2, 30, false);
    writeWaferFile(batchDir, 'Wafer_01022020_120000.csv', { rows: 3, withLabel: false });
    writeWaferFile(batchDir, 'wafer_02022020_120000.csv', {
      rows: 3,
      withLabel: false,
      cell: (r) => (r === 0 ? '=cmd()' : undefined),
    });
    const final = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'cli').id);
    expect(final.status).toBe('succeeded');
    const result = final.result as PredictResult;
    expect(result).toMatchObject({ model_version: modelVersion, rows: 60 });
    expect(
      result.files
        .filter((f) => f.status === 'bad')
        .map((f) => f.reasons[0]!.code)
        .sort(),
    ).toEqual(['name_pattern', 'non_numeric_value']);
    const history = ctx.store.predictions.history({ batchId: result.batch, limit: 100, offset: 0 });
    expect(history.total).toBe(60);
    expect(new Set(history.rows.map((r) => `${r.fileName}/${r.wafer}`)).size).toBe(60);
    expect(history.rows.every((r) => r.cluster >= 0 && r.probability >= 0 && r.probability <= 1)).toBe(true);
    expect(history.rows.every((r) => (r.faulty ? r.label === 1 : r.label === -1))).toBe(true);
    // The faulty wafers of this data run high in the first sensors, and the explanation says so.
    const faulty = history.rows.filter((r) => r.faulty);
    expect(faulty.length).toBeGreaterThan(0);
    const detail = predictionDetail(ctx, faulty[0]!.id)!;
    expect(detail.explanation!.towardsFaulty.length).toBeGreaterThan(0);
    const top = detail.explanation!.towardsFaulty[0]!;
    expect(top.low).toBeLessThanOrEqual(top.high);
    // Stored in a few bytes (ml/pipeline/explanation.ts), names and ranges joined in from the model.
    const stored = ctx.store.db
      .prepare(
        'SELECT typeof(explanation) AS type, length(explanation) AS bytes FROM predictions WHERE id = ?',
      )
      .get(faulty[0]!.id) as { type: string; bytes: number };
    const sensors = detail.explanation!.towardsFaulty.length + detail.explanation!.towardsGood.length;
    expect(stored).toEqual({ type: 'blob', bytes: 8 + 18 * sensors });
    // A workspace written before that form holds the explanation as JSON text: it still reads.
    ctx.store.db
      .prepare('UPDATE predictions SET explanation = ? WHERE id = ?')
      .run(JSON.stringify(detail.explanation), faulty[0]!.id);
    expect(predictionDetail(ctx, faulty[0]!.id)).toEqual(detail);
    expect(ctx.store.predictions.history({ result: 'faulty', limit: 100, offset: 0 }).total).toBe(
      result.faulty,
    );
    expect(ctx.store.predictions.history({ source: 'app', limit: 100, offset: 0 }).total).toBe(0);
    expect(ctx.store.predictions.history({ file: 'wafer_10', limit: 100, offset: 0 }).total).toBe(30);
    const rates = ctx.store.predictions.failRate({}, 'day');
    expect(rates[0]).toMatchObject({ rows: 60, faulty: result.faulty });

    const csv = await createReport(ctx, result.batch, 'csv', join(dir, 'out', 'predictions.csv'));
    const lines = readFileSync(csv.path, 'utf8').trim().split('\n');
    expect(lines[0]!.startsWith('Wafer,Prediction,Probability,Cluster,ModelVersion,Unfamiliar')).toBe(true);
    expect(lines).toHaveLength(61);
    const html = await createReport(ctx, result.batch, 'html', join(dir, 'out', 'report.html'));
    const text = readFileSync(html.path, 'utf8');
    expect(text).toContain('Wafer_01022020_120000.csv');
    expect(text).not.toMatch(/(src|href)="https?:/);
    // The batch's drift against the training rows: measured (60 rows, so none is called drifted).
    expect(text).toContain('<section id="drift"><h2>Sensor drift</h2>');
    expect(text).toContain('This batch&#39;s 60 rows against the training rows of model v1');
    expect(text).toContain('Only 60 rows');
    const pdf = await createReport(ctx, result.batch, 'pdf', join(dir, 'out', 'report.pdf'));
    expect(readFileSync(pdf.path).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it("reads a version's explanation lookup while a batch runs, so its CSV then reads no bundle", async () => {
    const { ctx, dir, modelVersion } = await productionWorkspace();
    const batchDir = writeTrainingBatch(join(dir, 'predict'), 1, 20, false);
    // Nothing to read ahead: no version in Staging, no version 99. Neither throws.
    warmExplanationLookup(ctx, 'staging');
    warmExplanationLookup(ctx, 99);
    const job = startBatchPrediction(ctx, [batchDir], 'production', 'cli');
    warmExplanationLookup(ctx, modelVersion);
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('succeeded');
    const { batch } = final.result as PredictResult;
    const reads = vi.spyOn(ctx.store.registry, 'readBundle');
    const csv = await createReport(ctx, batch, 'csv', join(dir, 'out', 'warm.csv'));
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    // The same file as from a workspace that read nothing ahead.
    await closeAppContext(ctx);
    contexts.splice(contexts.indexOf(ctx), 1);
    const cold = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 1 });
    contexts.push(cold);
    const again = await createReport(cold, batch, 'csv', join(dir, 'out', 'cold.csv'));
    const lines = readFileSync(csv.path, 'utf8').split('\n');
    expect(lines.length).toBe(22);
    expect(lines[1]).toMatch(/,Sensor/);
    expect(readFileSync(again.path, 'utf8')).toBe(readFileSync(csv.path, 'utf8'));
  });

  it('scores rows as their file is read, exactly as from the workspace, and drops those of a file that turns out bad', async () => {
    const { ctx, dir } = await productionWorkspace();
    const batchDir = join(dir, 'streamed');
    mkdirSync(batchDir);
    writeWaferFile(batchDir, 'wafer_03022020_120000.csv', { rows: 700, withLabel: false, seed: 5 });
    // Bad only at row 600: its first 599 rows reach the scorers before the file is found bad.
    writeWaferFile(batchDir, 'wafer_04022020_120000.csv', {
      rows: 700,
      withLabel: false,
      seed: 6,
      cell: (r, s) => (r === 599 && s === 10 ? 'x' : undefined),
    });
    // The first file's bytes again under another name: one of the two is a duplicate of the other.
    writeWaferFile(batchDir, 'wafer_05022020_120000.csv', { rows: 700, withLabel: false, seed: 5 });
    const first = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id);
    expect(first.status).toBe('succeeded');
    const r1 = first.result as PredictResult;
    const status = (name: string) => r1.files.find((f) => f.name === name)!;
    expect(status('wafer_04022020_120000.csv')).toMatchObject({ status: 'bad' });
    expect(status('wafer_04022020_120000.csv').reasons.map((x) => x.code)).toEqual(['non_numeric_value']);
    expect(
      [status('wafer_03022020_120000.csv').status, status('wafer_05022020_120000.csv').status].sort(),
    ).toEqual(['duplicate', 'good']);
    // The good copy's rows as streamed, the duplicate's from the stored rows: 700 each.
    expect(r1.rows).toBe(1400);
    // Polled: a log line that met the import's write lock lands a moment later (Store.writeSoon).
    await expect
      .poll(() =>
        ctx.store.logs
          .list({ limit: 200 })
          .some((e) => /Scoring the rows of 3 file\(s\) as they are read/.test(e.message)),
      )
      .toBe(true);
    // The same bytes again: a duplicate, scored from the rows stored by the first batch.
    const second = await ctx.jobs.wait(
      startBatchPrediction(ctx, [join(batchDir, 'wafer_03022020_120000.csv')], 'production', 'app').id,
    );
    const r2 = second.result as PredictResult;
    expect(r2.files[0]!.status).toBe('duplicate');
    const rowsOf = (batch: number, file: string) =>
      ctx.store.predictions
        .history({ batchId: batch, file, limit: 1000, offset: 0 })
        .rows.map((r) => {
          const d = predictionDetail(ctx, r.id)!;
          return [
            d.rowNo,
            d.wafer,
            d.cluster,
            d.distance,
            d.unfamiliar,
            d.probability,
            d.faulty,
            JSON.stringify(d.explanation),
          ];
        })
        // History lists the latest first; parts commit in any order.
        .sort((a, b) => Number(a[0]) - Number(b[0]));
    const streamed = rowsOf(r1.batch, 'wafer_03022020_120000.csv');
    expect(streamed).toHaveLength(700);
    expect(new Set(streamed.map((r) => r[1])).size).toBe(700);
    expect(rowsOf(r1.batch, 'wafer_05022020_120000.csv')).toEqual(streamed);
    expect(rowsOf(r2.batch, 'wafer_03022020_120000.csv')).toEqual(streamed);
  });

  it('streams the rows of a batch started the moment the previous one ends', async () => {
    const { ctx, dir } = await productionWorkspace();
    expect(ctx.pool.size).toBeGreaterThan(1);
    const streamedBatches = () =>
      ctx.store.logs
        .list({ limit: 500 })
        .filter((e) => /Scoring the rows of 1 file\(s\) as they are read/.test(e.message)).length;
    const before = streamedBatches();
    // The previous batch's first scorer may still be returning when the next batch starts: it no
    // longer holds its worker once its batch is done, so every batch streams.
    for (let b = 0; b < 5; b++) {
      const batchDir = join(dir, `back-to-back-${b}`);
      mkdirSync(batchDir);
      writeWaferFile(batchDir, `wafer_0${b + 1}032020_120000.csv`, {
        rows: 300,
        withLabel: false,
        seed: 40 + b,
      });
      const final = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id);
      expect(final.status).toBe('succeeded');
      expect((final.result as PredictResult).rows).toBe(300);
    }
    // A log line that met another connection's write lock lands a moment later (Store.writeSoon).
    await expect.poll(() => streamedBatches() - before, { timeout: 5000 }).toBe(5);
  });

  it("copies a batch's WAL into the database file once no job has run for a moment, not during the batch", async () => {
    const { ctx, dir } = await productionWorkspace();
    const dbFile = join(dir, 'w.sqlite');
    // The training import's own checkpoint has run by now (the training job came after it).
    const before = statSync(dbFile).size;
    const batchDir = join(dir, 'idle-checkpoint');
    mkdirSync(batchDir);
    writeWaferFile(batchDir, 'wafer_07032020_120000.csv', { rows: 400, withLabel: false, seed: 9 });
    const final = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id);
    expect(final.status).toBe('succeeded');
    // The batch's pages are in the WAL only: the database file grows when a checkpoint copies them.
    expect(statSync(dbFile).size).toBe(before);
    await expect
      .poll(() => statSync(dbFile).size, { timeout: IDLE_CHECKPOINT_MS + 5000, interval: 100 })
      .toBeGreaterThan(before);
  });

  it('scores every row of a streamed file whose first lines make its row count look smaller', async () => {
    const { ctx, dir } = await productionWorkspace();
    const batchDir = join(dir, 'short-estimate');
    mkdirSync(batchDir);
    // Long cells in the first 100 rows, one-digit cells after: the estimate from the first lines is
    // far below the 900 rows, so most of them come through the file's tail part.
    writeWaferFile(batchDir, 'wafer_06022020_120000.csv', {
      rows: 900,
      withLabel: false,
      seed: 7,
      cell: (r, s) => (r < 100 ? `${(1000 + s + r / 7).toFixed(9)}` : String((r + s) % 10)),
    });
    const final = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id);
    expect(final.status).toBe('succeeded');
    const result = final.result as PredictResult;
    expect(result.rows).toBe(900);
    const rows = ctx.store.predictions.history({ batchId: result.batch, limit: 1000, offset: 0 }).rows;
    expect(new Set(rows.map((r) => r.wafer)).size).toBe(900);
  });

  it('a cancelled batch leaves the workspace as it was', async () => {
    const { ctx, dir } = await productionWorkspace();
    const filesBefore = ctx.store.files.list({ limit: 1000, offset: 0 }).total;
    const job = startBatchPrediction(
      ctx,
      [writeTrainingBatch(join(dir, 'p'), 3, 40, false)],
      'production',
      'app',
    );
    ctx.jobs.cancel(job.id);
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('cancelled');
    expect(ctx.store.predictions.count()).toBe(0);
    expect(ctx.store.files.list({ limit: 1000, offset: 0 }).total).toBe(filesBefore);
  });

  it('a batch cancelled once its first rows are written, while later files import or score, leaves the workspace as it was', async () => {
    const { ctx, dir } = await productionWorkspace();
    const filesBefore = ctx.store.files.list({ limit: 1000, offset: 0 }).total;
    await warmPrediction(ctx, 'production').ready;
    const job = startBatchPrediction(
      ctx,
      [writeTrainingBatch(join(dir, 'p'), 8, 200, false)],
      'production',
      'app',
    );
    // Cancel once the first part's rows are written, while the later files are still importing.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (ctx.store.predictions.count() > 0) {
          clearInterval(poll);
          ctx.jobs.cancel(job.id);
          resolve();
        }
      }, 2);
    });
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('cancelled');
    expect(ctx.store.predictions.count()).toBe(0);
    expect(ctx.store.db.prepare('SELECT COUNT(*) AS n FROM prediction_batches').get()).toEqual({ n: 0 });
    expect(ctx.store.files.list({ limit: 1000, offset: 0 }).total).toBe(filesBefore);
  });

  it('batches started together, while the workers are still decoding the model, and later ones score alike', async () => {
    const { ctx, dir } = await productionWorkspace();
    const batchDir = writeTrainingBatch(join(dir, 'predict'), 2, 30, false);
    // Three at once on two workers: one decodes during its import and scores alone, the others split.
    const together = await Promise.all(
      [0, 1, 2].map(() => ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id)),
    );
    const later = await ctx.jobs.wait(startBatchPrediction(ctx, [batchDir], 'production', 'app').id);
    const scores = [...together, later].map((job) => {
      expect(job.status).toBe('succeeded');
      const rows = ctx.store.predictions.history({
        batchId: (job.result as PredictResult).batch,
        limit: 100,
        offset: 0,
      }).rows;
      expect(rows).toHaveLength(60);
      return rows.map((r) => `${r.fileName}/${r.wafer}:${r.probability}:${r.cluster}`).sort();
    });
    for (const s of scores.slice(1)) expect(s).toEqual(scores[0]);
  });

  it('scores parts as they are posted and goes on scoring while another connection holds the write lock', async () => {
    const { ctx, dir, modelVersion } = await productionWorkspace();
    const imported = await ctx.jobs.wait(
      startIngest(ctx, 'prediction', [writeTrainingBatch(join(dir, 'predict'), 2, 30, false)]).id,
    );
    const files = (imported.result as IngestSummary).files.filter((f) => f.status === 'good');
    expect(files).toHaveLength(2);
    const version = ctx.store.registry.byVersion(modelVersion)!;
    const batchId = ctx.store.predictions.startBatch({
      source: 'cli',
      modelVersionId: version.id,
      threshold: version.threshold,
      ingestBatch: null,
    });
    const mailbox = createMailbox(1 << 16);
    const parts = files.flatMap((f) =>
      [0, 10, 20].map((rowStart) => ({
        versionId: version.id,
        batchId,
        fileId: f.fileId!,
        fileName: f.name,
        source: 'cli' as const,
        explain: 5,
        rowStart,
        rowCount: 10,
      })),
    );
    // Another connection (an import writing a file, say) takes the write lock before any part is posted.
    const other = new Database(join(dir, 'w.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    const timeout = ctx.store.db.pragma('busy_timeout', { simple: true });
    expect(ctx.store.predictions.tryAddRows(batchId, version.id, version.threshold, 'cli', [])).toBe(false);
    expect(ctx.store.db.pragma('busy_timeout', { simple: true })).toBe(timeout);
    let started = 0;
    const scorer = ctx.pool.run<{ parts: number }>(
      'predict/batch',
      { versionId: version.id, mailbox },
      {
        onProgress: (p) => {
          if (p.stage === 'scoring' && p.done === 0) started++;
        },
      },
    );
    // Posted one by one while the scorer waits for them, as an import posts each file's parts.
    for (const part of parts) expect(postPart(mailbox, part)).toBe(true);
    closeMailbox(mailbox);
    // It reaches the last part although it could write none of the earlier ones, and has written nothing.
    await expect.poll(() => started, { timeout: 20_000 }).toBe(parts.length);
    expect(ctx.store.predictions.batchRowCount(batchId)).toBe(0);
    other.exec('COMMIT');
    other.close();
    expect(await scorer).toEqual({ parts: parts.length });
    // Every row of both files once (the batch is still running, so not in the history yet).
    const rows = ctx.store.db
      .prepare('SELECT file_id, row_no FROM predictions WHERE batch_id = ?')
      .all(batchId) as { file_id: number; row_no: number }[];
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => `${r.file_id}/${r.row_no}`)).size).toBe(60);
  });

  it('answers a single typed row at once, as a CSV line or by sensor name', async () => {
    const { ctx } = await productionWorkspace();
    const values = Array.from({ length: 590 }, (_, s) =>
      s < 4 ? '85' : s >= 20 && s < 60 ? '100' : s === 7 ? 'NA' : '500',
    );
    const fromCsv = await predictSingle(ctx, { csv: ['Wafer-X', ...values].join(','), model: 'production' });
    expect(fromCsv).toMatchObject({ wafer: 'Wafer-X', source: 'single' });
    expect(fromCsv.explanation).not.toBeNull();
    const byName = await predictSingle(ctx, {
      values: { 'Sensor - 1': 85, 'sensor-2': '85', 'Sensor - 3': null },
      model: 'production',
    });
    expect(byName.probability).toBeGreaterThanOrEqual(0);
    await expect(predictSingle(ctx, { values: { 'Sensor - 9999': 1 }, model: 'production' })).rejects.toThrow(
      /no sensor/,
    );
    await expect(predictSingle(ctx, { csv: '1,2,3', model: 'production' })).rejects.toThrow(/expected 591/);
  });

  it.skipIf(!existsSync(SHARED_WAFER))(
    'on the reference batches: quarantines the same 10 files as import and predicts 837 wafers',
    async () => {
      const dir = tmp();
      const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
      contexts.push(ctx);
      await ctx.jobs.wait(startIngest(ctx, 'training', [join(SHARED_WAFER, 'training_batch')]).id);
      const fast = { ...SMALL_CONFIG, clusters: { mode: 'fixed', k: 3 } };
      const job = await ctx.jobs.wait(startTraining(ctx, { config: fast }).id);
      const { modelVersion } = job.result as { modelVersion: number };
      const final = await ctx.jobs.wait(
        startBatchPrediction(ctx, [join(SHARED_WAFER, 'prediction_batch')], modelVersion, 'cli').id,
      );
      const result = final.result as PredictResult;
      expect(result.rows).toBe(837);
      const bad = result.files
        .filter((f) => f.status === 'bad')
        .map((f) => f.name)
        .sort();
      const imported = await ctx.jobs.wait(
        startIngest(ctx, 'prediction', [join(SHARED_WAFER, 'prediction_batch')]).id,
      );
      const importBad = (imported.result as IngestSummary).files
        .filter((f) => f.status === 'bad')
        .map((f) => f.name)
        .sort();
      expect(bad).toHaveLength(10);
      expect(bad).toEqual(importBad);
      const rows = ctx.store.predictions.history({ batchId: result.batch, limit: 1000, offset: 0 }).rows;
      expect(new Set(rows.map((r) => r.wafer)).size).toBe(837);
      expect(rows.every((r) => r.cluster >= 0 && r.cluster < 3 && Number.isFinite(r.probability))).toBe(true);
    },
  );
});
