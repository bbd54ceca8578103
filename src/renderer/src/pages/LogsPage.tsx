/** Logs: the workspace's structured log store, filtered by level, component, time and text. */
import { useMemo, useState } from 'react';
import { LOG_LEVELS, type LogLevel } from '../../../shared/contract';
import { useQuery } from '../api/hooks';

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function LogsPage() {
  const [levels, setLevels] = useState<LogLevel[]>(['info', 'warn', 'error']);
  const [component, setComponent] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<number | null>(null);
  const input = useMemo(
    () => ({
      levels,
      component: component || undefined,
      since: toIso(since),
      until: toIso(until),
      search: search || undefined,
      limit: 500,
    }),
    [levels, component, since, until, search],
  );
  const logs = useQuery('logs/list', input, { refreshOn: ['logs'] });
  const toggle = (level: LogLevel) =>
    setLevels((prev) => (prev.includes(level) ? prev.filter((l) => l !== level) : [...prev, level]));
  return (
    <div className="stack">
      <section className="card toolbar" aria-label="Log filters">
        <fieldset className="chips">
          <legend>Level</legend>
          {LOG_LEVELS.map((level) => (
            <label key={level} className={`chip level-${level}`}>
              <input type="checkbox" checked={levels.includes(level)} onChange={() => toggle(level)} data-testid={`log-level-${level}`} />
              {level}
            </label>
          ))}
        </fieldset>
        <label>
          Component
          <select value={component} onChange={(e) => setComponent(e.target.value)} data-testid="log-component">
            <option value="">All</option>
            {(logs.data?.components ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        <label className="grow">
          Message contains
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="text…" />
        </label>
      </section>
      {logs.error && <div className="callout error">{logs.error.message}</div>}
      <section className="card flush">
        <table className="table" data-testid="log-table">
          <thead>
            <tr>
              <th style={{ width: '13rem' }}>Time</th>
              <th style={{ width: '5rem' }}>Level</th>
              <th style={{ width: '10rem' }}>Component</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {(logs.data?.entries ?? []).map((e) => (
              <tr
                key={e.id}
                className={e.context ? 'clickable' : ''}
                onClick={() => setExpanded(expanded === e.id ? null : e.id)}
                tabIndex={e.context ? 0 : undefined}
                onKeyDown={(ev) => ev.key === 'Enter' && setExpanded(expanded === e.id ? null : e.id)}
              >
                <td className="mono">{new Date(e.time).toLocaleString()}</td>
                <td>
                  <span className={`badge level-${e.level}`}>{e.level}</span>
                </td>
                <td className="mono">{e.component}</td>
                <td>
                  {e.message}
                  {expanded === e.id && e.context && <pre className="context">{JSON.stringify(e.context, null, 2)}</pre>}
                </td>
              </tr>
            ))}
            {logs.data && logs.data.entries.length === 0 && (
              <tr>
                <td colSpan={4} className="muted center">
                  No log entries match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}
