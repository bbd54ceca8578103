/**
 * The running import: staging (upload) progress, the job's overall and per-file progress, and Cancel;
 * once it ends, the result banner (good, bad, duplicate, rows) or why it stopped.
 */
import type { IngestSummary } from '../../../shared/contract';
import { cancelImport, dismissImport, type ImportState } from './importStore';
import { JobProgress } from './JobProgress';

export function ImportPanel({ state }: { state: ImportState }) {
  if (state.phase === 'idle') return null;
  if (state.phase === 'done') return <ImportResult state={state} />;
  return (
    <JobProgress
      state={state}
      onCancel={() => void cancelImport()}
      title={state.title || 'Import'}
      className="import-panel"
      headClassName="import-head"
      ariaLabel="Import in progress"
      cancelLabel="Cancel import"
      testIds={{
        panel: 'import-panel',
        stage: 'import-stage',
        cancel: 'import-cancel',
        files: 'file-progress',
      }}
      overallLabel="Overall"
      fileDetail
    />
  );
}

function ImportResult({ state }: { state: ImportState }) {
  const s: IngestSummary | null = state.result;
  const tone =
    state.outcome === 'succeeded'
      ? s && s.bad > 0
        ? 'info'
        : 'good'
      : state.outcome === 'cancelled'
        ? ''
        : 'error';
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
            <strong>Import finished.</strong> <span data-testid="result-good">{s.good} good</span>,{' '}
            <span data-testid="result-bad">{s.bad} bad</span>,{' '}
            <span data-testid="result-duplicate">{s.duplicate} duplicate</span> ({s.rows.toLocaleString()}{' '}
            rows stored{s.seconds ? ` in ${s.seconds.toFixed(1)} s` : ''}).
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
            <strong>Import failed.</strong> {state.error?.message}
          </>
        )}
      </div>
      <button
        type="button"
        className="small ghost"
        onClick={dismissImport}
        aria-label="Dismiss the import result"
      >
        Dismiss
      </button>
    </section>
  );
}
