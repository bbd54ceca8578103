/** The run history: one row per run, click to open it, tick two or more to compare them. */
import type { RunSummary } from '../../../../shared/contract/training';
import { duration, num, RUN_BADGE, when } from './format';

export function RunList({
  runs,
  selected,
  onSelect,
  checked,
  onCheck,
}: {
  runs: RunSummary[];
  selected: number | null;
  onSelect: (id: number) => void;
  checked: number[];
  onCheck: (ids: number[]) => void;
}) {
  const toggle = (id: number) =>
    onCheck(checked.includes(id) ? checked.filter((c) => c !== id) : [...checked, id]);
  return (
    <table className="table tr-runs" data-testid="run-list">
      <thead>
        <tr>
          <th style={{ width: '2rem' }}>
            <span className="tr-sr">Compare</span>
          </th>
          <th>Run</th>
          <th>Status</th>
          <th>Started</th>
          <th className="right">k</th>
          <th className="right">Rows</th>
          <th className="right">Faulty</th>
          <th className="right">ROC AUC</th>
          <th className="right">Recall</th>
          <th>Model</th>
          <th className="right">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr
            key={r.id}
            className={`clickable${selected === r.id ? ' selected' : ''}`}
            onClick={() => onSelect(r.id)}
            data-testid="run-row"
            data-run={r.id}
            data-status={r.status}
            aria-selected={selected === r.id}
          >
            <td onClick={(e) => e.stopPropagation()}>
              <input
                type="checkbox"
                checked={checked.includes(r.id)}
                onChange={() => toggle(r.id)}
                aria-label={`Compare run ${r.id}`}
                data-testid={`run-compare-${r.id}`}
              />
            </td>
            <td>
              <button
                type="button"
                className="ghost small tr-link"
                onClick={(e) => {
                  e.stopPropagation();
                  onSelect(r.id);
                }}
                aria-label={`Open run ${r.id}`}
              >
                #{r.id}
              </button>
            </td>
            <td>
              <span
                className={`badge ${RUN_BADGE[r.status]}`}
                data-testid="run-status"
                title={r.error ?? undefined}
              >
                {r.status}
              </span>
            </td>
            <td className="mono">{when(r.startedAt)}</td>
            <td className="right">{r.k ?? '—'}</td>
            <td className="right">{r.rows.toLocaleString()}</td>
            <td className="right">{r.faulty.toLocaleString()}</td>
            <td className="right">{num(r.pooledAuc)}</td>
            <td className="right">{num(r.pooledRecall)}</td>
            <td>
              {r.modelVersion !== null ? (
                <span className="badge accent">v{r.modelVersion}</span>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="right">{duration(r.seconds)}</td>
          </tr>
        ))}
        {runs.length === 0 && (
          <tr>
            <td colSpan={11} className="muted center">
              No runs yet. Import training data on the Data page, then analyse the regimes and train.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
