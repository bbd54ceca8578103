/**
 * Models: the registry of versions with their gates and stages, one version in detail with the
 * approval actions and audit trail, Production rollback, and import of an exported version file.
 */
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import { useQuery } from '../api/hooks';
import { StageBadges, VersionDetailView } from './models/VersionDetail';
import { num, VERSION_BADGE, VERSION_LABEL, when } from './training/format';

let lastSelected: number | null = null;

export function ModelsPage() {
  const list = useQuery('models/list', {}, { refreshOn: ['models'] });
  const [selected, setSelected] = useState<number | null>(lastSelected);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<'import' | 'rollback' | null>(null);
  const [rollbackComment, setRollbackComment] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    lastSelected = selected;
  }, [selected]);
  useEffect(() => {
    // Only when nothing is chosen: a just-imported version is selected before the list has reloaded.
    if (list.data && list.data.length > 0 && selected === null) setSelected(list.data[0].version);
  }, [list.data, selected]);

  const versions = list.data ?? [];
  const production = versions.find((v) => v.stages.includes('production'));

  const importFile = async (file: File) => {
    setBusy('import');
    setError(null);
    setNotice(null);
    try {
      const [path] = await api.stageFiles([{ file }]);
      const v = await api.invoke('models/import', { path });
      setNotice(`Imported ${file.name} as version ${v.version}; it waits for approval.`);
      list.reload();
      setSelected(v.version);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(null);
      if (fileRef.current) fileRef.current.value = '';
    }
  };
  const rollback = async () => {
    setBusy('rollback');
    setError(null);
    setNotice(null);
    try {
      const v = await api.invoke('models/rollback', { comment: rollbackComment.trim() || undefined });
      setRollbackComment('');
      setNotice(`Production rolled back to version ${v.version}.`);
      list.reload();
      setSelected(v.version);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="stack md-page">
      <section className="card flush" aria-labelledby="versions-title">
        <div className="tr-panel-head tr-runs-head">
          <div>
            <h2 id="versions-title">Versions</h2>
            <p className="muted tr-lede">
              Production:{' '}
              {production ? (
                <strong data-testid="production-version">v{production.version}</strong>
              ) : (
                'none yet'
              )}
            </p>
          </div>
          <div className="editor-actions">
            <label>
              Rollback comment
              <input
                value={rollbackComment}
                onChange={(e) => setRollbackComment(e.target.value)}
                placeholder="why…"
                disabled={!production}
              />
            </label>
            <button
              type="button"
              onClick={() => void rollback()}
              disabled={!production || busy !== null}
              title={
                production ? 'Return Production to the version it held before' : 'Nothing is in Production'
              }
              data-testid="models-rollback"
            >
              Roll back Production
            </button>
            <label className="button md-import" data-testid="models-import-label">
              {busy === 'import' ? 'Importing…' : 'Import version…'}
              <input
                ref={fileRef}
                type="file"
                accept=".wfsmodel,.json,.zip,application/octet-stream"
                className="md-file"
                disabled={busy !== null}
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f) void importFile(f);
                }}
                data-testid="models-import"
              />
            </label>
          </div>
        </div>
        {error && (
          <div className="callout error inset" role="alert" data-testid="models-error">
            {error}
          </div>
        )}
        {notice && (
          <div className="callout good inset" role="status">
            {notice}
          </div>
        )}
        {list.error && <div className="callout error inset">{list.error.message}</div>}
        <table className="table" data-testid="version-list">
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Stage</th>
              <th>Created</th>
              <th className="right">k</th>
              <th className="right">ROC AUC</th>
              <th className="right">Recall</th>
              <th className="right">Accuracy</th>
              <th>Gates</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr
                key={v.version}
                className={`clickable${selected === v.version ? ' selected' : ''}`}
                onClick={() => setSelected(v.version)}
                onKeyDown={(e) => e.key === 'Enter' && setSelected(v.version)}
                tabIndex={0}
                aria-selected={selected === v.version}
                data-testid="version-row"
                data-version={v.version}
                data-status={v.status}
              >
                <td>
                  <strong>v{v.version}</strong>
                </td>
                <td>
                  <span className={`badge ${VERSION_BADGE[v.status]}`}>{VERSION_LABEL[v.status]}</span>
                </td>
                <td>
                  <StageBadges stages={v.stages} />
                </td>
                <td className="mono">{when(v.createdAt)}</td>
                <td className="right">{v.k}</td>
                <td className="right">{num(v.pooledAuc)}</td>
                <td className="right">{num(v.recall)}</td>
                <td className="right">{num(v.accuracy)}</td>
                <td>
                  <span className={`badge ${v.gatesPassed ? 'pass' : 'fail'}`}>
                    {v.gatesPassed ? 'passed' : 'failed'}
                  </span>
                </td>
                <td className="muted">{v.runId > 0 ? `#${v.runId}` : 'imported'}</td>
              </tr>
            ))}
            {versions.length === 0 && !list.loading && (
              <tr>
                <td colSpan={10} className="muted center">
                  No model versions yet. A successful training run registers one; or import an exported
                  version.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      {selected !== null && versions.some((v) => v.version === selected) && (
        <VersionDetailView version={selected} onChanged={() => list.reload()} />
      )}
    </div>
  );
}
