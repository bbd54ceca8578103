/**
 * The training configuration editor: the saved version loads into a draft, the important fields are
 * form controls and the grids are a YAML text block (JSON is valid YAML). Every edit is validated with
 * the same zod schema the main side uses, so errors appear beside the field before anything is saved.
 * Saving always creates a new version; runs record which version they used.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { parse as parseYaml } from 'yaml';
import {
  checkTrainingConfig,
  type ConfigIssue,
  type TrainingConfig,
} from '../../../../shared/training-config';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';

type Draft = Record<string, unknown>;

function getPath(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Draft)[k] : undefined), obj);
}

/** Text for a primitive value from the draft (objects never reach a text field). */
function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}

function setPath(obj: Draft, path: string, value: unknown): Draft {
  const [head, ...rest] = path.split('.');
  const copy: Draft = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else {
    const child = copy[head];
    copy[head] = setPath(child && typeof child === 'object' ? (child as Draft) : {}, rest.join('.'), value);
  }
  return copy;
}

/** zod's generic messages, said the way a person would; field-specific messages pass through unchanged. */
function humanize(message: string): string {
  const rules: [RegExp, string][] = [
    [/^Too small: expected number to be >=(.+)$/, 'must be at least $1'],
    [/^Too small: expected number to be >(.+)$/, 'must be more than $1'],
    [/^Too big: expected number to be <=(.+)$/, 'must be at most $1'],
    [/^Too big: expected number to be <(.+)$/, 'must be less than $1'],
    [/^Invalid input: expected int, received number$/, 'must be a whole number'],
    [/^Invalid input: expected number, received \w+$/, 'must be a number'],
  ];
  for (const [re, out] of rules) if (re.test(message)) return message.replace(re, out);
  return message;
}

function issuesAt(issues: ConfigIssue[], path: string): ConfigIssue[] {
  return issues
    .filter((i) => i.path === path || i.path.startsWith(`${path}.`))
    .map((i) => ({ ...i, message: humanize(i.message) }));
}

/** Every message for one field in a single element, so aria-describedby has one target. */
function FieldErrors({ id, errs }: { id: string; errs: ConfigIssue[] }) {
  if (errs.length === 0) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {errs.map((e) => e.message).join('; ')}
    </span>
  );
}

function gridsText(draft: Draft): string {
  // Hand-written so each grid line reads as `key: [values]` (JSON arrays are YAML flow sequences).
  const lines: string[] = [];
  for (const family of ['gbm', 'forest']) {
    lines.push(`${family}:`);
    const grid = getPath(draft, `families.${family}.grid`);
    for (const [k, v] of Object.entries(grid && typeof grid === 'object' ? (grid as Draft) : {})) {
      lines.push(`  ${k}: ${JSON.stringify(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** A number input that keeps what the person typed ("0.", "") and hands the parent a parsed value. */
function NumField({
  label,
  path,
  draft,
  onChange,
  issues,
  nullable,
  disabled,
  hint,
}: {
  label: string;
  path: string;
  draft: Draft;
  onChange: (path: string, value: unknown) => void;
  issues: ConfigIssue[];
  nullable?: boolean;
  disabled?: boolean;
  hint?: string;
}) {
  const value = getPath(draft, path);
  const [text, setText] = useState(str(value));
  useEffect(() => {
    const parsed = text.trim() === '' ? (nullable ? null : undefined) : Number(text);
    if (parsed !== value && !(typeof value === 'number' && Number(text) === value)) {
      setText(typeof value === 'number' ? String(+value.toPrecision(6)) : str(value));
    }
    // Only an outside change (load, revert) should overwrite what is being typed, hence `value` alone.
  }, [value]);
  const errs = issuesAt(issues, path);
  const id = `cfg-${path.replace(/\./g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        disabled={disabled}
        placeholder={nullable ? 'off' : undefined}
        aria-invalid={errs.length > 0}
        aria-describedby={errs.length ? `${id}-err` : undefined}
        data-testid={id}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          const trimmed = t.trim();
          if (trimmed === '') onChange(path, nullable ? null : undefined);
          else onChange(path, Number.isNaN(Number(trimmed)) ? trimmed : Number(trimmed));
        }}
      />
      {hint && errs.length === 0 && <span className="muted tr-hint">{hint}</span>}
      <FieldErrors id={`${id}-err`} errs={errs} />
    </div>
  );
}

function SelectField({
  label,
  path,
  draft,
  onChange,
  issues,
  options,
}: {
  label: string;
  path: string;
  draft: Draft;
  onChange: (path: string, value: unknown) => void;
  issues: ConfigIssue[];
  options: [string, string][];
}) {
  const id = `cfg-${path.replace(/\./g, '-')}`;
  const errs = issuesAt(issues, path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={str(getPath(draft, path))}
        onChange={(e) => onChange(path, e.target.value)}
        aria-invalid={errs.length > 0}
        data-testid={id}
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <FieldErrors id={`${id}-err`} errs={errs} />
    </div>
  );
}

function CheckField({
  label,
  path,
  draft,
  onChange,
  issues,
}: {
  label: string;
  path: string;
  draft: Draft;
  onChange: (path: string, value: unknown) => void;
  issues: ConfigIssue[];
}) {
  const errs = issuesAt(issues, path).filter((i) => i.path === path);
  const id = `cfg-${path.replace(/\./g, '-')}`;
  return (
    <div className="field">
      <label className="check" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={getPath(draft, path) === true}
          onChange={(e) => onChange(path, e.target.checked)}
          data-testid={id}
        />
        {label}
      </label>
      <FieldErrors id={`${id}-err`} errs={errs} />
    </div>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="tr-group">
      <legend>{title}</legend>
      <div className="form-grid">{children}</div>
    </fieldset>
  );
}

export function ConfigEditor({
  onSaved,
  onDirtyChange,
}: {
  onSaved?: (version: number) => void;
  onDirtyChange?: (dirty: boolean) => void;
}) {
  const saved = useQuery('training/config-get', {});
  const [draft, setDraft] = useState<Draft | null>(null);
  const [grids, setGrids] = useState('');
  const [gridsError, setGridsError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'good' | 'error'; text: string } | null>(null);
  const [serverIssues, setServerIssues] = useState<ConfigIssue[]>([]);

  const load = (config: TrainingConfig) => {
    const d = structuredClone(config) as unknown as Draft;
    setDraft(d);
    setGrids(gridsText(d));
    setGridsError(null);
    setServerIssues([]);
  };
  useEffect(() => {
    if (saved.data) load(saved.data.config);
  }, [saved.data]);

  const check = useMemo(() => (draft ? checkTrainingConfig(draft) : { config: null, issues: [] }), [draft]);
  const issues = [...check.issues, ...serverIssues];
  const dirty = useMemo(
    () => !!draft && !!saved.data && JSON.stringify(draft) !== JSON.stringify(saved.data.config),
    [draft, saved.data],
  );
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  if (saved.error)
    return (
      <div className="callout error">
        The training configuration could not be loaded: {saved.error.message}
      </div>
    );
  if (!draft || !saved.data) return <div className="muted">Loading the training configuration…</div>;

  const change = (path: string, value: unknown) => {
    setMessage(null);
    setServerIssues([]);
    setDraft((d) => (d ? setPath(d, path, value) : d));
  };
  const changeRule = (rule: string) => {
    const next: Draft = { rule };
    if (rule === 'fixed') next.value = 0.5;
    if (rule === 'recall') next.minRecall = 0.85;
    change('threshold', next);
  };
  const changeGrids = (text: string) => {
    setGrids(text);
    try {
      const parsed = parseYaml(text) as unknown;
      if (!parsed || typeof parsed !== 'object') throw new Error('expected two maps: gbm and forest');
      const { gbm, forest, ...extra } = parsed as Draft;
      if (Object.keys(extra).length)
        throw new Error(`unknown section: ${Object.keys(extra).join(', ')} (only gbm and forest)`);
      setGridsError(null);
      setDraft((d) => {
        if (!d) return d;
        let n = setPath(d, 'families.gbm.grid', gbm);
        n = setPath(n, 'families.forest.grid', forest);
        return n;
      });
    } catch (e) {
      setGridsError(e instanceof Error ? e.message.split('\n')[0] : String(e));
    }
  };
  const save = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const res = await api.invoke('training/config-save', { config: draft, note: note.trim() || undefined });
      setNote('');
      setMessage({ kind: 'good', text: `Saved as version ${res.version}. New runs use it.` });
      saved.reload();
      onSaved?.(res.version);
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      // The main side sends its issues as { issues } so they land beside the same fields.
      const details = err?.details as { issues?: unknown } | unknown[] | undefined;
      const list = Array.isArray(details) ? details : Array.isArray(details?.issues) ? details.issues : [];
      setServerIssues(list as ConfigIssue[]);
      setMessage({ kind: 'error', text: err ? `${err.code}: ${err.message}` : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const rule = str(getPath(draft, 'threshold.rule'), 'maxF1');
  const mode = str(getPath(draft, 'clusters.mode'), 'auto');
  const gridIssues = issues.filter((i) => /^families\.(gbm|forest)\.grid/.test(i.path));
  const claimed =
    /^(seed|imputation|standardize|clusters|split|cvFolds|families|classWeight|maxBins|threshold|globalModel|deploy|gates)(\.|$)/;
  const unclaimed = issues.filter((i) => !claimed.test(i.path));
  const p = { draft, onChange: change, issues };

  return (
    <div className="stack tr-config" data-testid="config-editor">
      <div className="tr-config-head">
        <div>
          <span className="badge accent" data-testid="config-version">
            {saved.data.version > 0 ? `version ${saved.data.version}` : 'defaults'}
          </span>{' '}
          <span className="muted">
            saved{' '}
            {saved.data.createdAt ? new Date(saved.data.createdAt).toLocaleString() : 'never (defaults)'}
          </span>
          {dirty && <span className="badge pending tr-dirty">unsaved changes</span>}
        </div>
        <div className="editor-actions">
          <label>
            Note for this version
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="why it changed…"
              data-testid="config-note"
            />
          </label>
          <button type="button" onClick={() => load(saved.data!.config)} disabled={!dirty || busy}>
            Revert
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void save()}
            disabled={(!dirty && saved.data.version > 0) || busy || issues.length > 0 || gridsError !== null}
            data-testid="config-save"
            title={issues.length ? 'Fix the fields marked in red first' : undefined}
          >
            {busy ? 'Saving…' : 'Save as new version'}
          </button>
        </div>
      </div>
      {message && (
        <div className={`callout ${message.kind}`} role="status" data-testid="config-message">
          {message.text}
        </div>
      )}
      {unclaimed.length > 0 && (
        <div className="callout error">
          {unclaimed.map((i, n) => (
            <div key={n}>
              {i.path || 'config'}: {i.message}
            </div>
          ))}
        </div>
      )}
      <div className="tr-config-grid">
        <Group title="Missing values">
          <SelectField
            label="Imputation"
            path="imputation.method"
            options={[
              ['knn', 'KNN (neighbours)'],
              ['median', 'Median'],
            ]}
            {...p}
          />
          <NumField
            label="Neighbours"
            path="imputation.neighbors"
            disabled={getPath(draft, 'imputation.method') !== 'knn'}
            {...p}
          />
          <NumField label="Max donor rows" path="imputation.maxDonors" {...p} />
          <CheckField label="Standardize features" path="standardize" {...p} />
        </Group>
        <Group title="Operating regimes (k-means)">
          <SelectField
            label="Cluster count"
            path="clusters.mode"
            options={[
              ['auto', 'Auto (elbow knee)'],
              ['fixed', 'Fixed k'],
            ]}
            {...p}
          />
          <NumField label="k" path="clusters.k" disabled={mode !== 'fixed'} {...p} />
          <NumField label="k from" path="clusters.kMin" {...p} />
          <NumField label="k to" path="clusters.kMax" {...p} />
        </Group>
        <Group title="Validation">
          <NumField label="Test fraction" path="split.testFraction" hint="held out per cluster" {...p} />
          <NumField label="CV folds" path="cvFolds" {...p} />
          <NumField label="Seed" path="seed" {...p} />
        </Group>
        <Group title="Models">
          <CheckField label="Gradient boosting" path="families.gbm.enabled" {...p} />
          <CheckField label="Random forest" path="families.forest.enabled" {...p} />
          <SelectField
            label="Class weighting"
            path="classWeight"
            options={[
              ['none', 'None'],
              ['balanced', 'Balanced'],
            ]}
            {...p}
          />
          <NumField label="Bins per sensor" path="maxBins" hint="auto, or 2 to 255" {...p} />
          <CheckField label="Also train one global model" path="globalModel" {...p} />
          <SelectField
            label="Deploy"
            path="deploy"
            options={[
              ['per-cluster', 'Per-cluster models'],
              ['best', 'Whichever validated better'],
            ]}
            {...p}
          />
        </Group>
        <Group title="Decision threshold">
          <div className="field">
            <label htmlFor="cfg-threshold-rule">Rule</label>
            <select
              id="cfg-threshold-rule"
              value={rule}
              onChange={(e) => changeRule(e.target.value)}
              data-testid="cfg-threshold-rule"
            >
              <option value="maxF1">Maximise F1</option>
              <option value="youden">Youden (TPR − FPR)</option>
              <option value="recall">Reach a recall</option>
              <option value="fixed">Fixed value</option>
            </select>
          </div>
          {rule === 'fixed' && <NumField label="Threshold" path="threshold.value" {...p} />}
          {rule === 'recall' && <NumField label="Minimum recall" path="threshold.minRecall" {...p} />}
        </Group>
        <Group title="Quality gates (blank = off)">
          <NumField label="Min accuracy" path="gates.minAccuracy" nullable {...p} />
          <NumField label="Min F1" path="gates.minF1" nullable {...p} />
          <NumField label="Min recall" path="gates.minRecall" nullable {...p} />
          <NumField label="Min ROC AUC" path="gates.minRocAuc" nullable {...p} />
          <NumField label="Min PR AUC" path="gates.minPrAuc" nullable {...p} />
        </Group>
      </div>
      <details className="tr-advanced">
        <summary>Advanced: hyper-parameter grids (YAML or JSON)</summary>
        <label htmlFor="cfg-grids" className="tr-block-label">
          Every combination is tried with {str(getPath(draft, 'cvFolds'), '?')}-fold cross-validation in each
          cluster.
        </label>
        <textarea
          id="cfg-grids"
          rows={10}
          value={grids}
          onChange={(e) => changeGrids(e.target.value)}
          spellCheck={false}
          aria-invalid={gridsError !== null || gridIssues.length > 0}
          data-testid="cfg-grids"
        />
        {gridsError && <span className="field-error">Not readable: {gridsError}</span>}
        {gridIssues.map((i, n) => (
          <span key={n} className="field-error">
            {i.path}: {i.message}
          </span>
        ))}
        <span className="muted tr-hint">{gridSize(draft)}</span>
      </details>
    </div>
  );
}

function gridSize(draft: Draft): string {
  const count = (path: string) => {
    const grid = getPath(draft, path);
    if (!grid || typeof grid !== 'object') return 0;
    return Object.values(grid as Draft).reduce<number>((n, v) => n * (Array.isArray(v) ? v.length : 1), 1);
  };
  const g = getPath(draft, 'families.gbm.enabled') ? count('families.gbm.grid') : 0;
  const f = getPath(draft, 'families.forest.enabled') ? count('families.forest.grid') : 0;
  return `${g} gradient-boosting and ${f} random-forest combinations per cluster.`;
}
