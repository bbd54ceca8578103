/**
 * The Monitor page's data: over a window of days, prediction files quarantined and why, the fail rate,
 * and sensor drift of the most recent rows a model version scored against its training rows (the rows
 * its bundle keeps for imputation, or its run's training files), with the alerts these raise.
 * Runs on the calling thread, kept short: the reference's bins are computed once per model version,
 * the current sample is at most about CURRENT_ROWS_MAX stored rows (~60 ms to read on wafer-sized
 * files), and the last answer is reused until the version, the window or the data changes.
 */
import type { BatchDrift, MonitorAlert, MonitorSummary, SensorDrift } from '../../shared/contract';
import { AppError } from '../errors';
import {
  driftLevel,
  observedMedian,
  PSI_DRIFTED,
  PSI_MOVING,
  psiAgainst,
  psiNoise,
  referenceBins,
  type DriftLevel,
  type ReferenceBins,
} from '../ml/drift';
import { decodeF64 } from '../ml/matrix';
import { checkBundle, type ModelBundle } from '../ml/pipeline/bundle';
import type { AppContext } from './context';
import type { HandlerMap } from './registry';

/** Drift compares the first this many rows of the newest prediction files (PSI noise ~9 / rows). */
export const CURRENT_ROWS_MAX = 2000;
/** The sensors given in full (with medians), highest PSI first. */
export const SENSORS_SHOWN = 50;
/** Below this many current rows a PSI is mostly sampling noise (~9 / rows for ten bins): no drift alerts. */
export const DRIFT_ALERT_MIN_ROWS = 300;
/** A reference read from training files (models that keep no rows) is capped at this many rows. */
const REFERENCE_ROWS_MAX = 5000;
/** Alert thresholds: quarantined share of prediction files, unfamiliar share of predictions. */
export const QUARANTINE_SHARE_WARN = 0.2;
export const UNFAMILIAR_SHARE_WARN = 0.1;
/** The fail rate warns at this multiple of the training rows' fault share (with enough rows to say). */
export const FAIL_RATE_FACTOR_WARN = 2;
const FAIL_RATE_MIN_ROWS = 100;

type ModelChoice = 'production' | 'staging' | number;

interface Cached {
  key: string;
  summary: MonitorSummary;
}
const lastSummary = new WeakMap<AppContext, Cached>();

function resolveQuietly(ctx: AppContext, model: ModelChoice) {
  const registry = ctx.store.registry;
  if (typeof model === 'number') return registry.byVersion(model);
  const alias = registry.alias(model);
  return alias ? registry.byId(alias.versionId) : null;
}

interface Reference {
  kind: 'model' | 'training-files';
  rows: number;
  /** Values per stored row (the model's input sensors). */
  nFeatures: number;
  /** The sensors compared (input feature positions), their names and each one's reference bins. */
  columns: number[];
  names: string[];
  bins: ReferenceBins[];
}
/**
 * Per workspace and model version (and bundle checksum): its reference, binned once. Only the bins
 * are kept (tens of KB), not the bundle they come from, so looking at many versions holds no bundles.
 */
const references = new WeakMap<AppContext, Map<string, Reference | null>>();

function referenceFor(ctx: AppContext, version: { id: number; sha256: string; runId: number | null }): Reference | null {
  let cache = references.get(ctx);
  if (!cache) references.set(ctx, (cache = new Map()));
  const key = `${version.id}:${version.sha256}`;
  if (cache.has(key)) return cache.get(key)!;
  const bundle = checkBundle(ctx.store.registry.readBundle(version.id));
  const raw = referenceOf(ctx, bundle, version.runId);
  const reference = raw && {
    kind: raw.kind,
    rows: raw.rows,
    nFeatures: bundle.featureNames.length,
    columns: raw.columns,
    names: raw.columns.map((c) => bundle.featureNames[c]!),
    bins: raw.columns.map((_, j) => referenceBins(raw.values.subarray(j * raw.rows, (j + 1) * raw.rows))),
  };
  cache.set(key, reference);
  return reference;
}

/** Reference rows per sensor (column-major over the bundle's imputed columns). */
function referenceOf(
  ctx: AppContext,
  bundle: ModelBundle,
  runId: number | null,
): { kind: 'model' | 'training-files'; rows: number; columns: number[]; values: Float64Array } | null {
  const state = bundle.preprocess;
  const columns = state.imputeColumns;
  const donors = state.donors;
  if (donors && donors.nDonors > 0) {
    // Row-major nDonors x columns.length.
    const rowMajor = decodeF64(donors.values);
    const n = donors.nDonors;
    const p = columns.length;
    const values = new Float64Array(n * p);
    for (let r = 0; r < n; r++) for (let j = 0; j < p; j++) values[j * n + r] = rowMajor[r * p + j]!;
    return { kind: 'model', rows: n, columns, values };
  }
  const run = runId === null ? null : ctx.store.training.run(runId);
  if (!run) return null;
  const fileIds: number[] = [];
  let rows = 0;
  for (const f of run.fingerprint.files) {
    if (rows >= REFERENCE_ROWS_MAX) break;
    const found = ctx.store.files.goodBySha('training', f.sha256);
    if (!found) continue;
    fileIds.push(found.id);
    rows += found.rows;
  }
  if (fileIds.length === 0) return null;
  const m = ctx.store.rows.matrixForFiles(fileIds, bundle.featureNames.length, { start: 0, count: REFERENCE_ROWS_MAX });
  const values = new Float64Array(m.nRows * columns.length);
  columns.forEach((c, j) => values.set(m.X.subarray(c * m.nRows, (c + 1) * m.nRows), j * m.nRows));
  return { kind: 'training-files', rows: m.nRows, columns, values };
}

/** PSI of the first CURRENT_ROWS_MAX rows of these files against a reference; the `top` highest in full. */
function driftOf(
  ctx: AppContext,
  reference: Reference,
  fileIds: number[],
  top: number,
): { rows: number; scored: number; drifted: number; moving: number; sensors: SensorDrift[] } {
  // Capped within a file too: one file of 100,000 rows must not be read whole on this thread.
  const current = ctx.store.rows.matrixForFiles(fileIds, reference.nFeatures, { start: 0, count: CURRENT_ROWS_MAX });
  const n = current.nRows;
  const column = (c: number) => current.X.subarray(c * n, (c + 1) * n);
  const scored: { j: number; psi: number; curMissing: number; level: DriftLevel }[] = [];
  reference.columns.forEach((c, j) => {
    const bins = reference.bins[j]!;
    const stat = psiAgainst(bins, column(c));
    if (stat.psi !== null)
      scored.push({ j, psi: stat.psi, curMissing: stat.curMissing, level: driftLevel(stat.psi, psiNoise(bins, n)) });
  });
  const name = (j: number) => reference.names[j]!;
  scored.sort((a, b) => b.psi - a.psi || name(a.j).localeCompare(name(b.j)));
  const sensors: SensorDrift[] = scored.slice(0, top).map((x) => {
    const ref = reference.bins[x.j]!;
    return {
      sensor: name(x.j),
      psi: x.psi,
      level: x.level,
      refMissing: ref.rows ? ref.missing / ref.rows : 0,
      curMissing: x.curMissing,
      refMedian: ref.median,
      curMedian: observedMedian(column(reference.columns[x.j]!)),
    };
  });
  return {
    rows: n,
    scored: scored.length,
    drifted: scored.filter((x) => x.level === 'drifted').length,
    moving: scored.filter((x) => x.level === 'moving').length,
    sensors,
  };
}

/** A finished batch never changes: the last few answers are kept. */
const batchDrifts = new WeakMap<AppContext, Map<number, BatchDrift | null>>();
const BATCH_DRIFTS_KEPT = 20;

/** How far one batch's rows moved from its model's training rows (the Predict page's batch view). */
export function batchDrift(ctx: AppContext, batchId: number): BatchDrift | null {
  let cache = batchDrifts.get(ctx);
  if (!cache) batchDrifts.set(ctx, (cache = new Map()));
  if (cache.has(batchId)) return cache.get(batchId)!;
  const batch = ctx.store.predictions.batch(batchId);
  if (!batch) throw new AppError('not_found', `There is no prediction batch ${batchId}.`);
  const version = ctx.store.registry.byVersion(batch.modelVersion);
  const fileIds = ctx.store.predictions.filesOfBatch(batchId);
  const reference = version && fileIds.length ? referenceFor(ctx, version) : null;
  let answer: BatchDrift | null = null;
  if (reference) {
    const d = driftOf(ctx, reference, fileIds, 10);
    answer = {
      batchId,
      modelVersion: batch.modelVersion,
      rows: d.rows,
      scored: d.scored,
      drifted: d.drifted,
      moving: d.moving,
      reliable: d.rows >= DRIFT_ALERT_MIN_ROWS,
      sensors: d.sensors,
    };
  }
  // Only a finished batch's answer is final.
  if (batch.status === 'succeeded') {
    cache.set(batchId, answer);
    while (cache.size > BATCH_DRIFTS_KEPT) cache.delete(cache.keys().next().value!);
  }
  return answer;
}

export function monitorSummary(ctx: AppContext, input: { model: ModelChoice; days: number }): MonitorSummary {
  const now = Date.now();
  const from = new Date(now - input.days * 86_400_000).toISOString();
  const version = resolveQuietly(ctx, input.model);

  const files = ctx.store.files.importedSince('prediction', from);
  const byDay = new Map<string, { day: string; files: number; bad: number }>();
  const reasonCounts = new Map<string, number>();
  for (const f of files) {
    const d = byDay.get(f.day) ?? { day: f.day, files: 0, bad: 0 };
    d.files++;
    if (f.status === 'bad') {
      d.bad++;
      const codes = new Set((JSON.parse(f.reasons) as { code: string }[]).map((r) => r.code));
      for (const code of codes) reasonCounts.set(code, (reasonCounts.get(code) ?? 0) + 1);
    }
    byDay.set(f.day, d);
  }
  const failRate = ctx.store.predictions.failRate({ from }, 'day');

  // Drift: the newest files the version scored in the window, until they hold CURRENT_ROWS_MAX rows.
  const recent = version ? ctx.store.predictions.recentFilesOf(version.id, from) : [];
  const picked: number[] = [];
  let currentRows = 0;
  for (const f of recent) {
    if (currentRows >= CURRENT_ROWS_MAX) break;
    picked.push(f.fileId);
    currentRows += f.rows;
  }
  // The answer only changes with the version, the window's start day and the data: reuse it otherwise.
  const key = JSON.stringify([version?.id ?? null, input.days, from.slice(0, 13), files.length, failRate, picked]);
  const hit = lastSummary.get(ctx);
  if (hit && hit.key === key) return hit.summary;

  let drift: MonitorSummary['drift'] = null;
  let driftNote: string | null = null;
  let trainingFaultShare: number | null = null;
  if (!version) {
    driftNote =
      typeof input.model === 'number'
        ? `There is no model version ${input.model}.`
        : `No model is in ${input.model === 'production' ? 'Production' : 'Staging'}: drift is measured against a model's training rows.`;
  } else {
    const run = version.runId === null ? null : ctx.store.training.run(version.runId);
    if (run && run.fingerprint.rows > 0) trainingFaultShare = run.fingerprint.faulty / run.fingerprint.rows;
    if (picked.length === 0) {
      driftNote = `Model version ${version.version} has scored no file in the last ${input.days} days.`;
    } else {
      const reference = referenceFor(ctx, version);
      if (!reference) {
        driftNote = `The training rows of model version ${version.version} are no longer in this workspace.`;
      } else {
        const scoredDrift = driftOf(ctx, reference, picked, SENSORS_SHOWN);
        const n = scoredDrift.rows;
        drift = {
          reference: reference.kind,
          referenceRows: reference.rows,
          currentRows: n,
          scored: scoredDrift.scored,
          drifted: scoredDrift.drifted,
          moving: scoredDrift.moving,
          sensors: scoredDrift.sensors,
        };
        if (n < DRIFT_ALERT_MIN_ROWS)
          driftNote = `Only ${n} recent rows: drift scores this small are mostly noise, so they raise no alert until ${DRIFT_ALERT_MIN_ROWS} rows are in.`;
      }
    }
  }

  const reasons = [...reasonCounts]
    .map(([code, n]) => ({ code, files: n }))
    .sort((a, b) => b.files - a.files || a.code.localeCompare(b.code));
  const summary: MonitorSummary = {
    modelVersion: version?.version ?? null,
    from,
    to: new Date(now).toISOString(),
    days: input.days,
    quality: [...byDay.values()],
    reasons,
    failRate,
    trainingFaultShare,
    drift,
    driftNote,
    alerts: alertsFor(reasons, files.length, byDay, failRate, trainingFaultShare, drift),
  };
  lastSummary.set(ctx, { key, summary });
  return summary;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

function alertsFor(
  reasons: MonitorSummary['reasons'],
  nFiles: number,
  byDay: Map<string, { files: number; bad: number }>,
  failRate: MonitorSummary['failRate'],
  trainingFaultShare: number | null,
  drift: MonitorSummary['drift'],
): MonitorAlert[] {
  const alerts: MonitorAlert[] = [];
  if (drift && drift.currentRows >= DRIFT_ALERT_MIN_ROWS) {
    // The shown sensors are the highest PSI first, so they start with every drifted one (up to 50).
    const drifted = drift.sensors.filter((s) => s.level === 'drifted');
    const moving = drift.sensors.filter((s) => s.level === 'moving');
    const list = (s: SensorDrift[], total: number) => {
      const named = s.slice(0, 5);
      // Only the 50 highest scores come with names: with more drifted sensors, moving ones may have none.
      if (named.length === 0) return `none among the ${SENSORS_SHOWN} highest scores`;
      const names = named.map((x) => `${x.sensor} (${x.psi.toFixed(2)})`).join(', ');
      return total > named.length ? `${names} and ${total - named.length} more` : names;
    };
    if (drift.drifted)
      alerts.push({
        level: 'alert',
        code: 'sensor_drift',
        message: `${drift.drifted} sensor${drift.drifted === 1 ? ' has' : 's have'} drifted from the training rows (PSI over ${PSI_DRIFTED}): ${list(drifted, drift.drifted)}.`,
      });
    if (drift.moving)
      alerts.push({
        level: 'warning',
        code: 'sensor_moving',
        message: `${drift.moving} sensor${drift.moving === 1 ? ' is' : 's are'} moving away from the training rows (PSI ${PSI_MOVING}-${PSI_DRIFTED}): ${list(moving, drift.moving)}.`,
      });
  }
  const bad = [...byDay.values()].reduce((s, d) => s + d.bad, 0);
  if (nFiles > 0 && bad / nFiles > QUARANTINE_SHARE_WARN)
    alerts.push({
      level: 'warning',
      code: 'quarantine_share',
      message: `${bad} of ${nFiles} prediction files (${pct(bad / nFiles)}) were quarantined, most often for ${reasons
        .slice(0, 3)
        .map((r) => `${r.code} (${r.files})`)
        .join(', ')}.`,
    });
  const rows = failRate.reduce((s, b) => s + b.rows, 0);
  const faulty = failRate.reduce((s, b) => s + b.faulty, 0);
  const unfamiliar = failRate.reduce((s, b) => s + b.unfamiliar, 0);
  if (rows > 0 && unfamiliar / rows > UNFAMILIAR_SHARE_WARN)
    alerts.push({
      level: 'warning',
      code: 'unfamiliar_share',
      message: `${pct(unfamiliar / rows)} of the wafers predicted were in an unfamiliar regime (far from every training cluster).`,
    });
  if (trainingFaultShare !== null && rows >= FAIL_RATE_MIN_ROWS && faulty / rows > FAIL_RATE_FACTOR_WARN * Math.max(trainingFaultShare, 0.005))
    alerts.push({
      level: 'warning',
      code: 'fail_rate',
      message: `${pct(faulty / rows)} of the wafers predicted were predicted faulty, against ${pct(trainingFaultShare)} faulty in the model's training rows.`,
    });
  return alerts;
}

export const monitorHandlers: HandlerMap<'monitor/summary' | 'monitor/batch-drift'> = {
  'monitor/summary': (input, ctx) => monitorSummary(ctx, input),
  'monitor/batch-drift': (input, ctx) => batchDrift(ctx, input.batchId),
};
