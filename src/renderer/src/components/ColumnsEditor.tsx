/**
 * The schema's column list: rename, retype, reorder, add, remove, or create from a pasted CSV header line.
 * The wafer schema has 592 columns, so rows are memoised (typing in one re-renders only that row), the list
 * scrolls inside its own box, and a filter narrows it.
 */
import { memo, useCallback, useMemo, useState } from 'react';
import type { ColumnType, SchemaColumn } from '../../../shared/schema';

const TYPES: ColumnType[] = ['float', 'integer', 'varchar'];

interface RowProps {
  index: number;
  name: string;
  type: ColumnType;
  role: 'id' | 'label' | '';
  last: boolean;
  nameError: string;
  typeError: string;
  onRename(index: number, name: string): void;
  onType(index: number, type: ColumnType): void;
  onMove(index: number, delta: -1 | 1): void;
  onRemove(index: number): void;
}

const ColumnRow = memo(function ColumnRow(p: RowProps) {
  return (
    <tr data-testid="column-row" data-index={p.index} className={p.nameError || p.typeError ? 'invalid' : ''}>
      <td className="mono muted right">{p.index + 1}</td>
      <td>
        <input
          type="text"
          className="col-name"
          value={p.name}
          aria-label={`Name of column ${p.index + 1}`}
          aria-invalid={p.nameError ? true : undefined}
          onChange={(e) => p.onRename(p.index, e.target.value)}
          data-testid="column-name"
        />
        {p.nameError && <div className="field-error">{p.nameError}</div>}
      </td>
      <td>
        <select
          value={p.type}
          aria-label={`Type of column ${p.index + 1}`}
          aria-invalid={p.typeError ? true : undefined}
          onChange={(e) => p.onType(p.index, e.target.value as ColumnType)}
          data-testid="column-type"
        >
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {p.typeError && <div className="field-error">{p.typeError}</div>}
      </td>
      <td>{p.role && <span className="badge accent">{p.role}</span>}</td>
      <td className="right col-actions">
        <button type="button" className="small ghost" disabled={p.index === 0} onClick={() => p.onMove(p.index, -1)} aria-label={`Move column ${p.index + 1} up`}>
          ↑
        </button>
        <button type="button" className="small ghost" disabled={p.last} onClick={() => p.onMove(p.index, 1)} aria-label={`Move column ${p.index + 1} down`}>
          ↓
        </button>
        <button type="button" className="small ghost danger-text" onClick={() => p.onRemove(p.index)} aria-label={`Remove column ${p.index + 1}`}>
          ✕
        </button>
      </td>
    </tr>
  );
});

/** Column names from one CSV header line (quotes respected); empty names get a placeholder to fill in. */
export function parseHeaderLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  const text = line.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export function ColumnsEditor({
  columns,
  idColumn,
  labelColumn,
  errors,
  onChange,
  onHeader,
}: {
  columns: SchemaColumn[];
  idColumn: string;
  labelColumn: string | null;
  /** Issue messages by path, e.g. 'columns[3].name'. */
  errors: Map<string, string>;
  onChange(update: (cols: SchemaColumn[]) => SchemaColumn[]): void;
  /** Columns created from a pasted header: the parent also picks id and label. */
  onHeader(names: string[]): void;
}) {
  const [filter, setFilter] = useState('');
  const [newName, setNewName] = useState('');
  const [header, setHeader] = useState('');
  const [showPaste, setShowPaste] = useState(false);

  const onRename = useCallback(
    (i: number, name: string) => onChange((cols) => cols.map((c, j) => (j === i ? { ...c, name } : c))),
    [onChange],
  );
  const onType = useCallback(
    (i: number, type: ColumnType) =>
      // A changed type drops the reference spelling so the export writes the new type.
      onChange((cols) => cols.map((c, j) => (j === i ? { name: c.name, type } : c))),
    [onChange],
  );
  const onMove = useCallback(
    (i: number, delta: -1 | 1) =>
      onChange((cols) => {
        const j = i + delta;
        if (j < 0 || j >= cols.length) return cols;
        const next = [...cols];
        [next[i], next[j]] = [next[j]!, next[i]!];
        return next;
      }),
    [onChange],
  );
  const onRemove = useCallback((i: number) => onChange((cols) => cols.filter((_, j) => j !== i)), [onChange]);

  const visible = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const all = columns.map((c, i) => ({ c, i }));
    return q ? all.filter(({ c }) => c.name.toLowerCase().includes(q)) : all;
  }, [columns, filter]);

  const pasted = header.trim() ? parseHeaderLine(header) : [];
  const addColumn = () => {
    const name = newName.trim();
    if (!name) return;
    onChange((cols) => [...cols, { name, type: 'float' }]);
    setNewName('');
  };

  return (
    <div className="columns-editor">
      <div className="toolbar columns-toolbar">
        <label className="grow">
          Filter columns
          <input
            type="search"
            value={filter}
            placeholder="name contains…"
            onChange={(e) => setFilter(e.target.value)}
            data-testid="column-filter"
          />
        </label>
        <label>
          New column
          <input
            type="text"
            value={newName}
            placeholder="name"
            onChange={(e) => setNewName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addColumn();
              }
            }}
            data-testid="new-column-name"
          />
        </label>
        <button type="button" onClick={addColumn} disabled={!newName.trim()} data-testid="add-column">
          Add column
        </button>
        <button
          type="button"
          onClick={() => setShowPaste(!showPaste)}
          aria-expanded={showPaste}
          title="Create the columns from the first line of a batch file"
        >
          Paste header…
        </button>
      </div>
      {showPaste && (
        <div className="paste-header">
          <label>
            Paste the first line of a batch file; it replaces every column (first = id, last = label for training).
            <textarea
              rows={3}
              value={header}
              onChange={(e) => setHeader(e.target.value)}
              placeholder=",Sensor-1,Sensor-2,…,Good/Bad"
              data-testid="header-paste"
            />
          </label>
          <div className="row">
            <span className="muted">{pasted.length > 0 ? `${pasted.length} columns found.` : 'Nothing pasted yet.'}</span>
            <button
              type="button"
              className="primary small"
              disabled={pasted.length === 0}
              onClick={() => {
                onHeader(pasted);
                setHeader('');
                setShowPaste(false);
              }}
              data-testid="header-apply"
            >
              Replace columns
            </button>
          </div>
        </div>
      )}
      {errors.get('columns') && <div className="field-error">{errors.get('columns')}</div>}
      <div className="columns-scroll">
        <table className="table compact columns-table" data-testid="columns-table">
          <thead>
            <tr>
              <th className="right" style={{ width: '3.5rem' }}>
                #
              </th>
              <th>Name</th>
              <th style={{ width: '8rem' }}>Type</th>
              <th style={{ width: '4.5rem' }}>Role</th>
              <th style={{ width: '7.5rem' }} aria-label="Move or remove" />
            </tr>
          </thead>
          <tbody>
            {visible.map(({ c, i }) => (
              <ColumnRow
                key={i}
                index={i}
                name={c.name}
                type={c.type}
                role={c.name === idColumn ? 'id' : c.name === labelColumn ? 'label' : ''}
                last={i === columns.length - 1}
                nameError={errors.get(`columns[${i}].name`) ?? ''}
                typeError={errors.get(`columns[${i}].type`) ?? ''}
                onRename={onRename}
                onType={onType}
                onMove={onMove}
                onRemove={onRemove}
              />
            ))}
            {visible.length === 0 && (
              <tr>
                <td colSpan={5} className="muted center">
                  {columns.length === 0 ? 'No columns yet: add one or paste a header row.' : 'No column matches the filter.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
