/**
 * The drift rules every layer states the same way (the algorithm in main/ml/drift.ts, the Monitor page,
 * the batch warning, the reports): population stability index thresholds (defaults; the workspace may set
 * its own) and the fewest rows a drift score is trusted from. Plain constants, no zod, so workers and the renderer may import them.
 */

/** PSI rule of thumb (the default thresholds): under 0.1 stable, 0.1 to 0.25 moving, over 0.25 drifted. */
export const PSI_MOVING = 0.1;
export const PSI_DRIFTED = 0.25;

export type DriftLevel = 'stable' | 'moving' | 'drifted';

/**
 * The Monitor's alert thresholds, a workspace setting (the Monitor page edits them). Each line has its own
 * normal: a process whose files are often quarantined for a known reason, or that runs a higher fail rate
 * than its training weeks, raises fewer false alarms with its own numbers.
 */
export interface MonitorThresholds {
  /** PSI over this: the sensor is moving. */
  psiMoving: number;
  /** PSI over this: the sensor drifted. */
  psiDrifted: number;
  /** Warn when more than this share of the window's prediction files was quarantined. */
  quarantineShare: number;
  /** Warn when more than this share of the window's predictions was in an unfamiliar regime. */
  unfamiliarShare: number;
  /** Warn when the fail rate is over this multiple of the training rows' fault share. */
  failRateFactor: number;
}

export const DEFAULT_MONITOR_THRESHOLDS: MonitorThresholds = {
  psiMoving: PSI_MOVING,
  psiDrifted: PSI_DRIFTED,
  quarantineShare: 0.2,
  unfamiliarShare: 0.1,
  failRateFactor: 2,
};

/** Below this many compared rows a PSI is mostly sampling noise (~9 / rows for ten bins): no drift is called. */
export const DRIFT_MIN_ROWS = 300;
