/**
 * The running import: staging (upload) progress, the job's overall and per-file progress, and Cancel;
 * once it ends, the result banner (good, bad, duplicate, rows) or why it stopped.
 */
import type { IngestSummary } from '../../../shared/contract';
import { cancelImport, dismissImport, type ImportState } from './importStore';
import { ProgressBar } from './ProgressBar';

const MAX_ITEMS = 200;

export function ImportPanel({ state }: { state: ImportState }) {
  if (state.phase === 'idle') return null;
  if (state.phase === 'done') return <ImportResult state={state} />;
  const job = state.job;
  const items = job?.progress.items ?? [];
  return (
    <section className="card import-panel" data-testid="import-panel" aria-label="Import in progress">
      <div className="import-head">
        <div>
          <h2>{state.title || 'Import'}</h2>
          <div className="muted" data-testid="import-stage">
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
          onClick={() => void cancelImport()}
          disabled={state.cancelling}
          data-testid="import-cancel"
        >
          {state.cancelling ? 'Cancelling…' : 'Cancel import'}
        </button>
      </div>
      {state.phase === 'staging' ? (
        <ProgressBar done={state.staged.done} total={state.staged.total} label="Preparing" />
      ) : (
        <ProgressBar done={job?.progress.done ?? 0} total={job?.progress.total ?? 0} label="Overall" />
      )}
      {items.length > 0 && (
        <ul className="file-progress" data-testid="file-progress">
          {items.slice(0, MAX_ITEMS).map((it, i) => (
            <li key={`${it.name}-${i}`}>
              <span className="mono file-progress-name" title={it.name}>
                {it.name}
              </span>
              <ProgressBar done={it.done} total={it.total} label={it.name} />
              <span className="file-progress-pct mono">
                {it.total > 0 ? `${Math.min(100, Math.round((it.done / it.total) * 100))}%` : ''}
              </span>
            </li>
          ))}
          {items.length > MAX_ITEMS && <li className="muted">…and {items.length - MAX_ITEMS} more files</li>}
        </ul>
      )}
    </section>
  );
}

function ImportResult({ state }: { state: ImportState }) {
  const s: IngestSummary | null = state.summary;
  const tone = state.outcome === 'succeeded' ? (s && s.bad > 0 ? 'info' : 'good') : state.outcome === 'cancelled' ? '' : 'error';
  return (
    <section
      className={`callout ${tone} import-result`}
      role="status"
      data-testid="ingest-result"
      data-outcome={state.outcome ?? ''}
    >
      <div className="grow">
        {state.outcome === 'succeeded' && s && (
          <>
            <strong>Import finished.</strong>{' '}
            <span data-testid="result-good">{s.good} good</span>, <span data-testid="result-bad">{s.bad} bad</span>,{' '}
            <span data-testid="result-duplicate">{s.duplicate} duplicate</span> ({s.rows.toLocaleString()} rows
            stored{s.seconds ? ` in ${s.seconds.toFixed(1)} s` : ''}).
            {s.bad > 0 && ' Bad files are in quarantine; open a row below to see every reason.'}
            {s.duplicate > 0 && ' Duplicates were already in the workspace and were skipped.'}
          </>
        )}
        {state.outcome === 'succeeded' && !s && <strong>Import finished.</strong>}
        {state.outcome === 'cancelled' && (
          <>
            <strong>Import cancelled.</strong> No files from this batch were kept; the file list is unchanged.
          </>
        )}
        {state.outcome === 'failed' && (
          <>
            <strong>Import failed.</strong> {state.error}
          </>
        )}
      </div>
      <button type="button" className="small ghost" onClick={dismissImport} aria-label="Dismiss the import result">
        Dismiss
      </button>
    </section>
  );
}
