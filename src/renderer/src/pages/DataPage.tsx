/**
 * Data: import batch files (drop anywhere, or pick files/folders), follow the import, and browse every file
 * in the workspace with its verdict and every reason; export quarantined files and the training table.
 */
import { useMemo, useState } from 'react';
import type { FileRecord, SchemaKind } from '../../../shared/contract';
import { api } from '../api/client';
import { useQuery } from '../api/hooks';
import { useDragActive, useFileDrop } from '../components/fileDrop';
import { FilePickers } from '../components/FilePickers';
import { FileResultsTable } from '../components/FileResultsTable';
import { ImportPanel } from '../components/ImportPanel';
import { followJob, importFiles, isBusy, setImportKind, useImport } from '../components/importStore';

const PAGE_SIZE = 100;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function DataPage() {
  const imp = useImport();
  const busy = isBusy(imp);
  const dragging = useDragActive();
  const [status, setStatus] = useState<'' | 'good' | 'bad'>('');
  const [kind, setKind] = useState<'' | SchemaKind>('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [notice, setNotice] = useState<{ tone: 'good' | 'error' | 'info'; text: string } | null>(null);
  const [exporting, setExporting] = useState(false);

  useFileDrop({
    label: busy
      ? 'An import is running — wait for it or cancel it first'
      : `Drop to import as ${imp.kind} files`,
    onDrop: (files) => {
      if (busy)
        setNotice({ tone: 'info', text: 'An import is already running; drop again when it has finished.' });
      else void importFiles(files);
    },
  });

  const summary = useQuery('data/summary', {}, { refreshOn: ['files'] });
  const trainingSchema = useQuery('schemas/get', { kind: 'training' }, { refreshOn: ['schemas'] });
  const filters = useMemo(
    () => ({
      status: status || undefined,
      kind: kind || undefined,
      search: search.trim() || undefined,
      limit: PAGE_SIZE,
      offset,
    }),
    [status, kind, search, offset],
  );
  const files = useQuery('data/files', filters, { refreshOn: ['files'] });
  const s = summary.data;
  const workspaceEmpty = s !== undefined && s.files.total === 0;
  const def = trainingSchema.data?.definition;

  const exportQuarantined = async (f: FileRecord) => {
    try {
      const res = await api.invoke('data/export-quarantined', { fileId: f.id });
      api.download(res.path, res.name);
      setNotice({
        tone: 'good',
        text: api.transport === 'http' ? `Downloading ${res.name}.` : `Saved ${res.path}.`,
      });
    } catch (e) {
      setNotice({ tone: 'error', text: `Could not export ${f.name}: ${errorText(e)}` });
    }
  };

  const exportTraining = async () => {
    setExporting(true);
    try {
      const res = await api.invoke('data/export-training', {});
      api.download(res.path, res.name);
      setNotice({
        tone: 'good',
        text: `Training table exported: ${res.rows.toLocaleString()} rows (${formatBytes(res.bytes)})${api.transport === 'ipc' ? ` to ${res.path}` : ''}.`,
      });
    } catch (e) {
      setNotice({ tone: 'error', text: `Could not export the training table: ${errorText(e)}` });
    } finally {
      setExporting(false);
    }
  };

  const loadSample = async () => {
    try {
      const { jobId } = await api.invoke('data/load-sample', {});
      await followJob(jobId, 'Load sample data');
    } catch (e) {
      setNotice({ tone: 'error', text: `Could not load the sample data: ${errorText(e)}` });
    }
  };

  const total = files.data?.total ?? 0;
  const list = files.data?.files ?? [];
  const filtered = status !== '' || kind !== '' || search.trim() !== '';

  return (
    <div className="stack" data-testid="data-page">
      <section className="stats" aria-label="Workspace summary">
        <div className="stat good">
          <div className="value" data-testid="summary-good">
            {s?.files.good ?? '–'}
          </div>
          <div className="label">good files</div>
        </div>
        <div className="stat bad">
          <div className="value" data-testid="summary-bad">
            {s?.files.bad ?? '–'}
          </div>
          <div className="label">bad files (quarantined)</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="summary-rows">
            {s ? s.rows.training.toLocaleString() : '–'}
          </div>
          <div className="label">training rows</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="summary-prediction-rows">
            {s ? s.rows.prediction.toLocaleString() : '–'}
          </div>
          <div className="label">prediction rows</div>
        </div>
        <div className="stat labels">
          <div className="value">
            <span className="good-text" data-testid="summary-label-good">
              {s ? s.labels.good.toLocaleString() : '–'}
            </span>
            <span className="muted"> / </span>
            <span className="bad-text" data-testid="summary-label-faulty">
              {s ? s.labels.faulty.toLocaleString() : '–'}
            </span>
          </div>
          <div className="label">
            wafers labelled {def ? `${def.labelNames.good} / ${def.labelNames.faulty}` : 'good / faulty'}
          </div>
          <div className="label legend" data-testid="label-legend">
            {def?.labelColumn
              ? `${def.labelColumn} ${String(def.labelValues.good)} = ${def.labelNames.good}, ${String(def.labelValues.faulty)} = ${def.labelNames.faulty}`
              : ' '}
          </div>
        </div>
      </section>

      <section
        className={`dropzone import-zone${dragging ? ' active' : ''}`}
        data-testid="dropzone"
        aria-label="Import batch files"
      >
        <div className="import-zone-text">
          <strong>Drop CSV batch files or whole folders anywhere on the window</strong>
          <span>
            Each file is checked against the current {imp.kind} schema; good files are stored, bad ones are
            kept in quarantine with every reason.
          </span>
        </div>
        <div className="import-zone-actions">
          <label>
            Import as
            <select
              value={imp.kind}
              onChange={(e) => setImportKind(e.target.value as SchemaKind)}
              disabled={busy}
              data-testid="kind-select"
            >
              <option value="training">training files</option>
              <option value="prediction">prediction files</option>
            </select>
          </label>
          <FilePickers
            onFiles={(files) => void importFiles(files)}
            disabled={busy}
            fileLabel="Choose batch files"
            folderLabel="Choose a folder of batch files"
            testIds={{ file: 'file-input', folder: 'folder-input' }}
          />
        </div>
      </section>

      <ImportPanel state={imp} />
      {notice && (
        <div className={`callout ${notice.tone} notice`} role="status" data-testid="data-notice">
          <span className="grow">{notice.text}</span>
          <button type="button" className="small ghost" onClick={() => setNotice(null)} aria-label="Dismiss">
            Dismiss
          </button>
        </div>
      )}

      {workspaceEmpty && !busy ? (
        <section className="card empty" data-testid="data-empty">
          <h2>No batch files yet</h2>
          <p>
            Drop the files of a batch onto the window, or choose them above. To look around first, load the
            built-in sample: a small set of wafer batch files with a few deliberately bad ones, so you can see
            how reasons look.
          </p>
          <p>
            <button
              type="button"
              className="primary"
              onClick={() => void loadSample()}
              data-testid="load-sample"
            >
              Load sample data
            </button>
          </p>
        </section>
      ) : (
        <section className="card flush files-card" aria-label="Files">
          <div className="toolbar files-toolbar">
            <label>
              Status
              <select
                value={status}
                onChange={(e) => {
                  setStatus(e.target.value as '' | 'good' | 'bad');
                  setOffset(0);
                }}
                data-testid="status-filter"
              >
                <option value="">All</option>
                <option value="good">Good</option>
                <option value="bad">Bad</option>
              </select>
            </label>
            <label>
              Kind
              <select
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value as '' | SchemaKind);
                  setOffset(0);
                }}
                data-testid="kind-filter"
              >
                <option value="">All</option>
                <option value="training">Training</option>
                <option value="prediction">Prediction</option>
              </select>
            </label>
            <label className="grow">
              Name contains
              <input
                type="search"
                value={search}
                placeholder="e.g. wafer_0801"
                onChange={(e) => {
                  setSearch(e.target.value);
                  setOffset(0);
                }}
                data-testid="file-search"
              />
            </label>
            <button
              type="button"
              onClick={() => void exportTraining()}
              disabled={exporting || (s?.rows.training ?? 0) === 0}
              data-testid="export-training"
              title="All good training rows as one CSV"
            >
              {exporting ? 'Exporting…' : 'Export training table (CSV)'}
            </button>
          </div>
          {files.error && <div className="callout error inset">{files.error.message}</div>}
          <FileResultsTable
            files={list}
            rowKey={(f) => f.id}
            className="table files-table"
            testIds={{
              table: 'file-table',
              row: 'file-row',
              expand: 'file-expand',
              status: 'file-status',
              reasons: 'reasons-row',
            }}
            nameClassName="mono file-name"
            nameTitle={(f) => `${f.name} · ${formatBytes(f.bytes)} · sha256 ${f.sha256}`}
            statusWidth="6rem"
            columns={[
              { header: 'Kind', width: '6rem', className: 'muted', cell: (f) => f.kind },
              {
                header: 'Rows',
                width: '6rem',
                right: true,
                className: 'mono',
                cell: (f) => f.rows.toLocaleString(),
              },
              { header: 'Schema', width: '5rem', className: 'mono', cell: (f) => `v${f.schemaVersion}` },
              {
                header: 'Imported',
                width: '11rem',
                className: 'mono',
                cell: (f) => new Date(f.importedAt).toLocaleString(),
              },
            ]}
            trailing={{
              header: '',
              ariaLabel: 'Actions',
              width: '7rem',
              right: true,
              cell: (f) =>
                f.status === 'bad' && (
                  <button
                    type="button"
                    className="small"
                    onClick={(e) => {
                      e.stopPropagation();
                      void exportQuarantined(f);
                    }}
                    title="Save the quarantined file, unchanged, so it can be fixed and imported again"
                    data-testid="export-quarantined"
                  >
                    Export file
                  </button>
                ),
            }}
            clickableRows
            emptyText={
              files.data ? (filtered ? 'No files match these filters.' : 'No files yet.') : undefined
            }
          />
          {total > PAGE_SIZE && (
            <div className="pager">
              <span className="muted">
                {offset + 1}–{Math.min(offset + PAGE_SIZE, total)} of {total.toLocaleString()} files
              </span>
              <button
                type="button"
                className="small"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
              >
                ‹ Previous
              </button>
              <button
                type="button"
                className="small"
                disabled={offset + PAGE_SIZE >= total}
                onClick={() => setOffset(offset + PAGE_SIZE)}
              >
                Next ›
              </button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
