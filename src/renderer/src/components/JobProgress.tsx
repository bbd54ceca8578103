/**
 * A job in progress (api/jobStore): its title and stage, staging (upload) progress or the job's overall
 * progress, each file's progress, and Cancel. The feature names its parts (classes, test ids, labels).
 */
import type { JobState } from '../api/jobStore';
import { ProgressBar } from './ProgressBar';

const MAX_ITEMS = 200;

export interface JobProgressProps {
  state: JobState<unknown>;
  onCancel(): void;
  title: string;
  /** The section's and its head's classes. */
  className: string;
  headClassName: string;
  ariaLabel: string;
  cancelLabel: string;
  testIds: { panel: string; stage: string; cancel: string; files?: string };
  /** The overall bar's label; the job's stage when not given. */
  overallLabel?: string;
  /** Each file's percentage beside its bar, and a count of the files beyond the list. */
  fileDetail?: boolean;
}

export function JobProgress(p: JobProgressProps) {
  const { state } = p;
  const job = state.job;
  const items = job?.progress.items ?? [];
  return (
    <section className={`card ${p.className}`} data-testid={p.testIds.panel} aria-label={p.ariaLabel}>
      <div className={p.headClassName}>
        <div>
          <h2>{p.title}</h2>
          <div className="muted" data-testid={p.testIds.stage}>
            {state.phase === 'staging'
              ? `Preparing files ${state.staged.done} of ${state.staged.total}…`
              : job
                ? `${job.progress.stage}${job.progress.message ? ` — ${job.progress.message}` : ''}`
                : 'Starting…'}
          </div>
        </div>
        <button
          type="button"
          className="danger"
          onClick={p.onCancel}
          disabled={state.cancelling}
          data-testid={p.testIds.cancel}
        >
          {state.cancelling ? 'Cancelling…' : p.cancelLabel}
        </button>
      </div>
      {state.phase === 'staging' ? (
        <ProgressBar done={state.staged.done} total={state.staged.total} label="Preparing" />
      ) : (
        <ProgressBar
          done={job?.progress.done ?? 0}
          total={job?.progress.total ?? 0}
          label={p.overallLabel ?? job?.progress.stage ?? 'Overall'}
        />
      )}
      {items.length > 0 && (
        <ul className="file-progress" data-testid={p.testIds.files}>
          {items.slice(0, MAX_ITEMS).map((it, i) => (
            <li key={`${it.name}-${i}`}>
              <span className="mono file-progress-name" title={it.name}>
                {it.name}
              </span>
              <ProgressBar done={it.done} total={it.total} label={it.name} />
              {p.fileDetail && (
                <span className="file-progress-pct mono">
                  {it.total > 0 ? `${Math.min(100, Math.round((it.done / it.total) * 100))}%` : ''}
                </span>
              )}
            </li>
          ))}
          {p.fileDetail && items.length > MAX_ITEMS && (
            <li className="muted">…and {items.length - MAX_ITEMS} more files</li>
          )}
        </ul>
      )}
    </section>
  );
}
