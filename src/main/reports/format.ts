/**
 * Shared wording and number formatting for the batch reports, so the CSV, HTML and PDF say the same
 * thing the same way: the summary figures, file reasons with their location, the model's metrics and
 * gates, and "top sensors" explanations. Pure functions over BatchReportData; no I/O.
 */
import type {
  BatchReportData,
  Explanation,
  PredictionRow,
  SensorEffect,
} from '../../shared/contract/predict';
import type { DriftLevel } from '../../shared/drift';
import type { Reason } from '../../shared/schema';

export const APP_TITLE = 'Wafer Fault Studio';

/** Rows shown in the faulty and unfamiliar tables of the HTML and PDF reports; the CSV lists every row. */
export const DEFAULT_MAX_TABLE_ROWS = 2000;

export type ReportRow = BatchReportData['rows'][number];

export interface ReportOptions {
  /** Cap for the faulty-wafer and unfamiliar-wafer tables (default 2000). */
  maxTableRows?: number;
}

export interface ReportSummary {
  filesGood: number;
  filesQuarantined: number;
  filesDuplicate: number;
  rows: number;
  faulty: number;
  failRate: number | null;
  unfamiliar: number;
}

export function summarize(data: BatchReportData): ReportSummary {
  const files = data.batch.fileResults;
  const rows = data.batch.rows;
  return {
    filesGood: files.filter((f) => f.status === 'good').length,
    filesQuarantined: files.filter((f) => f.status === 'bad').length,
    filesDuplicate: files.filter((f) => f.status === 'duplicate').length,
    rows,
    faulty: data.batch.faulty,
    failRate: rows > 0 ? data.batch.faulty / rows : null,
    unfamiliar: data.batch.unfamiliar,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

/** 12345 -> "12,345". */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(GROUP, ',');
}

/** 0.0612 -> "6.1%". */
export function fmtPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return `${(x * 100).toFixed(digits)}%`;
}

/** A metric in [0, 1] shown with three decimals. */
export function fmtMetric(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return x.toFixed(3);
}

export function fmtProb(p: number): string {
  return Number.isFinite(p) ? p.toFixed(3) : 'n/a';
}

/** A sensor value: up to 5 significant digits, no exponent for ordinary magnitudes. */
export function fmtValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'missing';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(2);
  return String(Number(v.toPrecision(5)));
}

/** An effect on the model's raw output with its sign: "+0.82", "-0.40", "+0.0031". */
export function fmtEffect(e: number): string {
  if (!Number.isFinite(e)) return 'n/a';
  const sign = e >= 0 ? '+' : '-';
  const a = Math.abs(e);
  const body = a >= 0.01 || a === 0 ? a.toFixed(2) : a.toPrecision(2);
  return sign + body;
}

/** An ISO time as "2025-01-31 14:05:09 UTC" (always UTC, so a report reads the same everywhere). */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The label as the schema spells it (1 / -1), with its meaning. */
export function fmtLabel(row: Pick<PredictionRow, 'label' | 'faulty'>): string {
  return `${String(row.label)} (${row.faulty ? 'faulty' : 'good'})`;
}

// ---------------------------------------------------------------------------------------------------------
// Explanations

/** The strongest sensors pushing towards faulty, largest effect first. */
export function topTowardsFaulty(explanation: Explanation | null, n = 3): SensorEffect[] {
  if (!explanation) return [];
  return explanation.towardsFaulty
    .filter((s) => Number.isFinite(s.effect) && s.effect > 0)
    .slice()
    .sort((a, b) => b.effect - a.effect)
    .slice(0, n);
}

/** "Sensor - 59 (+0.82); Sensor - 103 (+0.40)". */
export function topSensorsText(explanation: Explanation | null, n = 3): string {
  return topTowardsFaulty(explanation, n)
    .map((s) => `${s.sensor} (${fmtEffect(s.effect)})`)
    .join('; ');
}

export function outOfRange(s: SensorEffect): boolean {
  return s.value !== null && Number.isFinite(s.value) && (s.value < s.low || s.value > s.high);
}

/** "value 2.41, training range 0.1 – 1.2". */
export function sensorDetail(s: SensorEffect): string {
  return `${fmtValue(s.value)}; training range ${fmtValue(s.low)} – ${fmtValue(s.high)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Files and reasons

export function fileStatusText(status: string): string {
  if (status === 'good') return 'good';
  if (status === 'bad') return 'quarantined';
  if (status === 'duplicate') return 'already imported';
  return status;
}

function columnText(c: { index: number; name: string; header?: string }): string {
  const name = c.name || c.header || '';
  return name ? `column ${c.index} (${name})` : `column ${c.index}`;
}

/** Where a reason points: "row 12, column 5 (Sensor - 4)", or '' when it concerns the whole file. */
export function reasonLocation(r: Reason): string {
  const parts: string[] = [];
  if (r.row !== undefined) parts.push(`row ${fmtInt(r.row)}`);
  if (r.column) parts.push(columnText(r.column));
  if (r.columns && r.columns.length > 0) {
    const shown = r.columns.slice(0, 8).map(columnText);
    const more = r.columns.length - shown.length;
    parts.push(shown.join(', ') + (more > 0 ? ` and ${fmtInt(more)} more` : ''));
  }
  if (r.value !== undefined) parts.push(`value "${r.value}"`);
  if (r.count !== undefined && r.count > 0) parts.push(`${fmtInt(r.count)} more not listed`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Model

export function modelFacts(data: BatchReportData): [string, string][] {
  const m = data.model;
  return [
    ['Version', `v${m.version}`],
    ['Status', m.status.replace(/_/g, ' ')],
    ['Stages', m.stages.length > 0 ? m.stages.join(', ') : 'none'],
    ['Regimes (k)', String(m.k)],
    ['Decision threshold', fmtProb(m.threshold)],
    ['Strategy', m.strategy],
    ['Trained', fmtTime(m.createdAt)],
  ];
}

export interface MetricLine {
  label: string;
  value: string;
  note?: string;
}

export function metricLines(data: BatchReportData): MetricLine[] {
  const s = data.model.metrics;
  if (!s) return [];
  return [
    {
      label: 'Accuracy',
      value: fmtPct(s.accuracy),
      note: `actual fail rate ${fmtPct(s.failRateActual)}: always answering "good" would score ${fmtPct(1 - s.failRateActual)}`,
    },
    { label: 'Balanced accuracy', value: fmtMetric(s.balancedAccuracy) },
    {
      label: 'Precision',
      value: fmtMetric(s.precision),
      note: 'of wafers called faulty, the share that were',
    },
    { label: 'Recall', value: fmtMetric(s.recall), note: 'of faulty wafers, the share caught' },
    { label: 'F1', value: fmtMetric(s.f1) },
    { label: 'ROC AUC', value: fmtMetric(s.rocAuc) },
    { label: 'PR AUC', value: fmtMetric(s.prAuc) },
    { label: 'Test rows', value: fmtInt(s.n), note: `threshold ${fmtProb(s.threshold)}` },
  ];
}

/** A gate's comparison, e.g. "0.912 >= 0.800" (gates are minimums; a "Maximum ..." gate reads <=). */
export function gateComparison(g: {
  metric: string;
  name: string;
  value: number | null;
  threshold: number;
}): string {
  const op = /^max/i.test(g.name) || /^max/i.test(g.metric) ? '<=' : '>=';
  return `${fmtMetric(g.value)} ${op} ${fmtMetric(g.threshold)}`;
}

/** Faulty rows, most likely first. */
export function faultyRows(data: BatchReportData): ReportRow[] {
  return data.rows.filter((r) => r.faulty).sort((a, b) => b.probability - a.probability);
}

export function unfamiliarRows(data: BatchReportData): ReportRow[] {
  return data.rows.filter((r) => r.unfamiliar).sort((a, b) => b.distance - a.distance);
}

export function maxRows(options: ReportOptions | undefined): number {
  const n = options?.maxTableRows;
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : DEFAULT_MAX_TABLE_ROWS;
}

/** The note under a capped table, or null when everything is shown. */
export function cappedNote(shown: number, total: number, what: string): string | null {
  if (shown >= total) return null;
  return `Showing ${fmtInt(shown)} of ${fmtInt(total)} ${what}; the predictions CSV lists every row.`;
}

export function reportTitle(data: BatchReportData): string {
  return `Prediction report: batch ${data.batch.id}`;
}

/** The drift section's words and rows, the same in HTML and PDF. */
export function driftSummary(data: BatchReportData): {
  lede: string;
  note: string | null;
  rows: { sensor: string; psi: string; level: DriftLevel; median: string; missing: string }[];
} {
  const d = data.drift;
  if (!d) {
    return {
      lede: "Not measured: the batch has no stored rows, or the model's training rows are no longer in the workspace.",
      note: null,
      rows: [],
    };
  }
  const lede =
    `This batch's ${fmtInt(d.rows)} rows against the training rows of model v${d.modelVersion}, per sensor ` +
    `(population stability index; under ${d.thresholds.psiMoving} stable, ${d.thresholds.psiMoving}-${d.thresholds.psiDrifted} moving, over ${d.thresholds.psiDrifted} drifted, when above chance ` +
    `for this many rows): ` +
    `${fmtInt(d.drifted)} of ${fmtInt(d.scored)} sensors drifted, ${fmtInt(d.moving)} moving.`;
  const note = d.reliable
    ? d.drifted > 0
      ? 'Predictions on inputs the model was not trained on are less reliable.'
      : null
    : `Only ${fmtInt(d.rows)} rows: scores from so few rows are mostly noise, so none is treated as drift.`;
  return {
    lede,
    note,
    rows: d.sensors.map((x) => ({
      sensor: x.sensor,
      psi: x.psi.toFixed(3),
      level: x.level,
      median: `${fmtValue(x.refMedian)} -> ${fmtValue(x.curMedian)}`,
      missing: `${fmtPct(x.refMissing)} -> ${fmtPct(x.curMissing)}`,
    })),
  };
}
