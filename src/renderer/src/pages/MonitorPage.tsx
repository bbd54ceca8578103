/**
 * Monitor: whether the data coming in and the predictions going out still look like what the model was
 * trained on. Alerts first, then sensor drift (population stability index of the newest prediction rows
 * against the model's training rows), data quality (prediction files quarantined, and why) and the fail
 * rate, over a window of days. Reloads when files, predictions or models change.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MonitorSummary, SensorDrift } from '../../../shared/contract';
import { useQuery } from '../api/hooks';
import { PlotlyChart, type ChartTheme } from '../charts/PlotlyChart';
import { FailRateChart, fillBuckets } from './predict/FailRateChart';
import { modelLabel, sensorValue, type ModelChoice } from './predict/format';
import { pct } from './training/format';
import { DEFAULT_MONITOR_THRESHOLDS, type MonitorThresholds } from '../../../shared/drift';
import { api, ApiError } from '../api/client';

const WINDOWS = [7, 30, 90, 365] as const;
const DRIFT_SHOWN = 15;
/** A share as a whole percent, with one decimal under 10% where whole percents hide the difference. */
const share = (x: number) => pct(x, x > 0 && x < 0.1 ? 1 : 0);

const LEVEL_BADGE = { drifted: 'bad', moving: 'pending', stable: 'good' } as const;

function DriftChart({ sensors, thresholds }: { sensors: SensorDrift[]; thresholds: MonitorThresholds }) {
  const shown = sensors.slice(0, DRIFT_SHOWN).reverse();
  const data = useCallback(
    (t: ChartTheme) => [
      {
        type: 'bar',
        orientation: 'h',
        x: shown.map((s) => s.psi),
        y: shown.map((s) => s.sensor),
        marker: { color: shown.map((s) => (s.level === 'drifted' ? t.bad : s.level === 'moving' ? t.warn : t.good)) },
        hovertemplate: '%{y}: PSI %{x:.3f}<extra></extra>',
      },
    ],
    [shown],
  );
  const layout = useCallback(
    (t: ChartTheme) => ({
      showlegend: false,
      margin: { l: 110, r: 16, t: 10, b: 40 },
      bargap: 0.3,
      xaxis: {
        title: { text: 'population stability index', font: { color: t.muted, size: 12 } },
        rangemode: 'tozero',
        gridcolor: t.border,
        zerolinecolor: t.border,
      },
      yaxis: { type: 'category', automargin: true },
      shapes: [thresholds.psiMoving, thresholds.psiDrifted].map((x) => ({
        type: 'line',
        x0: x,
        x1: x,
        yref: 'paper',
        y0: 0,
        y1: 1,
        line: { color: x === thresholds.psiDrifted ? t.bad : t.warn, width: 1, dash: 'dot' },
      })),
    }),
    [thresholds.psiMoving, thresholds.psiDrifted],
  );
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={Math.max(200, 26 * shown.length + 60)}
      ariaLabel={`Drift of the ${shown.length} sensors that moved most`}
      testId="drift-chart"
    />
  );
}

function QualityChart({ quality }: { quality: MonitorSummary['quality'] }) {
  // Days without imports as zeros, as the fail-rate chart does: one busy day reads as one day of many.
  const days = useMemo(
    () => fillBuckets(quality.map((d) => ({ bucket: d.day, rows: d.files, faulty: d.bad, unfamiliar: 0 })), 'day'),
    [quality],
  );
  const data = useCallback(
    (t: ChartTheme) => {
      const x = days.map((d) => d.label);
      return [
        {
          type: 'bar',
          name: 'good',
          x,
          y: days.map((d) => d.rows - d.faulty),
          marker: { color: t.good },
          hovertemplate: '%{y} good<extra></extra>',
        },
        {
          type: 'bar',
          name: 'quarantined',
          x,
          y: days.map((d) => d.faulty),
          marker: { color: t.bad },
          hovertemplate: '%{y} quarantined<extra></extra>',
        },
      ];
    },
    [days],
  );
  const layout = useCallback(
    (t: ChartTheme) => ({
      barmode: 'stack',
      showlegend: true,
      legend: { orientation: 'h', x: 0, y: 1.18, font: { color: t.muted }, traceorder: 'normal' },
      hovermode: 'x unified',
      margin: { l: 44, r: 16, t: 26, b: 44 },
      bargap: 0.45,
      xaxis: { type: 'category', tickangle: 0, automargin: true },
      yaxis: { title: { text: 'files', font: { color: t.muted, size: 12 } }, rangemode: 'tozero', gridcolor: t.border },
    }),
    [],
  );
  return <PlotlyChart data={data} layout={layout} height={220} ariaLabel="Prediction files imported per day" testId="quality-chart" />;
}

/** The badge asks only after start-up: its first answer may read a model bundle (~0.3 s) on the main process. */
const BADGE_DELAY_MS = 3000;

/**
 * The alerts count beside Monitor in the navigation (Production, last 30 days, as the page opens), so
 * drift or a run of quarantined files is seen from any page. Nothing when there is no alert.
 */
export function MonitorAlertsBadge() {
  const [started, setStarted] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setStarted(true), BADGE_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  const summary = useQuery(
    'monitor/summary',
    { model: 'production', days: 30 },
    { refreshOn: ['files', 'predictions', 'models', 'watch', 'monitor'], enabled: started },
  );
  const alerts = summary.data?.alerts ?? [];
  if (alerts.length === 0) return null;
  const worst = alerts.some((a) => a.level === 'alert') ? 'alert' : 'warning';
  const text = `${alerts.length} monitor ${alerts.length === 1 ? worst : `${worst}s`}`;
  return (
    <span className={`nav-badge ${worst}`} title={alerts.map((a) => a.message).join('\n')} aria-label={text} data-testid="monitor-badge">
      {alerts.length}
    </span>
  );
}

export function MonitorPage() {
  const [model, setModel] = useState<ModelChoice>('production');
  const [days, setDays] = useState<number>(30);
  const models = useQuery('models/list', {}, { refreshOn: ['models'] });
  const input = useMemo(() => ({ model, days }), [model, days]);
  const summary = useQuery('monitor/summary', input, { refreshOn: ['files', 'predictions', 'models', 'watch', 'monitor'] });
  const s = summary.data;
  const production = models.data?.find((v) => v.stages.includes('production')) ?? null;
  const { files, bad, rows, faulty } = s?.totals ?? { files: 0, bad: 0, rows: 0, faulty: 0 };
  // Too few rows for drift to be called (the service raises no alert): no count either.
  const drifted = s?.drift?.reliable ? s.drift.drifted : null;

  return (
    <div className="stack" data-testid="monitor-page">
      <section className="card toolbar" aria-label="What to monitor">
        <label>
          Drift against
          <select
            value={String(model)}
            onChange={(e) => setModel(e.target.value === 'production' ? 'production' : Number(e.target.value))}
            data-testid="monitor-model"
          >
            <option value="production">{modelLabel('production', production?.version ?? null)}</option>
            {(models.data ?? []).map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} ({v.status.replace(/_/g, ' ')})
              </option>
            ))}
          </select>
        </label>
        <label>
          Window
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="monitor-days">
            {WINDOWS.map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
        </label>
        {summary.loading && <span className="muted">Updating…</span>}
      </section>
      {summary.error && <div className="callout error">{summary.error.message}</div>}
      {s && (
        <>
          <section className="stats" aria-label="In the window">
            <div className="stat">
              <div className="value">{files}</div>
              <div className="label">prediction files</div>
            </div>
            <div className={`stat ${bad ? 'bad' : ''}`}>
              <div className="value" data-testid="monitor-quarantined">{files ? share(bad / files) : '—'}</div>
              <div className="label">quarantined ({bad})</div>
            </div>
            <div className="stat">
              <div className="value">{rows.toLocaleString()}</div>
              <div className="label">wafers predicted</div>
            </div>
            <div className={`stat ${faulty ? 'bad' : ''}`}>
              <div className="value">{rows ? share(faulty / rows) : '—'}</div>
              <div className="label">fail rate{s.trainingFaultShare !== null ? ` (training ${share(s.trainingFaultShare)})` : ''}</div>
            </div>
            <div className={`stat ${drifted ? 'bad' : ''}`}>
              <div className="value" data-testid="monitor-drifted">{drifted ?? '—'}</div>
              <div className="label">sensors drifted</div>
            </div>
          </section>

          <section className="card" aria-label="Alerts" data-testid="monitor-alerts">
            <h2>Alerts</h2>
            {s.alerts.length === 0 ? (
              <p className="muted" data-testid="monitor-no-alerts">
                No alerts in the last {s.days} days.
              </p>
            ) : (
              <ul className="mo-alerts">
                {s.alerts.map((a) => (
                  <li key={a.code} data-testid={`alert-${a.code}`}>
                    <span className={`badge ${a.level === 'alert' ? 'bad' : 'pending'}`}>{a.level}</span> {a.message}
                  </li>
                ))}
              </ul>
            )}
            <ThresholdsEditor />
          </section>

          <section className="card" aria-label="Sensor drift">
            <h2>Sensor drift</h2>
            {s.drift ? (
              <>
                <p className="muted">
                  The newest {s.drift.currentRows.toLocaleString()} rows scored by model v{s.modelVersion} against its{' '}
                  {s.drift.referenceRows.toLocaleString()} training rows
                  {s.drift.reference === 'training-files' ? ' (read from its training files)' : ''}, over{' '}
                  {s.drift.scored} sensors. PSI under {s.thresholds.psiMoving} is stable, {s.thresholds.psiMoving}–
                  {s.thresholds.psiDrifted} moving, over {s.thresholds.psiDrifted} drifted, when also above what chance gives
                  for this many rows.
                </p>
                {s.driftNote && <p className="callout info">{s.driftNote}</p>}
                <div className="grid-2">
                  <DriftChart sensors={s.drift.sensors} thresholds={s.thresholds} />
                  <table className="table compact" data-testid="drift-table">
                    <thead>
                      <tr>
                        <th>Sensor</th>
                        <th className="right">PSI</th>
                        <th className="right">Median: training → recent</th>
                        <th className="right">Missing: training → recent</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.drift.sensors.slice(0, DRIFT_SHOWN).map((x) => (
                        <tr key={x.sensor}>
                          <td className="mono">{x.sensor}</td>
                          <td className="right">
                            <span className={`badge ${LEVEL_BADGE[x.level]}`} title={x.level}>
                              {x.psi.toFixed(3)}
                            </span>
                          </td>
                          <td className="right mono">
                            {sensorValue(x.refMedian)} → {sensorValue(x.curMedian)}
                          </td>
                          <td className="right mono">
                            {share(x.refMissing)} → {share(x.curMissing)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            ) : (
              <p className="muted" data-testid="drift-note">
                {s.driftNote}
              </p>
            )}
          </section>

          {s.regimes.length > 0 && <RegimeMix regimes={s.regimes} days={s.days} modelVersion={s.modelVersion} />}

          <div className="grid-2">
            <section className="card pr-chart-card" aria-label="Data quality">
              <h2>Data quality</h2>
              {s.quality.length === 0 ? (
                <p className="muted">No prediction files were imported in the last {s.days} days.</p>
              ) : (
                <>
                  <QualityChart quality={s.quality} />
                  {s.reasons.length > 0 && (
                    <table className="table compact" data-testid="monitor-reasons">
                      <thead>
                        <tr>
                          <th>Why files were quarantined</th>
                          <th className="right">Files</th>
                        </tr>
                      </thead>
                      <tbody>
                        {s.reasons.map((r) => (
                          <tr key={r.code}>
                            <td>
                              <span className="badge bad">{r.code.replace(/_/g, ' ')}</span>
                            </td>
                            <td className="right">{r.files}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  <p className="muted">
                    Each quarantined file and its reasons are on the <a href="#/data">Data page</a>.
                  </p>
                </>
              )}
            </section>
            <section className="card pr-chart-card" aria-label="Fail rate">
              <h2>Fail rate</h2>
              {s.failRate.length === 0 ? (
                <p className="muted">No wafers were predicted in the last {s.days} days.</p>
              ) : (
                <FailRateChart points={s.failRate} bucket="day" height={250} />
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}

type ThresholdField = keyof MonitorThresholds;
const THRESHOLD_FIELDS: { key: ThresholdField; label: string; unit: 'psi' | 'share' | 'times' }[] = [
  { key: 'psiMoving', label: 'Sensor moving: PSI over', unit: 'psi' },
  { key: 'psiDrifted', label: 'Sensor drifted: PSI over', unit: 'psi' },
  { key: 'quarantineShare', label: 'Quarantined files: share over', unit: 'share' },
  { key: 'unfamiliarShare', label: 'Unfamiliar regime: share of wafers over', unit: 'share' },
  { key: 'failRateFactor', label: 'Fail rate: times the training fault share, over', unit: 'times' },
];

/** Shares are edited as percents, PSI and factors as they are. */
const toField = (unit: string, v: number) => String(unit === 'share' ? Math.round(v * 1000) / 10 : v);
const fromField = (unit: string, text: string) => (unit === 'share' ? Number(text) / 100 : Number(text));

/** The workspace's alert thresholds, folded away under the alerts: a line with its own normal sets its own. */
function ThresholdsEditor() {
  const q = useQuery('monitor/thresholds', {}, { refreshOn: ['monitor'] });
  const [fields, setFields] = useState<Record<ThresholdField, string> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const current = q.data?.thresholds;
  useEffect(() => {
    if (current) setFields(Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f.key, toField(f.unit, current[f.key])])) as Record<ThresholdField, string>);
  }, [current]);
  if (!q.data || !fields) return null;
  const save = (thresholds: MonitorThresholds | null) => {
    setError(null);
    setSaved(false);
    api.invoke('monitor/set-thresholds', { thresholds }).then(
      () => setSaved(true),
      (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  };
  const parsed = Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f.key, fromField(f.unit, fields[f.key])])) as unknown as MonitorThresholds;
  return (
    <details className="mo-thresholds" data-testid="monitor-thresholds">
      <summary>
        Alert thresholds {q.data.isDefault ? <span className="muted">(the defaults)</span> : <span className="badge accent">set for this workspace</span>}
      </summary>
      <form
        className="mo-threshold-form"
        onSubmit={(e) => {
          e.preventDefault();
          save(parsed);
        }}
      >
        {THRESHOLD_FIELDS.map((f) => (
          <label key={f.key}>
            {f.label}
            <span className="mo-threshold-input">
              <input
                type="number"
                step="any"
                min={0}
                value={fields[f.key]}
                onChange={(e) => {
                  setSaved(false);
                  setFields({ ...fields, [f.key]: e.target.value });
                }}
                data-testid={`threshold-${f.key}`}
              />
              {f.unit === 'share' ? '%' : f.unit === 'times' ? '×' : ''}
            </span>
            <span className="muted">default {toField(f.unit, DEFAULT_MONITOR_THRESHOLDS[f.key])}{f.unit === 'share' ? '%' : ''}</span>
          </label>
        ))}
        <div className="mo-threshold-actions">
          <button type="submit" className="primary" data-testid="thresholds-save">
            Save thresholds
          </button>
          <button type="button" onClick={() => save(null)} disabled={q.data.isDefault}>
            Back to the defaults
          </button>
          {saved && <span className="good-text">Saved: the alerts above use them.</span>}
        </div>
        {error && (
          <div className="callout error" role="alert" data-testid="thresholds-error">
            {error}
          </div>
        )}
      </form>
    </details>
  );
}

/**
 * Each operating regime's share of the training rows against its share of the window's wafers, with the
 * fault shares: when the mix moved (more wafers of one recipe), drift and a fail rate that moved with it
 * are the mix, not a sensor going wrong.
 */
function RegimeMix({ regimes, days, modelVersion }: { regimes: MonitorSummary['regimes']; days: number; modelVersion: number | null }) {
  const trainingTotal = regimes.reduce((n, r) => n + r.trainingRows, 0);
  const recentTotal = regimes.reduce((n, r) => n + r.recentRows, 0);
  const ratio = (a: number, b: number) => (b > 0 ? share(a / b) : '—');
  return (
    <section className="card" aria-label="Operating regimes" data-testid="monitor-regimes">
      <h2>Operating regimes</h2>
      <p className="muted">
        How the wafers model v{modelVersion} scored in the last {days} days spread over its regimes, against its training
        rows. A regime whose share moved explains drift and a fail rate that move with it.
      </p>
      <table className="table compact">
        <thead>
          <tr>
            <th>Regime</th>
            <th className="right">Training rows</th>
            <th className="right">Faulty in training</th>
            <th className="right">Wafers in the window</th>
            <th className="right">Predicted faulty</th>
            <th className="right">Unfamiliar</th>
          </tr>
        </thead>
        <tbody>
          {regimes.map((r) => (
            <tr key={r.cluster}>
              <td>{r.cluster}</td>
              <td className="right">
                {ratio(r.trainingRows, trainingTotal)} <span className="muted">({r.trainingRows.toLocaleString()})</span>
              </td>
              <td className="right">{ratio(r.trainingFaulty, r.trainingRows)}</td>
              <td className="right">
                {ratio(r.recentRows, recentTotal)} <span className="muted">({r.recentRows.toLocaleString()})</span>
              </td>
              <td className="right">{ratio(r.recentFaulty, r.recentRows)}</td>
              <td className="right">{ratio(r.recentUnfamiliar, r.recentRows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
