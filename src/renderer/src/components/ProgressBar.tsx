/** A labelled progress bar; indeterminate while the total is unknown. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <span
      className="progress"
      role="progressbar"
      aria-label={label ?? 'progress'}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      title={label}
    >
      <span className={`progress-fill${pct === null ? ' indeterminate' : ''}`} style={{ width: pct === null ? '30%' : `${pct}%` }} />
      <span className="progress-text">
        {label ? `${label} ` : ''}
        {pct === null ? '' : `${pct}%`}
      </span>
    </span>
  );
}
