/**
 * History: every prediction the workspace holds, filtered by date range, source, file name, result and
 * model version, paged on the server (100 rows a page, however many there are), with the fail rate over
 * time for the same filters and the selected row's explanation beside the table.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  PREDICTION_SOURCES,
  type HistoryFilter,
  type ModelVersionSummary,
} from '../../../../shared/contract';
import { useQuery } from '../../api/hooks';
import { pct } from '../training/format';
import { FailRateChart } from './FailRateChart';
import { PredictionTable } from './PredictionTable';
import { RowDetail } from './RowDetail';

type Result = '' | 'faulty' | 'good' | 'unfamiliar';
type Bucket = 'hour' | 'day' | 'week';

interface Filters {
  from: string;
  to: string;
  source: '' | (typeof PREDICTION_SOURCES)[number];
  file: string;
  result: Result;
  modelVersion: string;
}

const SOURCE_LABEL: Record<(typeof PREDICTION_SOURCES)[number], string> = {
  app: 'App batches',
  single: 'Single rows',
  cli: 'CLI',
  watch: 'Watched folder',
  schedule: 'Schedule',
};

const EMPTY: Filters = { from: '', to: '', source: '', file: '', result: '', modelVersion: '' };

/** Kept between visits to the page. */
let saved: { filters: Filters; bucket: Bucket } = { filters: EMPTY, bucket: 'day' };

/** Opens the history next time on one source's predictions only (the watched folder's link), other filters cleared. */
export function presetHistorySource(source: Filters['source']): void {
  saved = { ...saved, filters: { ...EMPTY, source } };
}

/** A date input's day as the instant it starts (or, for `to`, ends) in local time. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function HistoryPanel({ versions }: { versions: ModelVersionSummary[] }) {
  const [filters, setFilters] = useState<Filters>(saved.filters);
  const [bucket, setBucket] = useState<Bucket>(saved.bucket);
  const [selected, setSelected] = useState<number | null>(null);
  const file = useDebounced(filters.file.trim(), 300);
  useEffect(() => {
    saved = { filters, bucket };
  }, [filters, bucket]);

  const filter = useMemo<HistoryFilter>(() => {
    const f: HistoryFilter = {};
    const from = dayBound(filters.from, false);
    const to = dayBound(filters.to, true);
    if (from) f.from = from;
    if (to) f.to = to;
    if (filters.source) f.source = filters.source;
    if (file) f.file = file;
    if (filters.result) f.result = filters.result;
    if (filters.modelVersion) f.modelVersion = Number(filters.modelVersion);
    return f;
  }, [filters.from, filters.to, filters.source, file, filters.result, filters.modelVersion]);

  const rate = useQuery('predict/fail-rate', { ...filter, bucket }, { refreshOn: ['predictions'] });
  const points = rate.data ?? [];
  const totals = points.reduce((a, p) => ({ rows: a.rows + p.rows, faulty: a.faulty + p.faulty }), {
    rows: 0,
    faulty: 0,
  });
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((prev) => ({ ...prev, [k]: v }));
  const active = Object.entries(filters).some(([, v]) => v !== '');

  return (
    <div className="stack" data-testid="history-panel">
      <section className="card pr-filters" aria-label="Filters">
        <div className="toolbar">
          <label>
            From
            <input
              type="date"
              value={filters.from}
              max={filters.to || undefined}
              onChange={(e) => set('from', e.target.value)}
              data-testid="history-from"
            />
          </label>
          <label>
            To
            <input
              type="date"
              value={filters.to}
              min={filters.from || undefined}
              onChange={(e) => set('to', e.target.value)}
              data-testid="history-to"
            />
          </label>
          <label>
            Source
            <select
              value={filters.source}
              onChange={(e) => set('source', e.target.value as Filters['source'])}
              data-testid="history-source"
            >
              <option value="">All</option>
              {PREDICTION_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {SOURCE_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
          <label className="grow pr-file-filter">
            File name contains
            <input
              type="search"
              value={filters.file}
              placeholder="e.g. wafer_2002"
              onChange={(e) => set('file', e.target.value)}
              data-testid="history-file"
            />
          </label>
          <label>
            Result
            <select
              value={filters.result}
              onChange={(e) => set('result', e.target.value as Result)}
              data-testid="history-result"
            >
              <option value="">All</option>
              <option value="faulty">Faulty</option>
              <option value="good">Good</option>
              <option value="unfamiliar">Unfamiliar regime</option>
            </select>
          </label>
          <label>
            Model
            <select
              value={filters.modelVersion}
              onChange={(e) => set('modelVersion', e.target.value)}
              data-testid="history-model"
            >
              <option value="">All versions</option>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                  {v.stages.includes('production') ? ' (Production)' : ''}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="ghost"
            disabled={!active}
            onClick={() => setFilters(EMPTY)}
            data-testid="history-clear"
          >
            Clear filters
          </button>
        </div>
      </section>

      <section className="card pr-chart-card" aria-labelledby="pr-rate-title">
        <div className="tr-panel-head">
          <div>
            <h2 id="pr-rate-title">Fail rate over time</h2>
            <p className="muted tr-lede" data-testid="history-rate-summary">
              {totals.rows > 0
                ? `${totals.faulty.toLocaleString()} of ${totals.rows.toLocaleString()} wafers predicted faulty (${pct(totals.faulty / totals.rows)})`
                : 'No predictions match these filters.'}
            </p>
          </div>
          <label className="pr-inline">
            Per
            <select
              value={bucket}
              onChange={(e) => setBucket(e.target.value as Bucket)}
              data-testid="history-bucket"
            >
              <option value="hour">hour</option>
              <option value="day">day</option>
              <option value="week">week</option>
            </select>
          </label>
        </div>
        {rate.error && <div className="callout error">{rate.error.message}</div>}
        {points.length > 0 ? (
          <FailRateChart points={points} bucket={bucket} />
        ) : (
          <p className="muted pr-chart-empty">{rate.data ? 'Nothing to draw yet.' : 'Loading…'}</p>
        )}
      </section>

      <div className={`pr-split${selected !== null ? ' with-detail' : ''}`}>
        <section className="card flush" aria-label="Predictions">
          <PredictionTable
            filter={filter}
            selectedId={selected}
            onSelect={setSelected}
            showBatch
            showWhen
            compact={selected !== null}
            testId="history-table"
            emptyText={
              active
                ? 'No predictions match these filters.'
                : 'No predictions yet: drop a batch on the Batch tab.'
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
