/**
 * The watched folder: the app predicts each prediction file that lands in a folder (where a tool or a
 * data collector writes its batches) once it has stopped changing, with the page's chosen model. Shows
 * what the watcher is doing (waiting, predicting, the error that stops it), the files still being
 * written, what it has handled and its last batch, which opens in the Batch tab. The folder is a path on
 * the machine the app runs on; the desktop app also offers a folder dialog.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { WATCH_SETTLE_SECONDS_DEFAULT, type WatchStatus } from '../../../../shared/contract';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { modelLabel, type ModelChoice } from './format';

const STATE_LABEL: Record<WatchStatus['state'], string> = {
  off: 'Not watching',
  watching: 'Watching',
  predicting: 'Predicting',
  error: 'Needs attention',
};

const STATE_BADGE: Record<WatchStatus['state'], string> = {
  off: 'pending',
  watching: 'good',
  predicting: 'accent',
  error: 'fail',
};

const OUTCOME: Record<WatchStatus['recent'][number]['outcome'], { label: string; badge: string }> = {
  good: { label: 'predicted', badge: 'good' },
  duplicate: { label: 'predicted (already imported)', badge: 'duplicate' },
  bad: { label: 'quarantined', badge: 'bad' },
  skipped: { label: 'left alone', badge: 'pending' },
};

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function WatchPanel(props: {
  model: ModelChoice;
  productionVersion: number | null;
  onOpenBatch(batchId: number): void;
  onShowHistory(): void;
}) {
  const status = useQuery('watch/status', {}, { refreshOn: ['watch'] });
  const info = useQuery('app/info', {});
  const s = status.data;
  const [folder, setFolder] = useState('');
  const [settle, setSettle] = useState(String(WATCH_SETTLE_SECONDS_DEFAULT));
  const [skipExisting, setSkipExisting] = useState(false);
  const [outFolder, setOutFolder] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  // The form starts from the folder and settle time the workspace remembers.
  const remembered = s?.folder ?? null;
  const rememberedSettle = s?.settleSeconds;
  const rememberedOut = s?.outFolder ?? null;
  useEffect(() => {
    if (remembered) setFolder((f) => f || remembered);
    if (rememberedSettle !== undefined) setSettle(String(rememberedSettle));
    if (rememberedOut) setOutFolder((f) => f || rememberedOut);
  }, [remembered, rememberedSettle, rememberedOut]);

  // The watcher tells the page when something happens, not after each quiet look: "Last looked" is
  // kept current by asking every few seconds while it watches.
  const reload = status.reload;
  const on = s?.enabled ?? false;
  useEffect(() => {
    if (!on) return;
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [on, reload]);

  const settleSeconds = Number(settle);
  const settleOk = Number.isInteger(settleSeconds) && settleSeconds >= 0 && settleSeconds <= 3600;

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      status.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));
    } finally {
      setBusy(false);
    }
  };

  const start = (e: FormEvent) => {
    e.preventDefault();
    void act(() =>
      api.invoke('watch/start', { folder, model: props.model, settleSeconds, skipExisting, outFolder: outFolder.trim() || null }),
    );
  };

  const browse = (title: string, set: (path: string) => void) =>
    void act(async () => {
      const picked = await api.invoke('files/choose-folder', { title });
      if (picked.path) set(picked.path);
    });
  const desktop = info.data?.host === 'electron';

  if (status.error) return <div className="callout error">Could not read the watched folder's status: {status.error.message}</div>;
  if (!s) return <p className="muted">Loading…</p>;
  const handledTotal = s.handled.good + s.handled.bad + s.handled.duplicate + s.handled.skipped;

  return (
    <div className="stack" data-testid="watch-panel">
      <section className="card" aria-labelledby="pr-watch-title">
        <div className="pr-watch-head">
          <div>
            <h2 id="pr-watch-title">Watched folder</h2>
            <p className="muted">
              Every prediction file (<span className="mono">*.csv</span>) that lands in the folder is validated and
              predicted once it has not changed for the settle time, as a batch in the history with source
              "watched folder". Files are only read: never moved, renamed or deleted. Each file is predicted once,
              and again only if it changes. The app goes on watching whenever this workspace is open.
            </p>
          </div>
          <span className={`badge ${STATE_BADGE[s.state]}`} data-testid="watch-state">
            {STATE_LABEL[s.state]}
          </span>
        </div>

        {s.enabled ? (
          <div className="stack">
            <dl className="pr-watch-facts">
              <dt>Folder</dt>
              <dd className="mono" data-testid="watch-folder">
                {s.folder}
              </dd>
              <dt>Model</dt>
              <dd>{modelLabel(s.model, props.productionVersion)}</dd>
              <dt>Predictions CSV</dt>
              <dd data-testid="watch-out-folder">
                {s.outFolder ? (
                  <>
                    each batch's written into <span className="mono">{s.outFolder}</span>
                  </>
                ) : (
                  <span className="muted">kept in the app only (Export CSV on a batch)</span>
                )}
              </dd>
              <dt>Settle time</dt>
              <dd>{s.settleSeconds} s unchanged</dd>
              <dt>Last looked</dt>
              <dd>{when(s.lastScanAt)}</dd>
            </dl>
            {s.settling.length > 0 && (
              <p className="muted" data-testid="watch-settling">
                Still being written (taken once unchanged for {s.settleSeconds} s):{' '}
                <span className="mono">{s.settling.slice(0, 5).join(', ')}</span>
                {s.settling.length > 5 && ` and ${s.settling.length - 5} more`}
              </p>
            )}
            <div className="pr-watch-row">
              <button type="button" onClick={() => void act(() => api.invoke('watch/stop', {}))} disabled={busy} data-testid="watch-stop">
                Stop watching
              </button>
              <span className="muted">A batch already running finishes; the status bar's Cancel stops it.</span>
            </div>
          </div>
        ) : (
          <form className="stack" onSubmit={start} aria-label="Watch a folder">
            <FolderField
              label="Folder on this computer"
              value={folder}
              onChange={setFolder}
              placeholder="e.g. /data/line-3/batches or D:\Batches"
              required
              testId="watch-folder-input"
              onBrowse={desktop && !busy ? () => browse('Folder to watch for prediction files', setFolder) : null}
            />
            <FolderField
              label="Also write each batch's predictions CSV to (optional)"
              value={outFolder}
              onChange={setOutFolder}
              placeholder="a folder a downstream system reads; leave empty for none"
              testId="watch-out-input"
              onBrowse={desktop && !busy ? () => browse('Folder for the predictions CSVs', setOutFolder) : null}
            />
            <div className="pr-watch-row">
              <label className="pr-inline">
                Settle time
                <input
                  type="number"
                  min={0}
                  max={3600}
                  step={1}
                  value={settle}
                  onChange={(e) => setSettle(e.target.value)}
                  aria-invalid={!settleOk}
                  style={{ width: '6rem' }}
                  data-testid="watch-settle"
                />
                s
              </label>
              <label className="pr-inline">
                <input type="checkbox" checked={skipExisting} onChange={(e) => setSkipExisting(e.target.checked)} data-testid="watch-skip-existing" />
                Leave the files already there alone (predict only new ones)
              </label>
            </div>
            <div className="pr-watch-row">
              <button type="submit" className="primary" disabled={busy || !settleOk || folder.trim() === ''} data-testid="watch-start">
                Start watching
              </button>
              <span className="muted">with {modelLabel(props.model, props.productionVersion)} (the model picker above)</span>
            </div>
          </form>
        )}

        {error && (
          <div className="callout error" role="alert" data-testid="watch-error">
            {error.message}
          </div>
        )}
        {s.enabled && s.lastError && (
          <div className="callout error" role="alert" data-testid="watch-last-error">
            <strong>{s.lastError.message}</strong> The watcher keeps looking and tries again by itself.
          </div>
        )}
      </section>

      {(s.lastBatch || handledTotal > 0) && (
        <section className="card" aria-labelledby="pr-watch-done">
          <h2 id="pr-watch-done">Handled so far</h2>
          <p data-testid="watch-handled">
            {handledTotal.toLocaleString()} file{handledTotal === 1 ? '' : 's'} of this folder:{' '}
            <span className="good-text">{s.handled.good + s.handled.duplicate} predicted</span>
            {s.handled.duplicate > 0 && <> ({s.handled.duplicate} of them already in the workspace, predicted from the stored copy)</>}
            {s.handled.bad > 0 && <span className="bad-text">, {s.handled.bad} quarantined</span>}
            {s.handled.skipped > 0 && <>, {s.handled.skipped} there before watching began (left alone)</>}.
          </p>
          {s.recent.length > 0 && (
            <table className="table compact" data-testid="watch-recent">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Handled</th>
                  <th>Outcome</th>
                  <th className="right">Batch</th>
                </tr>
              </thead>
              <tbody>
                {s.recent.map((f) => (
                  <tr key={f.name}>
                    <td className="mono">{f.name}</td>
                    <td>{when(f.handledAt)}</td>
                    <td>
                      <span className={`badge ${OUTCOME[f.outcome].badge}`}>{OUTCOME[f.outcome].label}</span>
                    </td>
                    <td className="right">
                      {f.batchId !== null ? (
                        <button type="button" className="ghost" onClick={() => props.onOpenBatch(f.batchId!)}>
                          #{f.batchId}
                        </button>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {s.lastBatch && (
            <>
              <p data-testid="watch-last-batch">
                Last batch <strong>#{s.lastBatch.batchId}</strong> at {when(s.lastBatch.at)}: {s.lastBatch.files} file
                {s.lastBatch.files === 1 ? '' : 's'}
                {s.lastBatch.quarantined > 0 && <span className="bad-text"> ({s.lastBatch.quarantined} quarantined)</span>},{' '}
                {s.lastBatch.rows.toLocaleString()} wafers, <span className="bad-text">{s.lastBatch.faulty} predicted faulty</span>
                {s.lastBatch.unfamiliar > 0 && <>, {s.lastBatch.unfamiliar} in an unfamiliar regime</>} (model v
                {s.lastBatch.modelVersion}).
              </p>
              <div className="pr-watch-row">
                <button type="button" onClick={() => props.onOpenBatch(s.lastBatch!.batchId)} data-testid="watch-open-batch">
                  Open batch
                </button>
                <button type="button" className="ghost" onClick={props.onShowHistory}>
                  All watched-folder predictions
                </button>
              </div>
            </>
          )}
        </section>
      )}
    </div>
  );
}

/** A folder path typed in, with a Browse… button where the host has a folder dialog (the desktop app). */
function FolderField(p: {
  label: string;
  value: string;
  onChange(value: string): void;
  placeholder: string;
  required?: boolean;
  testId: string;
  onBrowse: (() => void) | null;
}) {
  return (
    <div className="pr-watch-row pr-watch-folder">
      <label className="grow">
        {p.label}
        <input
          type="text"
          className="mono"
          value={p.value}
          onChange={(e) => p.onChange(e.target.value)}
          placeholder={p.placeholder}
          required={p.required}
          data-testid={p.testId}
        />
      </label>
      {p.onBrowse && (
        <button type="button" onClick={p.onBrowse}>
          Browse…
        </button>
      )}
    </div>
  );
}
