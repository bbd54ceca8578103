/**
 * The Monitor page's data: over a window of days, prediction files quarantined and why, the fail rate,
 * and sensor drift of the most recent rows a model version scored against its training rows (the rows
 * its bundle keeps for imputation, or its run's training files), with the alerts these raise.
 * Runs on the calling thread, kept short: the reference's bins are computed once per model version,
 * the current sample is at most about CURRENT_ROWS_MAX stored rows (~60 ms to read on wafer-sized
 * files), and the last answer is reused until the version, the window or the data changes.
 */
import type { BatchDrift, MonitorAlert, MonitorSummary, SensorDrift } from '../../shared/contract';
import { DEFAULT_MONITOR_THRESHOLDS, DRIFT_MIN_ROWS, type DriftLevel, type MonitorThresholds } from '../../shared/drift';
import { AppError } from '../errors';
import { driftLevel, observedMedian, psiAgainst, psiNoise, referenceBins, type ReferenceBins } from '../ml/drift';
import { decodeF64 } from '../ml/matrix';
import type { ModelBundle } from '../ml/pipeline/bundle';
import { fmtPct } from '../reports/format';
import type { VersionRow } from '../store/repos/registry';
import type { AppContext } from './context';
import { findVersion, readBundleBriefly, type ModelChoice } from './models';
import type { HandlerMap } from './registry';
import { watchProblem } from './watch-health';

/** Drift compares the first this many rows of the newest prediction files (PSI noise ~9 / rows). */
export const CURRENT_ROWS_MAX = 2000;
/** The sensors given in full (with medians), highest PSI first. */
export const SENSORS_SHOWN = 50;
/** A reference read from training files (models that keep no rows) is capped at this many rows. */
const REFERENCE_ROWS_MAX = 5000;
/** The fail rate is compared with the training rows' fault share only from this many predictions. */
const FAIL_RATE_MIN_ROWS = 100;

const THRESHOLDS_KEY = 'monitor.thresholds';

/** The workspace's alert thresholds (the defaults unless set). */
export function monitorThresholds(ctx: AppContext): { thresholds: MonitorThresholds; isDefault: boolean } {
  const stored = ctx.store.settings.get<MonitorThresholds>(THRESHOLDS_KEY);
  return stored ? { thresholds: { ...DEFAULT_MONITOR_THRESHOLDS, ...stored }, isDefault: false } : { thresholds: DEFAULT_MONITOR_THRESHOLDS, isDefault: true };
}

/** Sets them (null: back to the defaults). Drift levels already worked out are judged again. */
export function setMonitorThresholds(ctx: AppContext, thresholds: MonitorThresholds | null): { thresholds: MonitorThresholds; isDefault: boolean } {
  const same = thresholds !== null && JSON.stringify(thresholds) === JSON.stringify(DEFAULT_MONITOR_THRESHOLDS);
  ctx.store.settings.set(THRESHOLDS_KEY, same ? null : thresholds);
  batchDrifts.delete(ctx);
  ctx.log.info(thresholds && !same ? 'Monitor alert thresholds set.' : 'Monitor alert thresholds back to the defaults.', { thresholds });
  ctx.events.emit('data/changed', { domain: 'monitor' });
  return monitorThresholds(ctx);
}

/** The last answer per question (model and window): the navigation badge and the page ask different ones. */
const lastSummaries = new WeakMap<AppContext, Map<string, { key: string; summary: MonitorSummary }>>();

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

function referenceFor(ctx: AppContext, version: Pick<VersionRow, 'id' | 'sha256' | 'runId'>): Reference | null {
  let cache = references.get(ctx);
  if (!cache) references.set(ctx, (cache = new Map()));
  const key = `${version.id}:${version.sha256}`;
  if (cache.has(key)) return cache.get(key)!;
  const bundle = readBundleBriefly(ctx, version.id);
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
  thresholds: MonitorThresholds,
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
      scored.push({ j, psi: stat.psi, curMissing: stat.curMissing, level: driftLevel(stat.psi, psiNoise(bins, n), thresholds) });
  });
  const name = (j: number) => reference.names[j]!;
  scored.sort((a, b) => b.psi - a.psi || name(a.j).localeCompare(name(b.j)));
  const sensors: SensorDrift[] = scored.slice(0, top).map((x) => {
    const ref = reference.bins[x.j]!;
    return {
      sensor: name(x.j),
      psi: x.psi,
      level: x.level,
      refMissing: ref.missingShare,
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
  const { thresholds } = monitorThresholds(ctx);
  if (reference) {
    const d = driftOf(ctx, reference, fileIds, 10, thresholds);
    answer = {
      batchId,
      modelVersion: batch.modelVersion,
      rows: d.rows,
      scored: d.scored,
      drifted: d.drifted,
      moving: d.moving,
      reliable: d.rows >= DRIFT_MIN_ROWS,
      sensors: d.sensors,
      thresholds: { psiMoving: thresholds.psiMoving, psiDrifted: thresholds.psiDrifted },
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
  // The full row: drift's reference may need the version's training run.
  const found = findVersion(ctx, input.model);
  const version = found && ctx.store.registry.byId(found.id);

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
  // The answer only changes with the version, the window's start day, the data and the thresholds.
  const { thresholds } = monitorThresholds(ctx);
  const key = JSON.stringify([version?.id ?? null, from.slice(0, 13), files.length, failRate, picked, thresholds]);
  let answers = lastSummaries.get(ctx);
  if (!answers) lastSummaries.set(ctx, (answers = new Map()));
  const question = `${input.model}:${input.days}`;
  const hit = answers.get(question);
  if (hit && hit.key === key) return withWatchAlert(ctx, hit.summary);

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
        const { rows, ...scored } = driftOf(ctx, reference, picked, SENSORS_SHOWN, thresholds);
        drift = {
          reference: reference.kind,
          referenceRows: reference.rows,
          currentRows: rows,
          reliable: rows >= DRIFT_MIN_ROWS,
          ...scored,
        };
        if (!drift.reliable)
          driftNote = `Only ${rows} recent rows: drift scores this small are mostly noise, so they raise no alert until ${DRIFT_MIN_ROWS} rows are in.`;
      }
    }
  }

  // The regime mix of the version's predictions in the window against its training rows.
  const mix = version ? ctx.store.predictions.regimeMix(version.id, from) : [];
  const regimes = (version?.summary.clusters ?? []).map((c) => {
    const recent = mix.find((m) => m.cluster === c.cluster);
    return {
      cluster: c.cluster,
      trainingRows: c.rows,
      trainingFaulty: c.faulty,
      recentRows: recent?.rows ?? 0,
      recentFaulty: recent?.faulty ?? 0,
      recentUnfamiliar: recent?.unfamiliar ?? 0,
    };
  });

  const quality = [...byDay.values()];
  const facts = {
    modelVersion: version?.version ?? null,
    from,
    to: new Date(now).toISOString(),
    days: input.days,
    quality,
    reasons: [...reasonCounts]
      .map(([code, n]) => ({ code, files: n }))
      .sort((a, b) => b.files - a.files || a.code.localeCompare(b.code)),
    failRate,
    totals: {
      files: files.length,
      bad: quality.reduce((n, d) => n + d.bad, 0),
      rows: failRate.reduce((n, b) => n + b.rows, 0),
      faulty: failRate.reduce((n, b) => n + b.faulty, 0),
      unfamiliar: failRate.reduce((n, b) => n + b.unfamiliar, 0),
    },
    trainingFaultShare,
    drift,
    driftNote,
    regimes,
    thresholds,
  };
  const summary: MonitorSummary = { ...facts, alerts: alertsFor(facts) };
  answers.set(question, { key, summary });
  return withWatchAlert(ctx, summary);
}

/** The summary with the watched folder's problem first among its alerts, read fresh (it is not in the cache's key). */
function withWatchAlert(ctx: AppContext, summary: MonitorSummary): MonitorSummary {
  const problem = watchProblem(ctx);
  if (!problem) return summary;
  const alert: MonitorAlert = {
    level: 'alert',
    code: 'watched_folder',
    message: `${problem.error.message} Since ${problem.since.slice(0, 16).replace('T', ' ')} UTC no file of ${problem.folder} was predicted; the app keeps trying (Predict, Watched folder).`,
  };
  return { ...summary, alerts: [alert, ...summary.alerts] };
}

function alertsFor(s: Omit<MonitorSummary, 'alerts'>): MonitorAlert[] {
  const alerts: MonitorAlert[] = [];
  const { drift, totals, trainingFaultShare, thresholds: t } = s;
  if (drift?.reliable) {
    // The shown sensors are the highest PSI first, so they start with every drifted one (up to 50).
    const drifted = drift.sensors.filter((x) => x.level === 'drifted');
    const moving = drift.sensors.filter((x) => x.level === 'moving');
    const list = (named: SensorDrift[], total: number) => {
      // Only the 50 highest scores come with names: with more drifted sensors, moving ones may have none.
      if (named.length === 0) return `none among the ${SENSORS_SHOWN} highest scores`;
      const shown = named.slice(0, 5);
      const names = shown.map((x) => `${x.sensor} (${x.psi.toFixed(2)})`).join(', ');
      return total > shown.length ? `${names} and ${total - shown.length} more` : names;
    };
    if (drift.drifted)
      alerts.push({
        level: 'alert',
        code: 'sensor_drift',
        message: `${drift.drifted} sensor${drift.drifted === 1 ? ' has' : 's have'} drifted from the training rows (PSI over ${t.psiDrifted}): ${list(drifted, drift.drifted)}.`,
      });
    if (drift.moving)
      alerts.push({
        level: 'warning',
        code: 'sensor_moving',
        message: `${drift.moving} sensor${drift.moving === 1 ? ' is' : 's are'} moving away from the training rows (PSI ${t.psiMoving}-${t.psiDrifted}): ${list(moving, drift.moving)}.`,
      });
  }
  if (totals.files > 0 && totals.bad / totals.files > t.quarantineShare)
    alerts.push({
      level: 'warning',
      code: 'quarantine_share',
      message: `${totals.bad} of ${totals.files} prediction files (${fmtPct(totals.bad / totals.files)}) were quarantined, most often for ${s.reasons
        .slice(0, 3)
        .map((r) => `${r.code} (${r.files})`)
        .join(', ')}.`,
    });
  if (totals.rows > 0 && totals.unfamiliar / totals.rows > t.unfamiliarShare)
    alerts.push({
      level: 'warning',
      code: 'unfamiliar_share',
      message: `${fmtPct(totals.unfamiliar / totals.rows)} of the wafers predicted were in an unfamiliar regime (far from every training cluster).`,
    });
  if (
    trainingFaultShare !== null &&
    totals.rows >= FAIL_RATE_MIN_ROWS &&
    totals.faulty / totals.rows > t.failRateFactor * Math.max(trainingFaultShare, 0.005)
  )
    alerts.push({
      level: 'warning',
      code: 'fail_rate',
      message: `${fmtPct(totals.faulty / totals.rows)} of the wafers predicted were predicted faulty, against ${fmtPct(trainingFaultShare)} faulty in the model's training rows.`,
    });
  return alerts;
}

export const monitorHandlers: HandlerMap<'monitor/summary' | 'monitor/batch-drift' | 'monitor/thresholds' | 'monitor/set-thresholds'> = {
  'monitor/thresholds': (_input, ctx) => monitorThresholds(ctx),
  'monitor/set-thresholds': (input, ctx) => setMonitorThresholds(ctx, input.thresholds),
  'monitor/summary': (input, ctx) => monitorSummary(ctx, input),
  'monitor/batch-drift': (input, ctx) => batchDrift(ctx, input.batchId),
};
