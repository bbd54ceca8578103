/**
 * The Monitor page's data: over a window of days, prediction files quarantined and why, the fail rate,
 * and sensor drift of the most recent rows a model version scored against its training rows (the rows
 * its bundle keeps for imputation, or its run's training files), with the alerts these raise.
 * Runs on the calling thread: it reads at most CURRENT_ROWS_MAX stored rows and one bundle (cached),
 * ~0.1-0.3 s on wafer-sized models, and keeps the last answer per model version and data state.
 */
import type { MonitorAlert, MonitorSummary, SensorDrift } from '../../shared/contract';
import { PSI_DRIFTED, PSI_MOVING, psi } from '../ml/drift';
import { decodeF64 } from '../ml/matrix';
import type { ModelBundle } from '../ml/pipeline/bundle';
import type { AppContext } from './context';
import { loadBundle } from './models';
import type { HandlerMap } from './registry';

/** Drift compares at most this many recent prediction rows (whole files, newest first). */
export const CURRENT_ROWS_MAX = 5000;
/** Below this many current rows a PSI is mostly sampling noise (~9 / rows for ten bins): no drift alerts. */
export const DRIFT_ALERT_MIN_ROWS = 300;
/** A reference read from training files is capped the same way. */
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

/** Reference rows per sensor (column-major over the bundle's imputed columns) and their sensor names. */
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
  const m = ctx.store.rows.matrixForFiles(fileIds, bundle.featureNames.length);
  const values = new Float64Array(m.nRows * columns.length);
  columns.forEach((c, j) => values.set(m.X.subarray(c * m.nRows, (c + 1) * m.nRows), j * m.nRows));
  return { kind: 'training-files', rows: m.nRows, columns, values };
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

  // Drift: the newest files the version scored in the window, whole, up to CURRENT_ROWS_MAX rows.
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
      const bundle = loadBundle(ctx, version.id);
      const reference = referenceOf(ctx, bundle, version.runId);
      if (!reference) {
        driftNote = `The training rows of model version ${version.version} are no longer in this workspace.`;
      } else {
        const current = ctx.store.rows.matrixForFiles(picked, bundle.featureNames.length);
        const sensors: SensorDrift[] = [];
        const nRef = reference.rows;
        reference.columns.forEach((c, j) => {
          const stat = psi(
            reference.values.subarray(j * nRef, (j + 1) * nRef),
            current.X.subarray(c * current.nRows, (c + 1) * current.nRows),
          );
          if (stat.psi === null) return;
          sensors.push({ sensor: bundle.featureNames[c]!, ...stat, psi: stat.psi });
        });
        sensors.sort((a, b) => b.psi - a.psi || a.sensor.localeCompare(b.sensor));
        drift = { reference: reference.kind, referenceRows: nRef, currentRows: current.nRows, sensors };
        if (current.nRows < DRIFT_ALERT_MIN_ROWS)
          driftNote = `Only ${current.nRows} recent rows: drift scores this small are mostly noise, so they raise no alert until ${DRIFT_ALERT_MIN_ROWS} rows are in.`;
      }
    }
  }

  const summary: MonitorSummary = {
    modelVersion: version?.version ?? null,
    from,
    to: new Date(now).toISOString(),
    days: input.days,
    quality: [...byDay.values()],
    reasons: [...reasonCounts].map(([code, n]) => ({ code, files: n })).sort((a, b) => b.files - a.files || a.code.localeCompare(b.code)),
    failRate,
    trainingFaultShare,
    drift,
    driftNote,
    alerts: alertsFor(files.length, byDay, failRate, trainingFaultShare, drift),
  };
  lastSummary.set(ctx, { key, summary });
  return summary;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

function alertsFor(
  nFiles: number,
  byDay: Map<string, { files: number; bad: number }>,
  failRate: MonitorSummary['failRate'],
  trainingFaultShare: number | null,
  drift: MonitorSummary['drift'],
): MonitorAlert[] {
  const alerts: MonitorAlert[] = [];
  if (drift && drift.currentRows >= DRIFT_ALERT_MIN_ROWS) {
    const drifted = drift.sensors.filter((s) => s.psi > PSI_DRIFTED);
    const moving = drift.sensors.filter((s) => s.psi > PSI_MOVING && s.psi <= PSI_DRIFTED);
    const list = (s: SensorDrift[]) =>
      s
        .slice(0, 5)
        .map((x) => `${x.sensor} (${x.psi.toFixed(2)})`)
        .join(', ') + (s.length > 5 ? ` and ${s.length - 5} more` : '');
    if (drifted.length)
      alerts.push({
        level: 'alert',
        code: 'sensor_drift',
        message: `${drifted.length} sensor${drifted.length === 1 ? ' has' : 's have'} drifted from the training rows (PSI over ${PSI_DRIFTED}): ${list(drifted)}.`,
      });
    if (moving.length)
      alerts.push({
        level: 'warning',
        code: 'sensor_moving',
        message: `${moving.length} sensor${moving.length === 1 ? ' is' : 's are'} moving away from the training rows (PSI ${PSI_MOVING}-${PSI_DRIFTED}): ${list(moving)}.`,
      });
  }
  const bad = [...byDay.values()].reduce((s, d) => s + d.bad, 0);
  if (nFiles > 0 && bad / nFiles > QUARANTINE_SHARE_WARN)
    alerts.push({
      level: 'warning',
      code: 'quarantine_share',
      message: `${bad} of ${nFiles} prediction files (${pct(bad / nFiles)}) were quarantined; their reasons are below.`,
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

export const monitorHandlers: HandlerMap<'monitor/summary'> = {
  'monitor/summary': (input, ctx) => monitorSummary(ctx, input),
};
