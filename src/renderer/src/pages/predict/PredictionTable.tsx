/**
 * A page of stored predictions (`predict/history`, paged on the server: only `pageSize` rows are ever
 * loaded) with page controls and the total. Rows are selectable by mouse or keyboard to open their detail.
 */
import { useEffect, useMemo, useState } from 'react';
import type { HistoryFilter } from '../../../../shared/contract';
import { useQuery } from '../../api/hooks';
import { when } from '../training/format';
import { ProbabilityBar, ResultBadge, UnfamiliarFlag } from './Parts';

export const PAGE_SIZE = 100;

export function PredictionTable({
  filter,
  selectedId,
  onSelect,
  showBatch = false,
  showWhen = false,
  compact = false,
  emptyText,
  testId = 'prediction-table',
}: {
  filter: HistoryFilter;
  selectedId: number | null;
  onSelect(id: number): void;
  showBatch?: boolean;
  showWhen?: boolean;
  /** Narrow (a detail panel is open beside it): fewer columns. */
  compact?: boolean;
  emptyText: string;
  testId?: string;
}) {
  const filterKey = JSON.stringify(filter);
  // The offset belongs to the filter it was chosen under: a new filter starts again at the first page.
  const [pos, setPos] = useState({ key: filterKey, offset: 0 });
  const offset = pos.key === filterKey ? pos.offset : 0;
  const setOffset = (o: number) => setPos({ key: filterKey, offset: o });
  const [pageInput, setPageInput] = useState('1');
  const input = useMemo(
    () => ({ ...(JSON.parse(filterKey) as HistoryFilter), limit: PAGE_SIZE, offset }),
    [filterKey, offset],
  );
  const q = useQuery('predict/history', input, { refreshOn: ['predictions'] });
  const total = q.data?.total ?? 0;
  const rows = q.data?.rows ?? [];
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.floor(offset / PAGE_SIZE) + 1;
  useEffect(() => setPageInput(String(page)), [page]);
  const go = (p: number) => setOffset((Math.min(Math.max(1, p), pages) - 1) * PAGE_SIZE);
  const withBatch = showBatch && !compact;
  const withWhen = showWhen && !compact;
  const cols = 6 + (withBatch ? 1 : 0) + (withWhen ? 1 : 0);

  return (
    <div className="pr-table-wrap">
      {q.error && <div className="callout error inset">{q.error.message}</div>}
      <div className="pr-table-scroll">
        <table
          className={`table pr-table${compact ? ' pr-narrow' : ''}${q.loading ? ' pr-stale' : ''}`}
          data-testid={testId}
          aria-busy={q.loading}
        >
          <thead>
            <tr>
              <th>Wafer</th>
              <th>File</th>
              {withBatch && <th>Batch</th>}
              <th style={{ width: '11rem' }}>Probability</th>
              <th style={{ width: '7rem' }}>Result</th>
              <th className="right" style={{ width: '4.5rem' }}>
                Regime
              </th>
              <th style={{ width: compact ? '6rem' : '8.5rem' }}>Flag</th>
              {withWhen && <th style={{ width: '10rem' }}>When</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const selected = r.id === selectedId;
              return (
                <tr
                  key={r.id}
                  className={`clickable${selected ? ' selected' : ''}`}
                  tabIndex={0}
                  aria-selected={selected}
                  data-testid="prediction-row"
                  data-result={r.faulty ? 'faulty' : 'good'}
                  data-unfamiliar={r.unfamiliar ? 'true' : 'false'}
                  onClick={() => onSelect(r.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(r.id);
                    }
                  }}
                >
                  <td className="mono">{r.wafer}</td>
                  <td className="mono pr-file" title={r.fileName ?? 'single prediction'}>
                    {r.fileName ?? <span className="muted">single</span>}
                    {r.rowNo !== null && <span className="muted"> :{r.rowNo}</span>}
                  </td>
                  {withBatch && <td className="mono muted">#{r.batchId}</td>}
                  <td>
                    <ProbabilityBar probability={r.probability} threshold={r.threshold} faulty={r.faulty} />
                  </td>
                  <td>
                    <ResultBadge row={r} />
                  </td>
                  <td className="right mono">{r.cluster}</td>
                  <td>
                    <UnfamiliarFlag unfamiliar={r.unfamiliar} short={compact} />
                  </td>
                  {withWhen && <td className="mono muted">{when(r.createdAt)}</td>}
                </tr>
              );
            })}
            {q.data && rows.length === 0 && (
              <tr>
                <td colSpan={cols} className="muted center" data-testid="prediction-empty">
                  {emptyText}
                </td>
              </tr>
            )}
            {!q.data && !q.error && (
              <tr>
                <td colSpan={cols} className="muted center">
                  Loading…
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="pager pr-pager">
        <span className="muted grow" data-testid="prediction-total" data-total={total}>
          {total === 0
            ? 'No predictions'
            : `${(offset + 1).toLocaleString()}–${Math.min(offset + PAGE_SIZE, total).toLocaleString()} of ${total.toLocaleString()} predictions`}
        </span>
        <button
          type="button"
          className="small"
          disabled={page <= 1}
          onClick={() => go(1)}
          aria-label="First page"
        >
          «
        </button>
        <button
          type="button"
          className="small"
          disabled={page <= 1}
          onClick={() => go(page - 1)}
          data-testid="page-prev"
        >
          ‹ Previous
        </button>
        <form
          className="pr-page-form"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(pageInput);
            if (Number.isFinite(n)) go(Math.round(n));
          }}
        >
          <label className="pr-inline">
            Page
            <input
              type="number"
              min={1}
              max={pages}
              value={pageInput}
              onChange={(e) => setPageInput(e.target.value)}
              onBlur={() => {
                const n = Number(pageInput);
                if (Number.isFinite(n) && n !== page) go(Math.round(n));
              }}
              className="pr-page-input"
              data-testid="page-input"
            />
            <span>of {pages.toLocaleString()}</span>
          </label>
        </form>
        <button
          type="button"
          className="small"
          disabled={page >= pages}
          onClick={() => go(page + 1)}
          data-testid="page-next"
        >
          Next ›
        </button>
        <button
          type="button"
          className="small"
          disabled={page >= pages}
          onClick={() => go(pages)}
          aria-label="Last page"
        >
          »
        </button>
      </div>
    </div>
  );
}
