/**
 * The Monitor page's data from a real workspace: quarantined prediction files and their reasons, the
 * fail rate, and sensor drift of recent prediction rows against the model's training rows.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PredictResult } from '../../src/shared/contract';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { createRegistry } from '../../src/main/services';
import { batchDrift, monitorSummary } from '../../src/main/services/monitor';
import { DRIFT_MIN_ROWS as DRIFT_ALERT_MIN_ROWS } from '../../src/shared/drift';
import { startIngest } from '../../src/main/services/data';
import { startBatchPrediction } from '../../src/main/services/predict';
import { startTraining } from '../../src/main/services/training';
import { trainIntoProduction } from '../helpers/production-model';
import { useTempDir } from '../helpers/tmp';
import { SMALL_CONFIG, writeTrainingBatch } from '../helpers/training-data';
import { writeWaferFile } from '../helpers/wafer-files';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

async function predict(ctx: AppContext, dir: string): Promise<PredictResult> {
  const final = await ctx.jobs.wait(startBatchPrediction(ctx, [dir], 'production', 'app').id);
  expect(final.status).toBe('succeeded');
  return final.result as PredictResult;
}

describe('monitor', () => {
  it('says why there is nothing to measure yet', async () => {
    const ctx = openAppContext({ workspacePath: join(tmp(), 'w.sqlite'), host: 'cli', poolSize: 1 });
    contexts.push(ctx);
    const empty = monitorSummary(ctx, { model: 'production', days: 30 });
    expect(empty).toMatchObject({ modelVersion: null, quality: [], reasons: [], failRate: [], drift: null, alerts: [] });
    expect(empty.driftNote).toMatch(/No model is in Production/);
  });

  it('finds the sensors a shifted batch moved, and counts quarantined files by reason', async () => {
    const dir = tmp();
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
    contexts.push(ctx);
    const version = await trainIntoProduction(ctx, dir);
    const before = monitorSummary(ctx, { model: 'production', days: 30 });
    expect(before.modelVersion).toBe(version);
    expect(before.drift).toBeNull();
    expect(before.driftNote).toMatch(/has scored no file/);
    // The training rows: 4 files of 60, a fault every ninth row or so.
    expect(before.trainingFaultShare).toBeGreaterThan(0.05);
    expect(before.trainingFaultShare).toBeLessThan(0.2);

    // Like the training files: a few rows only, so drift is scored but raises no alert.
    await predict(ctx, writeTrainingBatch(join(dir, 'same'), 1, 40, false));
    const small = monitorSummary(ctx, { model: 'production', days: 30 });
    expect(small.drift).toMatchObject({ reference: 'model', referenceRows: 240, currentRows: 40 });
    expect(small.driftNote).toMatch(new RegExp(`until ${DRIFT_ALERT_MIN_ROWS} rows`));
    expect(small.alerts.filter((a) => a.code.startsWith('sensor'))).toEqual([]);

    // 400 rows whose sensors 201-205 read ~5,000 instead of 0-1,000, and a file the schema refuses.
    const shifted = writeTrainingBatch(join(dir, 'shifted'), 2, 200, false, {
      seed: 70,
      cell: (r, s) => (s >= 200 && s < 205 ? String(5000 + ((r * 7 + s) % 50)) : undefined),
    });
    writeWaferFile(shifted, 'wafer_22012020.csv', { rows: 5, seed: 90, withLabel: false });
    const result = await predict(ctx, shifted);
    expect(result.rows).toBe(400);

    const after = monitorSummary(ctx, { model: 'production', days: 30 });
    const drift = after.drift!;
    // The newest files first, whole: the shifted batch's two, then the earlier one.
    expect(drift.currentRows).toBe(440);
    const top = drift.sensors.slice(0, 5).map((s) => s.sensor);
    expect(top.map((s) => Number(/(\d+)$/.exec(s)![1])).sort((a, b) => a - b)).toEqual([201, 202, 203, 204, 205]);
    expect(drift.sensors[0]!.psi).toBeGreaterThan(1);
    expect(drift.sensors[0]!.curMedian!).toBeGreaterThan(4000);
    expect(drift.sensors[5]!.psi).toBeLessThan(0.25);
    const alert = after.alerts.find((a) => a.code === 'sensor_drift')!;
    expect(alert.level).toBe('alert');
    expect(alert.message).toMatch(/^5 sensors have drifted/);
    expect(drift).toMatchObject({ drifted: 5, scored: expect.any(Number) });
    expect(drift.scored).toBeGreaterThan(500);
    expect(drift.sensors).toHaveLength(50);

    expect(after.quality.reduce((s, d) => s + d.files, 0)).toBe(4);
    expect(after.quality.reduce((s, d) => s + d.bad, 0)).toBe(1);
    expect(after.reasons).toEqual([{ code: 'name_pattern', files: 1 }]);
    expect(after.failRate.reduce((s, b) => s + b.rows, 0)).toBe(440);
    // One bad file of four is over the 20% warning.
    expect(after.alerts.map((a) => a.code)).toContain('quarantine_share');
    // The regime mix: every training row and every wafer in the window in one of the model's regimes.
    expect(after.regimes.length).toBeGreaterThan(0);
    expect(after.regimes.reduce((n, r) => n + r.trainingRows, 0)).toBe(240);
    expect(after.regimes.reduce((n, r) => n + r.trainingFaulty, 0)).toBe(Math.round(after.trainingFaultShare! * 240));
    expect(after.regimes.reduce((n, r) => n + r.recentRows, 0)).toBe(440);
    expect(after.regimes.reduce((n, r) => n + r.recentFaulty, 0)).toBe(after.totals.faulty);
    expect(after.regimes.reduce((n, r) => n + r.recentUnfamiliar, 0)).toBe(after.totals.unfamiliar);

    // The batch on its own: its 400 rows, the same five sensors; the small first batch is not reliable.
    const own = batchDrift(ctx, result.batch)!;
    expect(own).toMatchObject({ batchId: result.batch, modelVersion: version, rows: 400, drifted: 5, reliable: true });
    expect(own.sensors).toHaveLength(10);
    expect(own.sensors.slice(0, 5).map((s) => Number(/(\d+)$/.exec(s.sensor)![1])).sort((a, b) => a - b)).toEqual([
      201, 202, 203, 204, 205,
    ]);
    expect(batchDrift(ctx, result.batch)).toBe(own);
    expect(batchDrift(ctx, result.batch - 1)).toMatchObject({ rows: 40, reliable: false });
    expect(() => batchDrift(ctx, 999)).toThrow(expect.objectContaining({ code: 'not_found' }));

    // Asking again with nothing new answers the same without reading the rows again.
    expect(monitorSummary(ctx, { model: 'production', days: 30 })).toBe(after);
    // A version number works like an alias; one that does not exist says so.
    expect(monitorSummary(ctx, { model: version, days: 30 }).drift!.currentRows).toBe(440);
    expect(monitorSummary(ctx, { model: 99, days: 30 }).driftNote).toMatch(/no model version 99/);

    // The workspace's own thresholds: a line where a quarter of files is quarantined for a known reason,
    // many wafers run in a regime the model has not seen, and drift is called only over a PSI of 100.
    const registry = createRegistry();
    const set = await registry.dispatch(ctx, 'monitor/set-thresholds', {
      thresholds: { psiMoving: 0.2, psiDrifted: 100, quarantineShare: 0.3, unfamiliarShare: 0.95, failRateFactor: 2 },
    });
    expect(set).toMatchObject({ ok: true, value: { isDefault: false, thresholds: { psiDrifted: 100 } } });
    const own2 = monitorSummary(ctx, { model: 'production', days: 30 });
    expect(own2.thresholds).toMatchObject({ psiMoving: 0.2, psiDrifted: 100 });
    expect(own2.drift).toMatchObject({ drifted: 0, moving: 5 });
    expect(own2.alerts.map((a) => a.code)).toEqual(['sensor_moving']);
    expect(own2.alerts[0]!.message).toMatch(/^5 sensors are moving away from the training rows \(PSI 0.2-100\)/);
    expect(batchDrift(ctx, result.batch)).toMatchObject({ drifted: 0, moving: 5, thresholds: { psiMoving: 0.2, psiDrifted: 100 } });
    // Nonsense is refused with the field it concerns; the defaults come back on request.
    const refused = await registry.dispatch(ctx, 'monitor/set-thresholds', {
      thresholds: { psiMoving: 0.3, psiDrifted: 0.2, quarantineShare: 0.2, unfamiliarShare: 0.1, failRateFactor: 2 },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('psiDrifted') as unknown } });
    const reset = await registry.dispatch(ctx, 'monitor/set-thresholds', { thresholds: null });
    expect(reset).toMatchObject({ ok: true, value: { isDefault: true } });
    expect(monitorSummary(ctx, { model: 'production', days: 30 }).alerts.map((a) => a.code)).toEqual(after.alerts.map((a) => a.code));
  });

  it("reads a model's training files when the model keeps no rows (median imputation)", async () => {
    const dir = tmp();
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
    contexts.push(ctx);
    await ctx.jobs.wait(startIngest(ctx, 'training', [writeTrainingBatch(join(dir, 'train'))]).id);
    const job = await ctx.jobs.wait(
      startTraining(ctx, { config: { ...SMALL_CONFIG, imputation: { method: 'median' } } }).id,
    );
    const { modelVersion } = job.result as { modelVersion: number };
    const final = await ctx.jobs.wait(
      startBatchPrediction(ctx, [writeTrainingBatch(join(dir, 'same'), 1, 40, false)], modelVersion, 'app').id,
    );
    expect(final.status).toBe('succeeded');
    const summary = monitorSummary(ctx, { model: modelVersion, days: 7 });
    expect(summary.drift).toMatchObject({ reference: 'training-files', referenceRows: 240, currentRows: 40 });
    expect(summary.drift!.scored).toBeGreaterThan(500);
    // 40 rows are too few for alerts (a decile bin left empty alone scores ~0.7).
    expect(summary.alerts.filter((a) => a.code.startsWith('sensor'))).toEqual([]);
  });
});
