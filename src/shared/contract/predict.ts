/**
 * Predictions: batches (files dropped on the Predict page or given to the CLI) and single rows, each
 * prediction explained by the sensors that pushed it most, kept in history, exported as CSV and as
 * HTML/PDF reports.
 */
import { z } from 'zod';
import type { IngestFileResult } from './data';
import type { GateResult, MetricSet } from './training';
import type { BatchDrift } from './monitor';
import { channel } from './define';

export const PREDICTION_SOURCES = ['app', 'single', 'cli', 'watch', 'schedule'] as const;
export type PredictionSource = (typeof PREDICTION_SOURCES)[number];
/** Where a prediction came from, in words (batch views, row details, reports). */
export const PREDICTION_SOURCE_LABEL: Record<PredictionSource, string> = {
  app: 'dropped in the app',
  single: 'single row',
  cli: 'command line',
  watch: 'watched folder',
  schedule: 'schedule',
};

export interface SensorEffect {
  sensor: string;
  value: number | null;
  /** Contribution to the model's raw output: positive pushes towards faulty. */
  effect: number;
  /** 5th and 95th percentile of the sensor among the regime's training rows. */
  low: number;
  high: number;
}

export interface Explanation {
  towardsFaulty: SensorEffect[];
  towardsGood: SensorEffect[];
}

export interface PredictionRow {
  id: number;
  batchId: number;
  fileName: string | null;
  rowNo: number | null;
  wafer: string;
  cluster: number;
  distance: number;
  unfamiliar: boolean;
  probability: number;
  faulty: boolean;
  /** The label in the schema's values (e.g. 1 faulty, -1 good). */
  label: number | string;
  threshold: number;
  modelVersion: number;
  source: PredictionSource;
  createdAt: string;
}

export interface PredictionDetail extends PredictionRow {
  explanation: Explanation | null;
}

export interface BatchSummary {
  id: number;
  createdAt: string;
  finishedAt: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  source: PredictionSource;
  modelVersion: number;
  files: number;
  rows: number;
  faulty: number;
  unfamiliar: number;
}

export interface BatchDetail extends BatchSummary {
  fileResults: IngestFileResult[];
  threshold: number;
}

/** What `predict --json` prints (and the job's result). */
export interface PredictResult {
  batch: number;
  model_version: number;
  files: { name: string; status: string; rows: number; reasons: IngestFileResult['reasons'] }[];
  rows: number;
  faulty: number;
  unfamiliar: number;
}

/** Everything a batch report shows, gathered once for CSV, HTML and PDF alike. */
export interface BatchReportData {
  appVersion: string;
  generatedAt: string;
  workspace: string;
  batch: BatchDetail;
  model: {
    version: number;
    status: string;
    stages: string[];
    k: number;
    threshold: number;
    metrics: MetricSet | null;
    gates: GateResult[];
    createdAt: string;
    strategy: string;
  };
  /** Every prediction of the batch (faulty first, then by probability). */
  rows: (PredictionRow & { explanation: Explanation | null })[];
  /** Probability histogram (20 bins) and per-regime and per-file counts for the charts. */
  histogram: { from: number; to: number; count: number; faulty: number }[];
  byCluster: { cluster: number; rows: number; faulty: number; unfamiliar: number }[];
  byFile: { fileName: string; rows: number; faulty: number }[];
  /** The batch's rows against the model's training rows (null when not measurable). */
  drift: BatchDrift | null;
}

const idZ = z.number().int().positive();
/** Production, Staging or a version number. */
export const modelChoiceZ = z.union([z.literal('production'), z.literal('staging'), idZ]);
const historyFilterZ = z
  .object({
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    source: z.enum(PREDICTION_SOURCES).optional(),
    file: z.string().max(500).optional(),
    result: z.enum(['faulty', 'good', 'unfamiliar']).optional(),
    modelVersion: idZ.optional(),
    batchId: idZ.optional(),
  })
  .strict();
export type HistoryFilter = z.infer<typeof historyFilterZ>;

export const predictChannels = {
  'predict/batch-start': channel<{ jobId: string }>()(
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
        model: modelChoiceZ.default('production'),
        source: z.enum(PREDICTION_SOURCES).default('app'),
      })
      .strict(),
  ),
  'predict/single': channel<PredictionDetail>()(
    z
      .object({
        /** A CSV line (id first, then the sensors in schema order), or values by sensor name. */
        csv: z.string().max(1_000_000).optional(),
        values: z.record(z.string(), z.union([z.number(), z.null(), z.string()])).optional(),
        wafer: z.string().max(200).optional(),
        model: modelChoiceZ.default('production'),
      })
      .strict()
      .refine((v) => v.csv !== undefined || v.values !== undefined, { message: 'give a CSV line or values by sensor name' }),
  ),
  /** Decodes the model into every worker ahead of a batch (the Predict page calls it when it opens). */
  'predict/warm': channel<{ version: number | null }>()(
    z.object({ model: modelChoiceZ.default('production') }).strict(),
  ),
  'predict/batches': channel<BatchSummary[]>()(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict()),
  'predict/batch': channel<BatchDetail>()(z.object({ id: idZ }).strict()),
  'predict/history': channel<{ rows: PredictionRow[]; total: number }>()(
    historyFilterZ
      .extend({
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
        /** Newest first (default), or the most likely failures first. */
        order: z.enum(['recent', 'risk']).optional(),
      })
      .strict(),
  ),
  /** Buckets are UTC hours, days or weeks (weeks start on Monday). */
  'predict/fail-rate': channel<{ bucket: string; rows: number; faulty: number; unfamiliar: number }[]>()(
    historyFilterZ.extend({ bucket: z.enum(['hour', 'day', 'week']).default('day') }).strict(),
  ),
  'predict/row': channel<PredictionDetail>()(z.object({ id: idZ }).strict()),
  'predict/export-csv': channel<{ path: string; name: string; bytes: number; rows: number }>()(
    z.object({ batchId: idZ, out: z.string().min(1).max(4096).optional() }).strict(),
  ),
  'reports/create': channel<{ path: string; name: string; bytes: number }>()(
    z.object({ batchId: idZ, format: z.enum(['html', 'pdf', 'csv']), out: z.string().min(1).max(4096).optional() }).strict(),
  ),
};
