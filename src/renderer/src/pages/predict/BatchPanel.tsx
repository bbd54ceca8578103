/**
 * Batch prediction: drop (or choose) prediction files, follow the job with Cancel, then the batch: its
 * files with their verdicts and reasons, the summary counts, exports, and the predictions table with the
 * selected row's explanation beside it.
 */
import { useEffect, useState } from 'react';
import { PREDICTION_SOURCE_LABEL, type BatchDetail, type BatchSummary, type IngestFileResult } from '../../../../shared/contract';
import { api } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { useDragActive } from '../../components/fileDrop';
import { FilePickers } from '../../components/FilePickers';
import { FileResultsTable } from '../../components/FileResultsTable';
import { JobProgress } from '../../components/JobProgress';
import { pct, when } from '../training/format';
import {
  cancelBatch,
  dismissOutcome,
  isBusy,
  predictFiles,
  showBatch,
  useBatch,
  type BatchState,
} from './batchStore';
import { errorText, prob, type ModelChoice } from './format';
import { NoModelCallout } from './NoModel';
import { PredictionTable } from './PredictionTable';
import { RowDetail } from './RowDetail';

type ResultFilter = '' | 'faulty' | 'good' | 'unfamiliar';

function Outcome({ state }: { state: BatchState }) {
  if (state.phase !== 'done') return null;
  if (state.outcome === 'failed' && state.error?.code === 'no_model')
    return <NoModelCallout message={state.error.message} />;
  const dismiss = (
    <button type="button" className="small ghost" onClick={dismissOutcome} aria-label="Dismiss">
      Dismiss
    </button>
  );
  if (state.outcome === 'failed')
    return (
      <div className="callout error notice" role="alert" data-testid="predict-error">
        <span className="grow">The prediction did not run: {state.error?.message}</span>
        {dismiss}
      </div>
    );
  if (state.outcome === 'cancelled')
    return (
      <div className="callout info notice" role="status" data-testid="predict-cancelled">
        <span className="grow">The prediction was cancelled; nothing was kept from it.</span>
        {dismiss}
      </div>
    );
  const r = state.result;
  if (!r) return null;
  const bad = r.files.filter((f) => f.status !== 'good').length;
  return (
    <div className="callout good notice" role="status" data-testid="predict-done">
      <span className="grow">
        Batch #{r.batch} predicted with model v{r.model_version}: {r.rows.toLocaleString()} wafers,{' '}
        {r.faulty.toLocaleString()} predicted faulty
        {bad > 0 ? `; ${bad} file${bad === 1 ? '' : 's'} not used (see below)` : ''}.
      </span>
      {dismiss}
    </div>
  );
}

function FileResults({ files }: { files: IngestFileResult[] }) {
  return (
    <FileResultsTable
      files={files}
      rowKey={(f, i) => `${f.name}-${i}`}
      className="table pr-files"
      testIds={{ table: 'batch-files', row: 'batch-file' }}
      nameClassName="mono pr-file"
      statusWidth="6.5rem"
      columns={[
        {
          header: 'Rows',
          width: '5rem',
          right: true,
          className: 'mono',
          cell: (f) => f.rows.toLocaleString(),
        },
      ]}
      noReasons={(f) => (f.status === 'duplicate' ? 'already predicted in an earlier batch' : '—')}
    />
  );
}

function Exports({ batchId }: { batchId: number }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'good' | 'error'; text: string } | null>(null);
  const run = async (what: 'csv' | 'html' | 'pdf') => {
    setBusy(what);
    setNotice(null);
    try {
      const res =
        what === 'csv'
          ? await api.invoke('predict/export-csv', { batchId })
          : await api.invoke('reports/create', { batchId, format: what });
      api.download(res.path, res.name);
      setNotice({
        tone: 'good',
        text: api.transport === 'http' ? `Downloading ${res.name}.` : `Saved ${res.name}.`,
      });
    } catch (e) {
      setNotice({ tone: 'error', text: `Could not export: ${errorText(e)}` });
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="pr-exports">
      <div className="editor-actions" role="group" aria-label="Export this batch">
        <button
          type="button"
          onClick={() => void run('csv')}
          disabled={busy !== null}
          data-testid="export-csv"
        >
          {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
        <button
          type="button"
          onClick={() => void run('html')}
          disabled={busy !== null}
          data-testid="report-html"
        >
          {busy === 'html' ? 'Writing…' : 'Report (HTML)'}
        </button>
        <button
          type="button"
          onClick={() => void run('pdf')}
          disabled={busy !== null}
          data-testid="report-pdf"
        >
          {busy === 'pdf' ? 'Writing…' : 'Report (PDF)'}
        </button>
      </div>
      {notice && (
        <div
          className={`pr-export-note ${notice.tone === 'good' ? 'good-text' : 'bad-text'}`}
          role="status"
          data-testid="export-notice"
        >
          {notice.text}
        </div>
      )}
    </div>
  );
}

function BatchStats({ b }: { b: BatchDetail }) {
  const good = b.fileResults.filter((f) => f.status === 'good').length;
  const bad = b.fileResults.filter((f) => f.status === 'bad').length;
  const dup = b.fileResults.filter((f) => f.status === 'duplicate').length;
  return (
    <div className="stats pr-stats" aria-label="Batch summary">
      <div className="stat">
        <div className="value" data-testid="batch-files-count">
          {b.fileResults.length}
        </div>
        <div className="label">
          files: <span className="good-text">{good} good</span>
          {bad > 0 && <span className="bad-text">, {bad} bad</span>}
          {dup > 0 && <span className="pr-warn-text">, {dup} duplicate</span>}
        </div>
      </div>
      <div className="stat">
        <div className="value" data-testid="batch-rows">
          {b.rows.toLocaleString()}
        </div>
        <div className="label">wafers predicted</div>
      </div>
      <div className="stat bad">
        <div className="value" data-testid="batch-faulty">
          {b.faulty.toLocaleString()}
        </div>
        <div className="label">predicted faulty</div>
      </div>
      <div className="stat">
        <div className="value" data-testid="batch-fail-rate">
          {b.rows > 0 ? pct(b.faulty / b.rows) : '—'}
        </div>
        <div className="label">fail rate</div>
      </div>
      <div className={`stat${b.unfamiliar > 0 ? ' warn' : ''}`}>
        <div className="value" data-testid="batch-unfamiliar">
          {b.unfamiliar.toLocaleString()}
        </div>
        <div className="label">unfamiliar regime</div>
      </div>
    </div>
  );
}

/**
 * A warning when this batch's sensors moved away from the model's training rows (PSI over the drifted threshold):
 * its predictions rest on inputs the model has not seen. Silent for batches too small to tell (under
 * DRIFT_MIN_ROWS rows) and when nothing drifted.
 */
function BatchDriftNote({ batchId }: { batchId: number }) {
  const q = useQuery('monitor/batch-drift', { batchId }, { refreshOn: ['monitor'] });
  const d = q.data;
  if (!d || !d.reliable || d.drifted === 0) return null;
  const shown = d.sensors.filter((s) => s.level === 'drifted').slice(0, 5);
  return (
    <div className="callout pr-drift" role="status" data-testid="batch-drift">
      <strong>
        {d.drifted} sensor{d.drifted === 1 ? '' : 's'} of this batch drifted from the training rows of model v{d.modelVersion}
      </strong>{' '}
      (population stability index over {d.thresholds.psiDrifted}):{' '}
      {shown.map((s, i) => (
        <span key={s.sensor}>
          {i > 0 && ', '}
          <span className="mono">{s.sensor}</span> {s.psi.toFixed(2)}
        </span>
      ))}
      {d.drifted > shown.length && ` and ${d.drifted - shown.length} more`}. Predictions on inputs the model was not
      trained on are less reliable; the <a href="#/monitor">Monitor page</a> follows drift over time.
    </div>
  );
}

function BatchPicker({ batchId, batches }: { batchId: number; batches: BatchSummary[] }) {
  if (batches.length < 2) return null;
  return (
    <label className="pr-inline pr-batch-pick">
      Show batch
      <select value={batchId} onChange={(e) => showBatch(Number(e.target.value))} data-testid="batch-select">
        {batches.map((b) => (
          <option key={b.id} value={b.id}>
            #{b.id} · {when(b.createdAt)} · {b.rows.toLocaleString()} wafers · {b.faulty} faulty · v
            {b.modelVersion} · {PREDICTION_SOURCE_LABEL[b.source]}
          </option>
        ))}
      </select>
    </label>
  );
}

function BatchView({ batchId, batches }: { batchId: number; batches: BatchSummary[] }) {
  const q = useQuery('predict/batch', { id: batchId }, { refreshOn: ['predictions'] });
  const [result, setResult] = useState<ResultFilter>('');
  const [selected, setSelected] = useState<number | null>(null);
  const b = q.data?.id === batchId ? q.data : undefined;
  if (q.error)
    return (
      <div className="callout error">
        Could not load batch #{batchId}: {q.error.message}
      </div>
    );
  if (!b) return <p className="muted">Loading batch #{batchId}…</p>;
  const filter = { batchId, ...(result ? { result } : {}) };
  return (
    <div className="stack" data-testid="batch-view" data-batch={batchId}>
      <section className="card pr-batch-card" aria-labelledby="pr-batch-title">
        <div className="tr-panel-head">
          <div>
            <h2 id="pr-batch-title">
              Batch #{b.id}{' '}
              <span
                className={`badge ${b.status === 'succeeded' ? 'good' : b.status === 'running' ? 'pending' : 'bad'}`}
              >
                {b.status}
              </span>
            </h2>
            <p className="muted tr-lede">
              {when(b.createdAt)} · model v{b.modelVersion} · threshold{' '}
              <span className="mono">{prob(b.threshold)}</span> · source: {PREDICTION_SOURCE_LABEL[b.source]}
            </p>
          </div>
          <div className="pr-batch-actions">
            <BatchPicker batchId={b.id} batches={batches} />
            <Exports batchId={b.id} />
          </div>
        </div>
        <BatchStats b={b} />
        {b.status === 'succeeded' && <BatchDriftNote batchId={b.id} />}
        {b.fileResults.length > 0 && (
          <details
            className="pr-files-details"
            open={b.fileResults.some((f) => f.status !== 'good') || b.fileResults.length <= 6}
          >
            <summary>Files in this batch ({b.fileResults.length})</summary>
            <FileResults files={b.fileResults} />
          </details>
        )}
      </section>

      <div className={`pr-split${selected !== null ? ' with-detail' : ''}`}>
        <section className="card flush" aria-label="Predictions of this batch">
          <div className="toolbar pr-toolbar">
            <fieldset className="chips" aria-label="Show">
              {(
                [
                  ['', 'All'],
                  ['faulty', 'Faulty'],
                  ['good', 'Good'],
                  ['unfamiliar', 'Unfamiliar regime'],
                ] as [ResultFilter, string][]
              ).map(([value, label]) => (
                <label key={value || 'all'} className={`chip${result === value ? ' pr-chip-on' : ''}`}>
                  <input
                    type="radio"
                    name="pr-batch-result"
                    value={value}
                    checked={result === value}
                    onChange={() => setResult(value)}
                    data-testid={`batch-filter-${value || 'all'}`}
                  />
                  {label}
                </label>
              ))}
            </fieldset>
            <span className="muted pr-hint">Click a wafer (or press Enter on it) to see why.</span>
          </div>
          <PredictionTable
            filter={filter}
            selectedId={selected}
            onSelect={setSelected}
            compact={selected !== null}
            emptyText={
              result ? 'No predictions of this kind in the batch.' : 'This batch has no predictions.'
            }
          />
        </section>
        {selected !== null && (
          <div className="pr-detail-col">
            <RowDetail id={selected} onClose={() => setSelected(null)} />
          </div>
        )}
      </div>
    </div>
  );
}

export function BatchPanel({ model, noProduction }: { model: ModelChoice; noProduction: boolean }) {
  const state = useBatch();
  const busy = isBusy(state);
  const dragging = useDragActive();
  const batches = useQuery('predict/batches', { limit: 50 }, { refreshOn: ['predictions'] });
  const list = batches.data ?? [];
  // On a first visit, show the latest batch rather than an empty page.
  const latest = list[0]?.id ?? null;
  useEffect(() => {
    if (state.batchId === null && state.phase === 'idle' && latest !== null) showBatch(latest);
  }, [state.batchId, state.phase, latest]);
  const disabled = busy || (noProduction && model === 'production');

  return (
    <div className="stack" data-testid="batch-panel">
      <section
        className={`dropzone import-zone${dragging ? ' active' : ''}${state.batchId !== null ? ' pr-compact' : ''}`}
        data-testid="predict-dropzone"
        aria-label="Predict batch files"
      >
        <div className="import-zone-text">
          <strong>Drop prediction files or whole folders anywhere on the window</strong>
          <span>
            They are checked against the prediction schema and every good file&apos;s wafers are predicted;
            files already predicted are skipped as duplicates.
          </span>
        </div>
        <div className="import-zone-actions">
          <FilePickers
            onFiles={(files) => void predictFiles(files, model)}
            disabled={disabled}
            fileLabel="Choose prediction files"
            folderLabel="Choose a folder of prediction files"
            testIds={{ file: 'predict-file-input' }}
          />
        </div>
      </section>

      {busy && (
        <JobProgress
          state={state}
          onCancel={() => void cancelBatch()}
          title={state.title}
          className="pr-job"
          headClassName="pr-job-head"
          ariaLabel="Prediction in progress"
          cancelLabel="Cancel"
          testIds={{ panel: 'predict-progress', stage: 'predict-stage', cancel: 'predict-cancel' }}
        />
      )}
      <Outcome state={state} />

      {state.batchId !== null ? (
        <BatchView key={state.batchId} batchId={state.batchId} batches={list} />
      ) : (
        !busy &&
        list.length === 0 &&
        batches.data && (
          <section className="card empty" data-testid="batch-empty">
            <h2>No batches predicted yet</h2>
            <p>
              Drop the CSV files of a new batch onto this page (or choose them above). Each wafer gets a
              probability of failing, a verdict at the model&apos;s threshold, its operating regime and the
              sensors behind the verdict.
            </p>
          </section>
        )
      )}
    </div>
  );
}
