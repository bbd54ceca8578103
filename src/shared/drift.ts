/**
 * The drift rules every layer states the same way (the algorithm in main/ml/drift.ts, the Monitor page,
 * the batch warning, the reports): population stability index thresholds and the fewest rows a drift
 * score is trusted from. Plain constants, no zod, so workers and the renderer may import them.
 */

/** PSI rule of thumb: under 0.1 stable, 0.1 to 0.25 moving, over 0.25 drifted. */
export const PSI_MOVING = 0.1;
export const PSI_DRIFTED = 0.25;

export type DriftLevel = 'stable' | 'moving' | 'drifted';

/** Below this many compared rows a PSI is mostly sampling noise (~9 / rows for ten bins): no drift is called. */
export const DRIFT_MIN_ROWS = 300;
