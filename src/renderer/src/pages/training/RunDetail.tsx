/**
 * One training run in full: headline metrics and gates, the per-cluster results (flagging constant
 * models and clusters whose held-out part had one class, where AUC is undefined), the global model
 * comparison, charts (elbow, ROC, PR, feature importance), data fingerprint and preprocessing, stage
 * timings, every grid point tried and the run's log.
 */
import { Fragment, useMemo, useState } from 'react';
import type { ClusterResult, RunDetail as Run } from '../../../../shared/contract/training';
import { useQuery } from '../../api/hooks';
import { CurveChart } from '../../charts/CurveChart';
import { ElbowChart } from '../../charts/ElbowChart';
import { ImportanceChart } from '../../charts/ImportanceChart';
import { duration, num, params, RUN_BADGE, when } from './format';
import { ConfusionMatrix, GatesTable, MetricStats } from './Metrics';

type Tab = 'summary' | 'charts' | 'data' | 'grid' | 'log';
const TABS: [Tab, string][] = [
  ['summary', 'Summary'],
  ['charts', 'Curves and importance'],
  ['data', 'Data and timings'],
  ['grid', 'Grid search'],
  ['log', 'Log'],
];

const SELECTED_BY: Record<ClusterResult['selectedBy'], string> = {
  test_auc: 'held-out ROC AUC',
  test_accuracy: 'held-out accuracy (one class held out)',
  only_family: 'only family enabled',
  constant: 'constant (one class)',
};

function ClusterFlags({ c }: { c: ClusterResult }) {
  return (
    <>
      {c.strategy === 'constant' && (
        <span
          className="badge pending"
          title="The cluster's training rows have a single class: it predicts that class for every wafer"
        >
          constant
        </span>
      )}
      {c.selectedBy === 'test_accuracy' && (
        <span
          className="badge pending"
          title="The held-out part of this cluster has one class, so ROC AUC is undefined; the family was chosen by accuracy"
        >
          one-class test
        </span>
      )}
    </>
  );
}

function ClusterRow({ c, label, extra }: { c: ClusterResult; label: string; extra?: string }) {
  const [open, setOpen] = useState(false);
  const t = c.test;
  return (
    <Fragment>
      <tr
        data-testid="cluster-row"
        data-cluster={label}
        className={c.strategy === 'constant' ? 'tr-constant' : undefined}
      >
        <td>
          <button
            type="button"
            className="expander"
            onClick={() => setOpen(!open)}
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} details of ${label}`}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td>
          <strong>{label}</strong> {extra && <span className="badge accent">{extra}</span>}
        </td>
        <td className="right">{c.rows.toLocaleString()}</td>
        <td className="right">{c.faulty.toLocaleString()}</td>
        <td>
          {c.family} <ClusterFlags c={c} />
        </td>
        <td className="tr-params mono" title={params(c.params)}>
          {params(c.params)}
        </td>
        <td className="right">{num(c.cvAuc)}</td>
        <td className="right">{num(t?.rocAuc)}</td>
        <td className="right">{num(t?.recall)}</td>
        <td className="right">{num(t?.precision)}</td>
        <td className="right">{num(t?.f1)}</td>
      </tr>
      {open && (
        <tr className="reasons-row">
          <td />
          <td colSpan={10}>
            <div className="tr-cluster-more">
              <div>
                <strong>Chosen by:</strong> {SELECTED_BY[c.selectedBy]}. Train {c.trainRows} / test{' '}
                {c.testRows} rows.
                {c.notes.length > 0 && (
                  <ul className="tr-notes">
                    {c.notes.map((n, i) => (
                      <li key={i}>{n}</li>
                    ))}
                  </ul>
                )}
              </div>
              {c.families.length > 0 && (
                <table className="table compact">
                  <thead>
                    <tr>
                      <th>Family</th>
                      <th>Best parameters</th>
                      <th className="right">CV AUC</th>
                      <th className="right">Test AUC</th>
                      <th className="right">Test accuracy</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.families.map((f) => (
                      <tr key={f.family}>
                        <td>
                          {f.family} {f.family === c.family && <span className="badge good">chosen</span>}
                        </td>
                        <td className="mono">{params(f.params)}</td>
                        <td className="right">{num(f.cvAuc)}</td>
                        <td className="right">{num(f.testAuc)}</td>
                        <td className="right">{num(f.testAccuracy)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function ClusterTable({ run }: { run: Run }) {
  return (
    <div className="tr-scroll">
      <table className="table tr-clusters" data-testid="cluster-table">
        <thead>
          <tr>
            <th style={{ width: '1.5rem' }} />
            <th>Cluster</th>
            <th className="right">Rows</th>
            <th className="right">Faulty</th>
            <th>Family</th>
            <th>Parameters</th>
            <th className="right">CV AUC</th>
            <th className="right">Test AUC</th>
            <th className="right">Recall</th>
            <th className="right">Precision</th>
            <th className="right">F1</th>
          </tr>
        </thead>
        <tbody>
          {run.clusters.map((c) => (
            <ClusterRow key={c.cluster} c={c} label={`Cluster ${c.cluster}`} />
          ))}
          {run.global && (
            <ClusterRow
              c={run.global}
              label="Global model"
              extra={run.global.betterThanPerCluster ? 'validated better' : undefined}
            />
          )}
        </tbody>
      </table>
    </div>
  );
}

function importanceOf(run: Run, which: string): { feature: string; gain: number }[] {
  if (which === 'global') return run.global?.featureImportance ?? [];
  if (which !== 'all') return run.clusters.find((c) => String(c.cluster) === which)?.featureImportance ?? [];
  // Across clusters, each cluster's gain weighted by its share of the rows.
  const total = run.clusters.reduce((n, c) => n + c.rows, 0) || 1;
  const sum = new Map<string, number>();
  for (const c of run.clusters) {
    for (const f of c.featureImportance)
      sum.set(f.feature, (sum.get(f.feature) ?? 0) + (f.gain * c.rows) / total);
  }
  return [...sum].map(([feature, gain]) => ({ feature, gain }));
}

function Charts({ run }: { run: Run }) {
  const [which, setWhich] = useState('all');
  const importance = useMemo(() => importanceOf(run, which), [run, which]);
  return (
    <div className="stack">
      {run.pooled ? (
        <div className="grid-2">
          <section>
            <h3>ROC curve (pooled held-out, AUC {num(run.pooled.rocAuc)})</h3>
            <CurveChart metrics={run.pooled} kind="roc" />
          </section>
          <section>
            <h3>Precision-recall (AUC {num(run.pooled.prAuc)})</h3>
            <CurveChart metrics={run.pooled} kind="pr" />
          </section>
        </div>
      ) : (
        <p className="muted">No pooled held-out metrics for this run.</p>
      )}
      <section>
        <div className="tr-panel-head">
          <h3>Feature importance (top 15)</h3>
          <label>
            Model
            <select value={which} onChange={(e) => setWhich(e.target.value)} data-testid="importance-model">
              <option value="all">All clusters (weighted by rows)</option>
              {run.clusters.map((c) => (
                <option key={c.cluster} value={String(c.cluster)}>
                  Cluster {c.cluster}
                </option>
              ))}
              {run.global && <option value="global">Global model</option>}
            </select>
          </label>
        </div>
        {importance.length ? (
          <ImportanceChart items={importance} />
        ) : (
          <p className="muted">This model has no feature importance (a constant model uses no features).</p>
        )}
      </section>
    </div>
  );
}

function DataTab({ run }: { run: Run }) {
  const fp = run.fingerprint;
  const timings = Object.entries(run.timings);
  const maxT = Math.max(1e-9, ...timings.map(([, s]) => s));
  return (
    <div className="grid-2">
      <section className="stack">
        <div>
          <h3>Data fingerprint</h3>
          <dl className="kv" data-testid="fingerprint">
            <dt>Rows</dt>
            <dd>
              {fp.rows.toLocaleString()} ({fp.good.toLocaleString()} good, {fp.faulty.toLocaleString()}{' '}
              faulty)
            </dd>
            <dt>Files</dt>
            <dd>{fp.files.length}</dd>
            <dt>Schema</dt>
            <dd>#{fp.schemaId}</dd>
            <dt>Config version</dt>
            <dd>{run.configVersion ?? '—'}</dd>
            <dt>App version</dt>
            <dd>{run.appVersion}</dd>
          </dl>
          <details className="tr-files">
            <summary>Files ({fp.files.length})</summary>
            <table className="table compact">
              <thead>
                <tr>
                  <th>File</th>
                  <th className="right">Rows</th>
                  <th>sha256</th>
                </tr>
              </thead>
              <tbody>
                {fp.files.map((f) => (
                  <tr key={f.sha256}>
                    <td>{f.name}</td>
                    <td className="right">{f.rows}</td>
                    <td className="mono" title={f.sha256}>
                      {f.sha256.slice(0, 12)}…
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
        <div>
          <h3>Preprocessing</h3>
          {run.preprocessing ? (
            <dl className="kv" data-testid="preprocessing">
              <dt>Imputation</dt>
              <dd>{run.preprocessing.imputation}</dd>
              <dt>Features kept</dt>
              <dd>{run.preprocessing.kept}</dd>
              <dt>Dropped (constant)</dt>
              <dd title={run.preprocessing.droppedConstant.join(', ')}>
                {run.preprocessing.droppedConstant.length}
                {run.preprocessing.droppedConstant.length > 0 && (
                  <span className="muted">
                    {' '}
                    — {run.preprocessing.droppedConstant.slice(0, 6).join(', ')}
                    {run.preprocessing.droppedConstant.length > 6 ? ', …' : ''}
                  </span>
                )}
              </dd>
              <dt>Dropped (all missing)</dt>
              <dd title={run.preprocessing.droppedAllMissing.join(', ')}>
                {run.preprocessing.droppedAllMissing.length}
                {run.preprocessing.droppedAllMissing.length > 0 && (
                  <span className="muted">
                    {' '}
                    — {run.preprocessing.droppedAllMissing.slice(0, 6).join(', ')}
                    {run.preprocessing.droppedAllMissing.length > 6 ? ', …' : ''}
                  </span>
                )}
              </dd>
              {run.preprocessing.notes.map((n, i) => (
                <Fragment key={i}>
                  <dt>Note</dt>
                  <dd>{n}</dd>
                </Fragment>
              ))}
            </dl>
          ) : (
            <p className="muted">Not recorded (the run stopped before preprocessing).</p>
          )}
        </div>
      </section>
      <section>
        <h3>Timings per stage</h3>
        <table className="table compact" data-testid="timings">
          <tbody>
            {timings.map(([stage, s]) => (
              <tr key={stage}>
                <td>{stage}</td>
                <td className="tr-bar-cell">
                  <span className="tr-bar" style={{ width: `${(100 * s) / maxT}%` }} />
                </td>
                <td className="right mono">{duration(s)}</td>
              </tr>
            ))}
            <tr>
              <td>
                <strong>total</strong>
              </td>
              <td />
              <td className="right mono">
                <strong>{duration(run.seconds)}</strong>
              </td>
            </tr>
          </tbody>
        </table>
      </section>
    </div>
  );
}

function GridTab({ run }: { run: Run }) {
  const [family, setFamily] = useState<'all' | 'gbm' | 'forest'>('all');
  const points = useMemo(
    () => run.grid.filter((g) => family === 'all' || g.family === family).sort((a, b) => b.cvAuc - a.cvAuc),
    [run.grid, family],
  );
  return (
    <div className="stack">
      <div className="toolbar">
        <label>
          Family
          <select value={family} onChange={(e) => setFamily(e.target.value as typeof family)}>
            <option value="all">All</option>
            <option value="gbm">Gradient boosting</option>
            <option value="forest">Random forest</option>
          </select>
        </label>
        <span className="muted">{points.length} grid points, best cross-validated ROC AUC first.</span>
      </div>
      <div className="tr-scroll tr-grid-scroll">
        <table className="table compact" data-testid="grid-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Family</th>
              <th>Parameters</th>
              <th className="right">CV AUC</th>
              <th>Fold AUCs</th>
            </tr>
          </thead>
          <tbody>
            {points.map((g, i) => (
              <tr key={i}>
                <td className="muted">{i + 1}</td>
                <td>{g.family}</td>
                <td className="mono">{params(g.params)}</td>
                <td className="right">{num(g.cvAuc)}</td>
                <td className="mono muted">{g.foldAucs.map((a) => num(a, 2)).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function LogTab({ run }: { run: Run }) {
  return (
    <div className="tr-scroll tr-log-scroll">
      <table className="table compact" data-testid="run-log">
        <tbody>
          {run.log.map((l, i) => (
            <tr key={i}>
              <td className="mono">{new Date(l.time).toLocaleTimeString()}</td>
              <td>
                <span className={`badge level-${l.level}`}>{l.level}</span>
              </td>
              <td>{l.message}</td>
            </tr>
          ))}
          {run.log.length === 0 && (
            <tr>
              <td className="muted">No log lines recorded.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function RunDetailView({ id }: { id: number }) {
  const q = useQuery('training/run', { id }, { refreshOn: ['runs'] });
  const [tab, setTab] = useState<Tab>('summary');
  if (q.error)
    return (
      <div className="callout error">
        Run {id} could not be loaded: {q.error.message}
      </div>
    );
  const run = q.data;
  if (!run || run.id !== id) return <div className="card muted">Loading run {id}…</div>;
  // The headline figures are the deployed model's, the same ones the gates judged: the global model's
  // held-out metrics when it validated better (deploy 'best'), else the per-regime models' pooled ones.
  const deployedGlobal = run.config.deploy === 'best' && run.global?.betterThanPerCluster === true;
  const m = deployedGlobal ? (run.global?.test ?? null) : run.pooled;
  const gatesPassed = run.gates.length > 0 && run.gates.every((g) => g.passed);
  return (
    <section className="card stack" aria-labelledby="run-title" data-testid="run-detail" data-run={run.id}>
      <div className="tr-panel-head">
        <div>
          <h2 id="run-title">
            Run #{run.id} <span className={`badge ${RUN_BADGE[run.status]}`}>{run.status}</span>{' '}
            {run.modelVersion !== null && <span className="badge accent">model v{run.modelVersion}</span>}
          </h2>
          <p className="muted tr-lede">
            {when(run.startedAt)} · {duration(run.seconds)} · k = {run.k ?? '—'}
            {run.elbow
              ? ` (${run.elbow.source === 'knee' ? 'the knee' : run.elbow.source === 'user' ? (run.k === run.elbow.knee ? 'the knee, confirmed by hand' : 'picked by hand') : run.elbow.source})`
              : ''}{' '}
            · {run.rows.toLocaleString()} rows, {run.faulty.toLocaleString()} faulty · config v
            {run.configVersion ?? '—'}
          </p>
        </div>
        {run.gates.length > 0 && (
          <span className={`badge ${gatesPassed ? 'pass' : 'fail'} tr-gates-badge`} data-testid="run-gates">
            {gatesPassed ? 'all gates passed' : 'gates failed'}
          </span>
        )}
      </div>
      {run.error && (
        <div className="callout error" role="alert">
          {run.error}
        </div>
      )}
      <div className="tabs" role="tablist" aria-label="Run sections">
        {TABS.map(([t, label]) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'active' : ''}
            onClick={() => setTab(t)}
            data-testid={`run-tab-${t}`}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'summary' && (
          <div className="stack">
            <p className="muted" data-testid="deployed-metrics">
              Held-out metrics of the deployed model:{' '}
              {deployedGlobal ? 'the global model (regime as a feature)' : 'the per-regime models, pooled'}.
            </p>
            {m ? <MetricStats m={m} /> : <p className="muted">No held-out metrics.</p>}
            {run.strategyNote && (
              <div className="callout info" data-testid="strategy-note">
                <strong>Which strategy validated better: </strong>
                {run.strategyNote}
              </div>
            )}
            {run.repeatedCv && (
              <p className="muted">
                Repeated cross-validation of the deployed models: ROC AUC {num(run.repeatedCv.auc.mean)} ±{' '}
                {num(run.repeatedCv.auc.std)} over {run.repeatedCv.repeats} repeats.
              </p>
            )}
            <div className="tr-summary-grid">
              <section>
                <h3>Quality gates</h3>
                <GatesTable gates={run.gates} />
              </section>
              <section>{m && <ConfusionMatrix m={m} />}</section>
              {run.elbow && (
                <section>
                  <h3>Elbow</h3>
                  <ElbowChart elbow={run.elbow} height={220} />
                </section>
              )}
            </div>
            <section>
              <h3>Per-cluster results</h3>
              <ClusterTable run={run} />
            </section>
          </div>
        )}
        {tab === 'charts' && <Charts run={run} />}
        {tab === 'data' && <DataTab run={run} />}
        {tab === 'grid' && <GridTab run={run} />}
        {tab === 'log' && <LogTab run={run} />}
      </div>
    </section>
  );
}
