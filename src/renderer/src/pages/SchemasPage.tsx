/**
 * Schemas: the editor for the data sharing agreement, per kind (training / prediction). Every field is
 * checked live with the same rules main applies (validateSchemaDefinition), the file-name rule is previewed
 * on example names, and Save makes a new version. Reference JSON files import and export unchanged.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SchemaVersion, SchemaVersionSummary } from '../../../shared/contract';
import {
  derivePrefix,
  previewNames,
  validateSchemaDefinition,
  type DataSchema,
  type LabelValue,
  type SchemaColumn,
  type SchemaKind,
} from '../../../shared/schema';
import { api } from '../api/client';
import { useQuery } from '../api/hooks';
import { ColumnsEditor } from '../components/ColumnsEditor';
import { TokenChips } from '../components/TokenChips';

interface Draft {
  base: SchemaVersion;
  def: DataSchema;
  /** NumberofColumns typed by hand; otherwise it follows the column list. */
  countOverride: boolean;
  dirty: boolean;
}

function draftFrom(v: SchemaVersion): Draft {
  return { base: v, def: v.definition, countOverride: v.definition.numberOfColumns !== v.definition.columns.length, dirty: false };
}

/** Keeps id/label pointing at the same position when that column is renamed. */
function follow(name: string, before: SchemaColumn[], after: SchemaColumn[]): string {
  if (after.some((c) => c.name === name)) return name;
  const i = before.findIndex((c) => c.name === name);
  return before.length === after.length && i >= 0 && after[i] ? after[i].name : name;
}

function parseLabel(text: string): LabelValue {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : text;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function downloadText(text: string, fileName: string) {
  // A blob: link with `download` saves without navigating; CSP governs fetches, not this download.
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Field({ error, children }: { error?: string; children: ReactNode }) {
  return (
    <div className="field">
      {children}
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}

export function SchemasPage() {
  const [kind, setKind] = useState<SchemaKind>('training');
  const [drafts, setDrafts] = useState<Partial<Record<SchemaKind, Draft>>>({});
  const [note, setNote] = useState('');
  const [extraNames, setExtraNames] = useState('');
  const [message, setMessage] = useState<{ tone: 'good' | 'error' | 'info'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const importInput = useRef<HTMLInputElement>(null);

  const versions = useQuery('schemas/list', { kind }, { refreshOn: ['schemas'] });
  const current = useQuery('schemas/get', { kind }, { refreshOn: ['schemas'] });
  const draft = drafts[kind];

  // The editor starts from the current version; a reload never overwrites edits in progress.
  useEffect(() => {
    const v = current.data;
    if (v && (!drafts[v.kind] || !drafts[v.kind]!.dirty) && drafts[v.kind]?.base.id !== v.id) {
      setDrafts((d) => ({ ...d, [v.kind]: draftFrom(v) }));
    }
  }, [current.data, drafts]);

  const update = useCallback(
    (fn: (d: Draft) => Draft) =>
      setDrafts((all) => {
        const d = all[kind];
        return d ? { ...all, [kind]: { ...fn(d), dirty: true } } : all;
      }),
    [kind],
  );
  const setDef = useCallback(
    (patch: Partial<DataSchema>) => update((d) => ({ ...d, def: { ...d.def, ...patch } })),
    [update],
  );
  const changeColumns = useCallback(
    (fn: (cols: SchemaColumn[]) => SchemaColumn[]) =>
      update((d) => {
        const before = d.def.columns;
        const after = fn(before);
        return {
          ...d,
          def: {
            ...d.def,
            columns: after,
            numberOfColumns: d.countOverride ? d.def.numberOfColumns : after.length,
            idColumn: follow(d.def.idColumn, before, after),
            labelColumn: d.def.labelColumn === null ? null : follow(d.def.labelColumn, before, after),
          },
        };
      }),
    [update],
  );
  const fromHeader = useCallback(
    (names: string[]) =>
      update((d) => {
        const training = kind === 'training';
        const cols: SchemaColumn[] = names.map((n, i) => {
          // The wafer files leave the first (id) header cell empty; name it so the schema is usable.
          const name = n || (i === 0 ? 'Wafer' : `Column ${i + 1}`);
          const type = i === 0 ? 'varchar' : training && i === names.length - 1 ? 'integer' : 'float';
          return { name, type };
        });
        return {
          ...d,
          countOverride: false,
          def: {
            ...d.def,
            columns: cols,
            numberOfColumns: cols.length,
            idColumn: cols[0]?.name ?? '',
            labelColumn: training ? (cols.at(-1)?.name ?? null) : null,
          },
        };
      }),
    [update, kind],
  );

  const def = draft?.def;
  const issues = useMemo(() => (def ? validateSchemaDefinition(def) : []), [def]);
  const errors = useMemo(() => {
    const m = new Map<string, string>();
    for (const i of issues) m.set(i.path, m.has(i.path) ? `${m.get(i.path)} ${i.message}` : i.message);
    return m;
  }, [issues]);
  const tokenErrors = useMemo(() => {
    const m = new Map<number, string>();
    for (const i of issues) {
      const hit = /^missingTokens\[(\d+)\]$/.exec(i.path);
      if (hit) m.set(Number(hit[1]), i.message);
    }
    return m;
  }, [issues]);
  const extras = useMemo(
    () =>
      extraNames
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean),
    [extraNames],
  );
  const preview = useMemo(() => (def ? previewNames(def, extras) : null), [def, extras]);

  const save = async () => {
    if (!draft) return;
    setSaving(true);
    try {
      const v = await api.invoke('schemas/save', { kind, definition: draft.def, note: note.trim() || undefined });
      setDrafts((d) => ({ ...d, [kind]: draftFrom(v) }));
      setNote('');
      setMessage({ tone: 'good', text: `Saved as version ${v.version}.` });
      versions.reload();
    } catch (e) {
      setMessage({ tone: 'error', text: `Not saved: ${errorText(e)}` });
    } finally {
      setSaving(false);
    }
  };

  const importReference = async (file: File) => {
    try {
      const text = await file.text();
      const v = await api.invoke('schemas/import-reference', { kind, text, note: `Imported from ${file.name}` });
      setDrafts((d) => ({ ...d, [kind]: draftFrom(v) }));
      setMessage({ tone: 'good', text: `Imported ${file.name} as version ${v.version}.` });
      versions.reload();
    } catch (e) {
      setMessage({ tone: 'error', text: `Could not import ${file.name}: ${errorText(e)}` });
    }
  };

  const exportReference = async (id: number) => {
    try {
      const { text, fileName } = await api.invoke('schemas/export-reference', { id });
      downloadText(text, fileName);
      setMessage({ tone: 'info', text: `Exported ${fileName}.` });
    } catch (e) {
      setMessage({ tone: 'error', text: `Could not export: ${errorText(e)}` });
    }
  };

  const openVersion = async (s: SchemaVersionSummary) => {
    if (draft?.dirty && !window.confirm('Discard the unsaved changes and open this version?')) return;
    try {
      const v = await api.invoke('schemas/get', { id: s.id });
      setDrafts((d) => ({ ...d, [kind]: draftFrom(v) }));
      setMessage(null);
    } catch (e) {
      setMessage({ tone: 'error', text: errorText(e) });
    }
  };

  const columnNames = def?.columns.map((c) => c.name) ?? [];

  return (
    <div className="stack schemas-page" data-testid="schemas-page">
      <div className="tabs" role="tablist" aria-label="Schema kind">
        {(['training', 'prediction'] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={k === kind}
            className={k === kind ? 'active' : ''}
            onClick={() => {
              setKind(k);
              setMessage(null);
            }}
            data-testid={`schema-tab-${k}`}
          >
            {k === 'training' ? 'Training schema' : 'Prediction schema'}
            {drafts[k]?.dirty ? ' •' : ''}
          </button>
        ))}
      </div>
      {current.error && <div className="callout error">{current.error.message}</div>}
      {!draft || !def ? (
        !current.error && <div className="muted">Loading the schema…</div>
      ) : (
        <>
          <section className="card editor-head" aria-label="Version and actions">
            <div className="editor-title">
              <h2>
                {kind === 'training' ? 'Training' : 'Prediction'} schema{' '}
                <span className="badge accent" data-testid="schema-version">
                  v{draft.base.version}
                </span>{' '}
                {draft.base.current && <span className="badge good">current</span>}
                {draft.dirty && (
                  <span className="badge pending" data-testid="schema-dirty">
                    unsaved changes
                  </span>
                )}
              </h2>
              <div className="muted">
                {draft.dirty ? 'Editing a copy of' : 'Showing'} version {draft.base.version}
                {draft.base.note ? ` — ${draft.base.note}` : ''} · {def.columns.length} columns · judged{' '}
                {draft.base.files} file{draft.base.files === 1 ? '' : 's'}
              </div>
            </div>
            <div className="editor-actions">
              <label>
                Note for the new version
                <input type="text" value={note} onChange={(e) => setNote(e.target.value)} placeholder="what changed" data-testid="schema-note" />
              </label>
              <button
                type="button"
                className="primary"
                disabled={saving || issues.length > 0 || !draft.dirty}
                onClick={() => void save()}
                data-testid="schema-save"
                title={issues.length > 0 ? 'Fix the problems marked below first' : undefined}
              >
                {saving ? 'Saving…' : 'Save as new version'}
              </button>
              <button type="button" disabled={!draft.dirty} onClick={() => setDrafts((d) => ({ ...d, [kind]: draftFrom(draft.base) }))} data-testid="schema-revert">
                Revert
              </button>
              <button type="button" onClick={() => importInput.current?.click()} data-testid="schema-import">
                Import JSON…
              </button>
              <input
                ref={importInput}
                type="file"
                accept=".json,application/json"
                hidden
                aria-label="Import a reference schema JSON file"
                data-testid="schema-import-input"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f) void importReference(f);
                  e.target.value = '';
                }}
              />
              <button
                type="button"
                onClick={() => void exportReference(draft.base.id)}
                title={draft.dirty ? 'Exports the saved version, not the unsaved edits' : undefined}
                data-testid="schema-export"
              >
                Export JSON
              </button>
            </div>
          </section>
          {message && (
            <div className={`callout ${message.tone}`} role="status" data-testid="schema-message">
              {message.text}
            </div>
          )}
          {issues.length > 0 && (
            <div className="callout error" data-testid="schema-issues">
              {issues.length} problem{issues.length === 1 ? '' : 's'} to fix before saving: {issues[0]!.message}
              {issues.length > 1 ? ' (each is marked at its field)' : ''}
            </div>
          )}

          <div className="schema-grid">
            <div className="stack">
              <section className="card" aria-labelledby="name-rule">
                <h2 id="name-rule">File names</h2>
                <div className="form-grid">
                  <Field error={errors.get('sampleFileName')}>
                    <label>
                      Sample file name
                      <input
                        type="text"
                        value={def.sampleFileName}
                        onChange={(e) => setDef({ sampleFileName: e.target.value })}
                        data-testid="sample-file-name"
                      />
                    </label>
                  </Field>
                  <Field error={errors.get('namePrefix')}>
                    <label>
                      Prefix
                      <input type="text" value={def.namePrefix} onChange={(e) => setDef({ namePrefix: e.target.value })} data-testid="name-prefix" />
                    </label>
                    {derivePrefix(def.sampleFileName) !== def.namePrefix && (
                      <button type="button" className="small ghost" onClick={() => setDef({ namePrefix: derivePrefix(def.sampleFileName) })}>
                        Use “{derivePrefix(def.sampleFileName)}” from the sample
                      </button>
                    )}
                  </Field>
                  <Field error={errors.get('dateStampLength')}>
                    <label>
                      Date stamp length
                      <input
                        type="number"
                        min={1}
                        value={Number.isFinite(def.dateStampLength) ? def.dateStampLength : ''}
                        onChange={(e) => setDef({ dateStampLength: e.target.value === '' ? NaN : Number(e.target.value) })}
                        data-testid="date-length"
                      />
                    </label>
                  </Field>
                  <Field error={errors.get('timeStampLength')}>
                    <label>
                      Time stamp length
                      <input
                        type="number"
                        min={1}
                        value={Number.isFinite(def.timeStampLength) ? def.timeStampLength : ''}
                        onChange={(e) => setDef({ timeStampLength: e.target.value === '' ? NaN : Number(e.target.value) })}
                        data-testid="time-length"
                      />
                    </label>
                  </Field>
                </div>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={def.caseInsensitiveName}
                    onChange={(e) => setDef({ caseInsensitiveName: e.target.checked })}
                    data-testid="case-insensitive"
                  />
                  Ignore upper/lower case in the prefix and extension
                </label>
                {preview && (
                  <div className="name-preview" data-testid="name-preview">
                    <div>
                      Pattern <code data-testid="name-pattern">{preview.pattern}</code>
                    </div>
                    <ul className="name-examples">
                      {[preview.sample, ...preview.examples.filter((ex) => ex.fileName !== preview.sample.fileName)].map((ex, i) => (
                        <li key={`${ex.fileName}-${i}`} data-testid="name-example" data-name={ex.fileName} data-ok={ex.ok}>
                          <span className={`badge ${ex.ok ? 'pass' : 'fail'}`}>{ex.ok ? 'passes' : 'fails'}</span>
                          <code>{ex.fileName}</code>
                          {i === 0 && <span className="muted"> (sample)</span>}
                          {!ex.ok && <div className="muted name-why">{ex.reasons.map((r) => r.message).join(' ')}</div>}
                        </li>
                      ))}
                    </ul>
                    <label>
                      Try your own names (one per line)
                      <textarea
                        rows={2}
                        value={extraNames}
                        onChange={(e) => setExtraNames(e.target.value)}
                        placeholder="Wafer_13012020_090000.csv"
                        data-testid="extra-names"
                      />
                    </label>
                  </div>
                )}
              </section>

              <section className="card" aria-labelledby="label-rule">
                <h2 id="label-rule">Id, label and missing values</h2>
                <div className="form-grid">
                  <Field error={errors.get('idColumn')}>
                    <label>
                      Id column
                      <select value={def.idColumn} onChange={(e) => setDef({ idColumn: e.target.value })} data-testid="id-column">
                        {!columnNames.includes(def.idColumn) && <option value={def.idColumn}>{def.idColumn || '(none)'}</option>}
                        {columnNames.map((n, i) => (
                          <option key={i} value={n}>
                            {n}
                          </option>
                        ))}
                      </select>
                    </label>
                  </Field>
                  <Field error={errors.get('labelColumn')}>
                    <label>
                      Label column
                      <select
                        value={def.labelColumn ?? ''}
                        onChange={(e) => setDef({ labelColumn: e.target.value === '' ? null : e.target.value })}
                        data-testid="label-column"
                      >
                        <option value="">No label (prediction files)</option>
                        {def.labelColumn !== null && !columnNames.includes(def.labelColumn) && (
                          <option value={def.labelColumn}>{def.labelColumn}</option>
                        )}
                        {columnNames.map((n, i) => (
                          <option key={i} value={n}>
                            {n}
                          </option>
                        ))}
                      </select>
                    </label>
                  </Field>
                </div>
                {def.labelColumn !== null && (
                  <div className="form-grid label-values">
                    {(['good', 'faulty'] as const).map((k) => (
                      <Field key={k} error={errors.get(`labelValues.${k}`) ?? errors.get(`labelNames.${k}`)}>
                        <div className="pair">
                          <label>
                            Value meaning {k}
                            <input
                              type="text"
                              className="narrow"
                              value={String(def.labelValues[k])}
                              onChange={(e) => setDef({ labelValues: { ...def.labelValues, [k]: parseLabel(e.target.value) } })}
                              data-testid={`label-value-${k}`}
                            />
                          </label>
                          <label>
                            Shown as
                            <input
                              type="text"
                              value={def.labelNames[k]}
                              onChange={(e) => setDef({ labelNames: { ...def.labelNames, [k]: e.target.value } })}
                              data-testid={`label-name-${k}`}
                            />
                          </label>
                        </div>
                      </Field>
                    ))}
                  </div>
                )}
                <h3>Cells that count as missing</h3>
                <TokenChips
                  label="Missing-value tokens"
                  values={def.missingTokens}
                  errors={tokenErrors}
                  onChange={(missingTokens) => setDef({ missingTokens })}
                  testId="missing-tokens"
                />
              </section>

              <section className="card" aria-labelledby="versions-title">
                <h2 id="versions-title">Versions</h2>
                <table className="table compact" data-testid="schema-versions">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Saved</th>
                      <th className="right">Columns</th>
                      <th className="right">Files</th>
                      <th>Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(versions.data ?? []).map((v) => (
                      <tr
                        key={v.id}
                        className={`clickable${v.id === draft.base.id ? ' selected' : ''}`}
                        tabIndex={0}
                        onClick={() => void openVersion(v)}
                        onKeyDown={(e) => e.key === 'Enter' && void openVersion(v)}
                        data-testid="schema-version-row"
                      >
                        <td className="mono">
                          v{v.version} {v.current && <span className="badge good">current</span>}
                        </td>
                        <td className="mono">{new Date(v.createdAt).toLocaleString()}</td>
                        <td className="right mono">{v.columns}</td>
                        <td className="right mono">{v.files}</td>
                        <td className="muted">{v.note ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </div>

            <section className="card columns-card" aria-labelledby="columns-title">
              <div className="columns-head">
                <h2 id="columns-title">Columns</h2>
                <Field error={errors.get('numberOfColumns')}>
                  <div className="count-row">
                    <label>
                      NumberofColumns
                      <input
                        type="number"
                        className="narrow"
                        min={0}
                        value={def.numberOfColumns}
                        disabled={!draft.countOverride}
                        onChange={(e) => setDef({ numberOfColumns: Number(e.target.value) })}
                        data-testid="number-of-columns"
                      />
                    </label>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={draft.countOverride}
                        onChange={(e) =>
                          update((d) => ({
                            ...d,
                            countOverride: e.target.checked,
                            def: e.target.checked ? d.def : { ...d.def, numberOfColumns: d.def.columns.length },
                          }))
                        }
                        data-testid="count-override"
                      />
                      Set by hand (otherwise follows the list)
                    </label>
                  </div>
                </Field>
              </div>
              <ColumnsEditor
                columns={def.columns}
                idColumn={def.idColumn}
                labelColumn={def.labelColumn}
                errors={errors}
                onChange={changeColumns}
                onHeader={fromHeader}
              />
            </section>
          </div>
        </>
      )}
    </div>
  );
}
