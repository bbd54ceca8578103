/**
 * Side-by-side comparison of two or more runs: every config field (flattened), the data fingerprint,
 * k and the pooled metrics. Rows whose values differ are highlighted, and can be shown alone.
 */
import { useEffect, useState } from 'react';
import type { RunDetail } from '../../../../shared/contract/training';
import { api, ApiError } from '../../api/client';
import { num } from './format';

function flatten(obj: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    const entries = Object.entries(obj as Record<string, unknown>);
    // A grid is one value to a reader: compare it whole.
    if (/\.grid$/.test(prefix)) {
      out[prefix] = JSON.stringify(obj);
      return out;
    }
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] =
      obj === null
        ? 'off'
        : obj === undefined
          ? '—'
          : typeof obj === 'object'
            ? JSON.stringify(obj)
            : String(obj as string);
  }
  return out;
}

function fingerprintKey(r: RunDetail): string {
  // Short stable digest of the file list, so "same data" is visible at a glance.
  const s = r.fingerprint.files
    .map((f) => f.sha256)
    .sort()
    .join('');
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

interface Row {
  section: string;
  label: string;
  values: string[];
}

function rowsFor(runs: RunDetail[]): Row[] {
  const rows: Row[] = [];
  const add = (section: string, label: string, f: (r: RunDetail) => string) =>
    rows.push({ section, label, values: runs.map(f) });
  add('Run', 'status', (r) => r.status);
  add('Run', 'config version', (r) => String(r.configVersion ?? '—'));
  add('Run', 'model version', (r) => (r.modelVersion === null ? '—' : `v${r.modelVersion}`));
  add('Run', 'k', (r) => String(r.k ?? '—'));
  add('Run', 'k chosen by', (r) => r.elbow?.source ?? '—');
  add('Data', 'fingerprint', (r) => fingerprintKey(r));
  add('Data', 'files', (r) => String(r.fingerprint.files.length));
  add('Data', 'rows', (r) => String(r.fingerprint.rows));
  add('Data', 'faulty', (r) => String(r.fingerprint.faulty));
  add('Data', 'schema', (r) => `#${r.fingerprint.schemaId}`);
  const metrics: [string, (r: RunDetail) => number | null | undefined][] = [
    ['accuracy', (r) => r.pooled?.accuracy],
    ['fail rate', (r) => r.pooled?.failRateActual],
    ['balanced accuracy', (r) => r.pooled?.balancedAccuracy],
    ['precision', (r) => r.pooled?.precision],
    ['recall', (r) => r.pooled?.recall],
    ['F1', (r) => r.pooled?.f1],
    ['ROC AUC', (r) => r.pooled?.rocAuc],
    ['PR AUC', (r) => r.pooled?.prAuc],
    ['threshold', (r) => r.pooled?.threshold],
  ];
  for (const [label, f] of metrics) add('Metrics', label, (r) => num(f(r)));
  add('Metrics', 'gates', (r) =>
    r.gates.length === 0 ? '—' : r.gates.every((g) => g.passed) ? 'passed' : 'failed',
  );
  const flats = runs.map((r) => flatten(r.config));
  const keys = [...new Set(flats.flatMap((f) => Object.keys(f)))].sort();
  for (const k of keys) rows.push({ section: 'Config', label: k, values: flats.map((f) => f[k] ?? '—') });
  return rows;
}

export function CompareRuns({ ids, onClose }: { ids: number[]; onClose: () => void }) {
  const [runs, setRuns] = useState<RunDetail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const key = [...ids].sort((a, b) => a - b).join(',');
  useEffect(() => {
    let alive = true;
    setRuns(null);
    Promise.all(key.split(',').map((id) => api.invoke('training/run', { id: Number(id) }))).then(
      (r) => alive && setRuns(r),
      (e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [key]);
  if (error) return <div className="callout error">{error}</div>;
  if (!runs) return <div className="card muted">Loading {ids.length} runs…</div>;
  const rows = rowsFor(runs);
  const differs = (r: Row) => new Set(r.values).size > 1;
  const shown = onlyDiff ? rows.filter(differs) : rows;
  let lastSection = '';
  return (
    <section className="card stack" aria-labelledby="compare-title" data-testid="compare">
      <div className="tr-panel-head">
        <h2 id="compare-title">Comparing {runs.length} runs</h2>
        <div className="editor-actions">
          <label className="check">
            <input
              type="checkbox"
              checked={onlyDiff}
              onChange={(e) => setOnlyDiff(e.target.checked)}
              data-testid="compare-only-diff"
            />
            Only differences ({rows.filter(differs).length})
          </label>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <div className="tr-scroll">
        <table className="table compact tr-compare" data-testid="compare-table">
          <thead>
            <tr>
              <th>Field</th>
              {runs.map((r) => (
                <th key={r.id}>Run #{r.id}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const header = r.section !== lastSection;
              lastSection = r.section;
              const d = differs(r);
              return [
                header && (
                  <tr key={`h-${r.section}`} className="tr-compare-section">
                    <td colSpan={runs.length + 1}>{r.section}</td>
                  </tr>
                ),
                <tr key={`${r.section}-${r.label}`} className={d ? 'tr-diff' : undefined} data-differs={d}>
                  <td className="mono">{r.label}</td>
                  {r.values.map((v, i) => (
                    <td key={i} className="mono tr-compare-val" title={v}>
                      {v}
                    </td>
                  ))}
                </tr>,
              ];
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
