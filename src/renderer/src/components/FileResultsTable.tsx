/**
 * Files with their verdicts: a row a file (expander, name, status badge, the feature's own columns, the
 * first reason and how many more), and under a row that is opened every reason (ReasonList). The Data
 * page's file list and the Predict page's batch files are both one.
 */
import { Fragment, useState, type ReactNode } from 'react';
import type { Reason } from '../../../shared/schema';
import { ReasonList } from './ReasonList';

export interface FileResult {
  name: string;
  status: string;
  reasons: Reason[];
}

export interface FileColumn<F> {
  /** The header text; empty for a column of actions (then `ariaLabel` names it). */
  header: string;
  ariaLabel?: string;
  width?: string;
  right?: boolean;
  /** The cell's classes (besides `right`). */
  className?: string;
  cell(f: F): ReactNode;
}

export interface FileResultsTableProps<F extends FileResult> {
  files: F[];
  rowKey(f: F, i: number): string | number;
  className: string;
  /** Test ids of the table and its rows; of the expander, status badge and reasons row where given. */
  testIds: { table: string; row: string; expand?: string; status?: string; reasons?: string };
  nameClassName: string;
  nameTitle?(f: F): string;
  statusWidth: string;
  /** Columns between the status and the reasons. */
  columns: FileColumn<F>[];
  /** A last column after the reasons (actions). */
  trailing?: FileColumn<F>;
  /** What the reasons cell says for a file without reasons; a dash when not given. */
  noReasons?(f: F): string;
  /** The whole row opens and closes its reasons, not only the expander. */
  clickableRows?: boolean;
  /** A row saying so when there are no files. */
  emptyText?: string;
}

function Header<F>({ c }: { c: FileColumn<F> }) {
  return (
    <th
      className={c.right ? 'right' : undefined}
      style={c.width ? { width: c.width } : undefined}
      aria-label={c.ariaLabel}
    >
      {c.header || undefined}
    </th>
  );
}

function Cell<F>({ c, f }: { c: FileColumn<F>; f: F }) {
  const className = [c.right ? 'right' : '', c.className ?? ''].filter(Boolean).join(' ');
  return <td className={className || undefined}>{c.cell(f)}</td>;
}

export function FileResultsTable<F extends FileResult>(p: FileResultsTableProps<F>) {
  const [open, setOpen] = useState<Set<string | number>>(new Set());
  const toggle = (key: string | number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const span = 4 + p.columns.length + (p.trailing ? 1 : 0);
  return (
    <table className={p.className} data-testid={p.testIds.table}>
      <thead>
        <tr>
          <th style={{ width: '2rem' }} aria-label="Expand" />
          <th>File</th>
          <th style={{ width: p.statusWidth }}>Status</th>
          {p.columns.map((c) => (
            <Header key={c.header} c={c} />
          ))}
          <th>Reasons</th>
          {p.trailing && <Header c={p.trailing} />}
        </tr>
      </thead>
      <tbody>
        {p.files.map((f, i) => {
          const key = p.rowKey(f, i);
          const canOpen = f.reasons.length > 0;
          const isOpen = open.has(key);
          return (
            <Fragment key={key}>
              <tr
                className={
                  p.clickableRows ? `${canOpen ? 'clickable' : ''}${isOpen ? ' selected' : ''}` : undefined
                }
                data-testid={p.testIds.row}
                data-name={f.name}
                data-status={f.status}
                onClick={p.clickableRows ? () => canOpen && toggle(key) : undefined}
              >
                <td>
                  {canOpen && (
                    <button
                      type="button"
                      className="small ghost expander"
                      aria-expanded={isOpen}
                      aria-label={`${isOpen ? 'Hide' : 'Show'} reasons for ${f.name}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(key);
                      }}
                      data-testid={p.testIds.expand}
                    >
                      {isOpen ? '▾' : '▸'}
                    </button>
                  )}
                </td>
                <td className={p.nameClassName} title={p.nameTitle ? p.nameTitle(f) : f.name}>
                  {f.name}
                </td>
                <td>
                  <span className={`badge ${f.status}`} data-testid={p.testIds.status}>
                    {f.status}
                  </span>
                </td>
                {p.columns.map((c) => (
                  <Cell key={c.header} c={c} f={f} />
                ))}
                <td className="reason-summary">
                  {f.reasons.length === 0 ? (
                    <span className="muted">{p.noReasons ? p.noReasons(f) : '—'}</span>
                  ) : (
                    <>
                      <span className="badge bad mono">{f.reasons[0]!.code}</span>{' '}
                      <span className="reason-first">{f.reasons[0]!.message}</span>
                      {f.reasons.length > 1 && <span className="muted"> +{f.reasons.length - 1} more</span>}
                    </>
                  )}
                </td>
                {p.trailing && <Cell c={p.trailing} f={f} />}
              </tr>
              {isOpen && (
                <tr className="reasons-row" data-testid={p.testIds.reasons}>
                  <td />
                  <td colSpan={span - 1}>
                    <ReasonList reasons={f.reasons} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
        {p.emptyText !== undefined && p.files.length === 0 && (
          <tr>
            <td colSpan={span} className="muted center">
              {p.emptyText}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
