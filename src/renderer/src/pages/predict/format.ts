/** Formatting and small helpers shared by the Predict page's panels: probabilities, labels, errors. */
import type { PredictionRow } from '../../../../shared/contract';
import { ApiError } from '../../api/client';

export type ModelChoice = 'production' | number;

export function prob(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  return p.toFixed(3);
}

export function sensorValue(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'missing';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(5)).toString();
}

export function signed(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
}

export function resultText(row: Pick<PredictionRow, 'faulty'>): 'faulty' | 'good' {
  return row.faulty ? 'faulty' : 'good';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export function errorCode(e: unknown): string | null {
  return e instanceof ApiError ? e.code : null;
}

export function modelLabel(model: ModelChoice | 'staging', productionVersion: number | null): string {
  if (model === 'production') return productionVersion ? `Production (v${productionVersion})` : 'Production';
  if (model === 'staging') return 'Staging';
  return `version ${model}`;
}
