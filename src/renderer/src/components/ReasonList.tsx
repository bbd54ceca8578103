/**
 * Every reason a file was rejected: the stable code, the message, where it is (row, column) and, for
 * columns that are entirely missing, the full list of those columns.
 */
import { useState } from 'react';
import type { Reason, ReasonColumn } from '../../../shared/schema';

const COLUMN_PREVIEW = 40;

function columnText(c: ReasonColumn): string {
  const name = c.name || c.header || '';
  return name ? `${c.index} "${name}"` : `${c.index}`;
}

function ColumnList({ columns }: { columns: ReasonColumn[] }) {
  const [all, setAll] = useState(false);
  // A file can miss hundreds of columns; show the start and let the engineer open the rest.
  const shown = all ? columns : columns.slice(0, COLUMN_PREVIEW);
  return (
    <div className="reason-columns" data-testid="reason-columns">
      <span className="muted">
        {columns.length} column{columns.length === 1 ? '' : 's'} with no values:
      </span>{' '}
      {shown.map((c) => (
        <span key={c.index} className="col-chip mono" title={c.header && c.header !== c.name ? `header "${c.header}"` : undefined}>
          {c.name || c.header || `#${c.index}`}
        </span>
      ))}
      {columns.length > COLUMN_PREVIEW && (
        <button type="button" className="small ghost" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${columns.length}`}
        </button>
      )}
    </div>
  );
}

export function ReasonList({ reasons }: { reasons: Reason[] }) {
  if (reasons.length === 0) return <p className="muted">No problems found.</p>;
  return (
    <ul className="reasons" data-testid="reasons">
      {reasons.map((r, i) => (
        <li key={i} className="reason" data-testid="reason" data-code={r.code}>
          <span className="badge bad reason-code mono">{r.code}</span>
          <div className="reason-body">
            <div>{r.message}</div>
            {(r.row !== undefined || r.column) && (
              <div className="reason-where muted">
                {r.row !== undefined && <span>Row {r.row}</span>}
                {r.row !== undefined && r.column && <span> · </span>}
                {r.column && <span>Column {columnText(r.column)}</span>}
                {r.value !== undefined && (
                  <span>
                    {' '}
                    · value <code>{r.value}</code>
                  </span>
                )}
              </div>
            )}
            {r.columns && r.columns.length > 0 && <ColumnList columns={r.columns} />}
            {r.count !== undefined && r.count > 0 && (
              <div className="muted">…and {r.count.toLocaleString()} more like this, not listed one by one.</div>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
