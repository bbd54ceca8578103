/**
 * Single prediction: one wafer typed or pasted, either as a CSV line (id first, then the sensor values in
 * the prediction schema's order) or as values by sensor name ("Sensor - 59 = 2.1", one a line; sensors
 * left out count as missing). `predict/single` answers at once with the same detail as a batch row.
 */
import { useMemo, useState } from 'react';
import type { PredictionDetail } from '../../../../shared/contract';
import { api } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { errorCode, errorText, type ModelChoice } from './format';
import { NoModelCallout } from './NoModel';
import { RowDetailView } from './RowDetail';

type Mode = 'csv' | 'values';

interface Parsed {
  values: Record<string, number | null | string>;
  problems: string[];
  unknown: string[];
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', '?']);

/** "Sensor - 59 = 2.1" (or "Sensor - 59: 2.1", or tab separated) lines into values by name. */
export function parseNamedValues(text: string, known: Set<string> | null): Parsed {
  const values: Record<string, number | null | string> = {};
  const problems: string[] = [];
  const unknown: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(.+?)\s*(?:=|:|\t)\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`line ${i + 1}: write it as "name = value"`);
      return;
    }
    const name = m[1]!.trim();
    const v = m[2]!.trim();
    if (known && !known.has(name)) unknown.push(name);
    if (MISSING.has(v.toLowerCase())) values[name] = null;
    else if (Number.isFinite(Number(v))) values[name] = Number(v);
    else {
      problems.push(`line ${i + 1}: "${v}" is not a number`);
      values[name] = v;
    }
  });
  return { values, problems, unknown };
}

export function SinglePanel({ model, noProduction }: { model: ModelChoice; noProduction: boolean }) {
  const schema = useQuery('schemas/get', { kind: 'prediction' }, { refreshOn: ['schemas'] });
  const [mode, setMode] = useState<Mode>('values');
  const [csv, setCsv] = useState('');
  const [named, setNamed] = useState('');
  const [wafer, setWafer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string | null; message: string } | null>(null);
  const [detail, setDetail] = useState<PredictionDetail | null>(null);

  const def = schema.data?.definition;
  const columns = useMemo(() => (def ? def.columns.map((c) => c.name) : []), [def]);
  const sensors = useMemo(
    () => (def ? columns.filter((n) => n !== def.idColumn && n !== def.labelColumn) : []),
    [columns, def],
  );
  const known = useMemo(() => (sensors.length ? new Set(sensors) : null), [sensors]);
  const parsed = useMemo(() => parseNamedValues(named, known), [named, known]);
  const csvCells = csv.trim() ? csv.trim().split(',').length : 0;
  const expected = columns.length;
  const given = Object.keys(parsed.values).length;

  const canSubmit = !busy && (mode === 'csv' ? csv.trim() !== '' : given > 0 && parsed.problems.length === 0);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const input =
        mode === 'csv'
          ? { csv: csv.trim(), model }
          : { values: parsed.values, model, ...(wafer.trim() ? { wafer: wafer.trim() } : {}) };
      setDetail(await api.invoke('predict/single', input));
    } catch (e) {
      setError({ code: errorCode(e), message: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const example =
    sensors.length >= 3 ? `${sensors[58] ?? sensors[0]} = 2.1\n${sensors[1]} = 2983.5\n${sensors[2]} = ` : '';

  return (
    <div className="pr-single" data-testid="single-panel">
      <section className="card pr-single-form" aria-labelledby="pr-single-title">
        <h2 id="pr-single-title">One wafer</h2>
        <p className="muted tr-lede">
          Type or paste a single row to see its prediction at once. It is kept in the history with source
          &ldquo;single&rdquo;.
        </p>
        <div className="tabs pr-mode" role="tablist" aria-label="How to enter the row">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'values'}
            className={mode === 'values' ? 'active' : ''}
            onClick={() => setMode('values')}
            data-testid="single-mode-values"
          >
            Values by sensor name
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'csv'}
            className={mode === 'csv' ? 'active' : ''}
            onClick={() => setMode('csv')}
            data-testid="single-mode-csv"
          >
            CSV line
          </button>
        </div>
        <form
          className="stack pr-single-fields"
          onSubmit={(e) => {
            e.preventDefault();
            if (canSubmit) void submit();
          }}
        >
          {mode === 'csv' ? (
            <label className="pr-block">
              CSV line: the wafer id first, then{' '}
              {sensors.length ? `the ${sensors.length} sensor values` : 'the sensor values'} in schema order
              <textarea
                rows={5}
                value={csv}
                onChange={(e) => setCsv(e.target.value)}
                placeholder={`Wafer-801,2968.33,2476.58,,2216.73,…`}
                spellCheck={false}
                data-testid="single-csv"
              />
              <span
                className={`pr-field-note${expected && csvCells && csvCells !== expected ? ' pr-warn-text' : ''}`}
              >
                {csvCells} value{csvCells === 1 ? '' : 's'}
                {expected
                  ? ` of ${expected} columns (${columns[0]}, ${columns[1]} … ${columns[columns.length - 1]})`
                  : ''}
                ; empty cells count as missing.
              </span>
            </label>
          ) : (
            <>
              <label className="pr-block">
                Wafer id (optional)
                <input
                  value={wafer}
                  onChange={(e) => setWafer(e.target.value)}
                  placeholder="e.g. Wafer-901"
                  data-testid="single-wafer"
                />
              </label>
              <label className="pr-block">
                One sensor a line, as &ldquo;name = value&rdquo;; sensors left out count as missing
                <textarea
                  rows={8}
                  value={named}
                  onChange={(e) => setNamed(e.target.value)}
                  placeholder={example || 'Sensor - 59 = 2.1'}
                  spellCheck={false}
                  aria-describedby="pr-named-note"
                  data-testid="single-values"
                />
              </label>
              <div id="pr-named-note" className="pr-field-note" data-testid="single-parse">
                {given} sensor{given === 1 ? '' : 's'} given{sensors.length ? ` of ${sensors.length}` : ''}
                {parsed.problems.length > 0 && (
                  <div className="bad-text">{parsed.problems.slice(0, 3).join('; ')}</div>
                )}
                {parsed.unknown.length > 0 && (
                  <div className="pr-warn-text">
                    Not in the prediction schema: {parsed.unknown.slice(0, 5).join(', ')}
                    {parsed.unknown.length > 5 ? ` and ${parsed.unknown.length - 5} more` : ''}
                  </div>
                )}
              </div>
            </>
          )}
          <div className="editor-actions">
            <button
              type="submit"
              className="primary"
              disabled={!canSubmit || (noProduction && model === 'production')}
              data-testid="single-predict"
            >
              {busy ? 'Predicting…' : 'Predict'}
            </button>
            {detail && (
              <button type="button" onClick={() => setDetail(null)}>
                Clear result
              </button>
            )}
          </div>
        </form>
        {error &&
          (error.code === 'no_model' ? (
            <NoModelCallout message={error.message} />
          ) : (
            <div className="callout error" role="alert" data-testid="single-error">
              {error.message}
            </div>
          ))}
      </section>
      <div className="pr-single-result">
        {detail ? (
          <RowDetailView detail={detail} />
        ) : (
          <section className="card empty pr-single-empty">
            <h2>The prediction appears here</h2>
            <p className="muted">
              Probability against the threshold, the operating regime and the sensors that pushed the verdict
              each way.
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
