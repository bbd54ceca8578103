/** Number, time and status formatting shared by the Training and Models pages, so both read alike. */
import type { RunStatus, VersionStatus } from '../../../../shared/contract/training';

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return v.toFixed(digits);
}

export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function params(p: Record<string, number | string | boolean>): string {
  const entries = Object.entries(p);
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : '—';
}

export const RUN_BADGE: Record<RunStatus, string> = {
  running: 'pending',
  succeeded: 'good',
  failed: 'bad',
  cancelled: '',
};

export const VERSION_BADGE: Record<VersionStatus, string> = {
  pending_approval: 'pending',
  rejected_by_gates: 'bad',
  approved: 'good',
  rejected: 'bad',
  archived: '',
};

export const VERSION_LABEL: Record<VersionStatus, string> = {
  pending_approval: 'pending approval',
  rejected_by_gates: 'rejected by gates',
  approved: 'approved',
  rejected: 'rejected',
  archived: 'archived',
};

/** Gate metric names as a person reads them. */
export function metricLabel(metric: string): string {
  const names: Record<string, string> = {
    accuracy: 'Accuracy',
    f1: 'F1',
    recall: 'Recall',
    rocAuc: 'ROC AUC',
    prAuc: 'PR AUC',
    precision: 'Precision',
    balancedAccuracy: 'Balanced accuracy',
  };
  return names[metric] ?? metric;
}
