/**
 * Monitoring: how the incoming data and the predictions move over time. Data quality (files quarantined
 * and why), the fail rate, sensor drift of recent prediction rows against the model's training rows
 * (population stability index), and the alerts these raise.
 */
import { z } from 'zod';
import type { DriftLevel, MonitorThresholds } from '../drift';
import { channel } from './define';
import { modelChoiceZ } from './predict';

export interface SensorDrift {
  sensor: string;
  /** Population stability index against the reference rows: < 0.1 stable, 0.1-0.25 moving, > 0.25 drifted. */
  psi: number;
  /** By those thresholds, counted only when the score is also above chance for the sample sizes. */
  level: DriftLevel;
  refMissing: number;
  curMissing: number;
  refMedian: number | null;
  curMedian: number | null;
}

export interface MonitorAlert {
  level: 'warning' | 'alert';
  code: 'sensor_drift' | 'sensor_moving' | 'quarantine_share' | 'unfamiliar_share' | 'fail_rate' | 'watched_folder';
  message: string;
}

export interface MonitorSummary {
  /** The model version whose training rows drift is measured against; null when none resolves. */
  modelVersion: number | null;
  from: string;
  to: string;
  days: number;
  /** Prediction files imported per UTC day in the window, and how many were quarantined. */
  quality: { day: string; files: number; bad: number }[];
  /** Files quarantined in the window per reason code, most frequent first. */
  reasons: { code: string; files: number }[];
  /** Every prediction in the window per UTC day (all model versions). */
  failRate: { bucket: string; rows: number; faulty: number; unfamiliar: number }[];
  /** The window's sums of quality (files, bad) and failRate (rows, faulty, unfamiliar). */
  totals: { files: number; bad: number; rows: number; faulty: number; unfamiliar: number };
  /** The fault share among the model's training rows, for comparison with the fail rate. */
  trainingFaultShare: number | null;
  drift: {
    /** 'model': the rows the model keeps for imputation (its training rows, or a sample of them). */
    reference: 'model' | 'training-files';
    referenceRows: number;
    /** The most recent prediction rows scored by the model in the window (newest files first, 2,000 at most). */
    currentRows: number;
    /** Whether currentRows is enough for drift to be called (DRIFT_MIN_ROWS in shared/drift.ts). */
    reliable: boolean;
    /** Sensors compared, and how many of them drifted (PSI > 0.25) or are moving (0.1-0.25). */
    scored: number;
    drifted: number;
    moving: number;
    /** The 50 sensors with the highest PSI, highest first. */
    sensors: SensorDrift[];
  } | null;
  /** Why drift is null, or why it raises no alert yet, in words. */
  driftNote: string | null;
  /**
   * The operating regimes' mix: each regime's share of the model's training rows and fault share there,
   * against the share of the window's wafers the model put in it and the share it predicted faulty. A
   * mix that moved (more wafers of one recipe) explains drift that is not a sensor going wrong.
   */
  regimes: {
    cluster: number;
    trainingRows: number;
    trainingFaulty: number;
    recentRows: number;
    recentFaulty: number;
    recentUnfamiliar: number;
  }[];
  /** The thresholds the levels and alerts were judged by (the workspace's setting). */
  thresholds: MonitorThresholds;
  alerts: MonitorAlert[];
}

/** How far one prediction batch's rows moved from its model's training rows. */
export interface BatchDrift {
  batchId: number;
  modelVersion: number;
  /** The batch's rows compared (its first 2,000). */
  rows: number;
  scored: number;
  drifted: number;
  moving: number;
  /** Whether `rows` is enough for drift to be called (DRIFT_MIN_ROWS in shared/drift.ts). */
  reliable: boolean;
  /** The 10 sensors with the highest PSI, highest first. */
  sensors: SensorDrift[];
  /** The PSI thresholds the levels were judged by. */
  thresholds: Pick<MonitorThresholds, 'psiMoving' | 'psiDrifted'>;
}

const share = z.number().min(0).max(1);
const monitorThresholdsZ = z
  .object({
    psiMoving: z.number().min(0.01).max(100),
    psiDrifted: z.number().min(0.01).max(100),
    quarantineShare: share,
    unfamiliarShare: share,
    failRateFactor: z.number().min(1).max(100),
  })
  .strict()
  .refine((t) => t.psiDrifted > t.psiMoving, { message: 'the drifted threshold must be above the moving one', path: ['psiDrifted'] });

export const monitorChannels = {
  'monitor/summary': channel<MonitorSummary>()(
    z
      .object({
        model: modelChoiceZ.default('production'),
        days: z.number().int().min(1).max(3650).default(30),
      })
      .strict(),
  ),
  /** Null when the batch has no stored rows or its model's training rows are gone. */
  'monitor/batch-drift': channel<BatchDrift | null>()(z.object({ batchId: z.number().int().positive() }).strict()),
  'monitor/thresholds': channel<{ thresholds: MonitorThresholds; isDefault: boolean }>()(z.object({}).strict()),
  /** Sets the workspace's alert thresholds; null goes back to the defaults. */
  'monitor/set-thresholds': channel<{ thresholds: MonitorThresholds; isDefault: boolean }>()(
    z.object({ thresholds: monitorThresholdsZ.nullable() }).strict(),
  ),
};
