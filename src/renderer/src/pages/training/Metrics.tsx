/**
 * Metric blocks shared by runs and model versions: headline numbers (accuracy always beside the fail
 * rate, because on wafer data a model that says "good" for everything is already ~94% accurate), the
 * confusion matrix at the chosen threshold, and the quality gates with value against threshold.
 */
import type { GateResult, MetricSet } from '../../../../shared/contract/training';
import { metricLabel, num, pct } from './format';

export function MetricStats({ m }: { m: MetricSet }) {
  const items: [string, string, string?][] = [
    [
      'Accuracy',
      pct(m.accuracy),
      `fail rate ${pct(m.failRateActual)} — all-good guess scores ${pct(1 - m.failRateActual)}`,
    ],
    ['Balanced accuracy', pct(m.balancedAccuracy)],
    ['Precision', num(m.precision)],
    ['Recall', num(m.recall)],
    ['F1', num(m.f1)],
    ['Specificity', num(m.specificity)],
    ['NPV', num(m.npv)],
    ['ROC AUC', num(m.rocAuc)],
    ['PR AUC', num(m.prAuc)],
  ];
  return (
    <div className="md-metrics" data-testid="metric-stats">
      {items.map(([label, value, sub]) => (
        <div
          key={label}
          className="stat md-stat"
          data-testid={`metric-${label.toLowerCase().replace(/\s+/g, '-')}`}
        >
          <div className="value">{value}</div>
          <div className="label">{label}</div>
          {sub && <div className="md-sub">{sub}</div>}
        </div>
      ))}
    </div>
  );
}

export function ConfusionMatrix({ m }: { m: MetricSet }) {
  const c = m.confusion;
  return (
    <div className="md-confusion-wrap">
      <h3>Confusion matrix</h3>
      <p className="muted md-note md-caption">
        At threshold <strong>{m.threshold.toFixed(3)}</strong>, {m.n.toLocaleString()} held-out wafers.
      </p>
      <table
        className="md-confusion"
        data-testid="confusion-matrix"
        aria-label={`Confusion matrix at threshold ${m.threshold}`}
      >
        <thead>
          <tr>
            <th />
            <th scope="col">predicted faulty</th>
            <th scope="col">predicted good</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">actually faulty</th>
            <td className="md-hit">
              {c.tp} <small>TP</small>
            </td>
            <td className="md-miss">
              {c.fn} <small>FN</small>
            </td>
          </tr>
          <tr>
            <th scope="row">actually good</th>
            <td className="md-miss">
              {c.fp} <small>FP</small>
            </td>
            <td className="md-hit">
              {c.tn} <small>TN</small>
            </td>
          </tr>
        </tbody>
      </table>
      <p className="muted md-note">
        Predicted fail rate {pct(m.failRatePredicted)} vs actual {pct(m.failRateActual)}.
      </p>
    </div>
  );
}

export function GatesTable({ gates }: { gates: GateResult[] }) {
  if (gates.length === 0) return <p className="muted">No quality gates were set for this run.</p>;
  return (
    <table className="table" data-testid="gates-table">
      <thead>
        <tr>
          <th>Gate</th>
          <th className="right">Value</th>
          <th className="right">Threshold</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {gates.map((g) => (
          <tr key={g.name} data-testid="gate-row" data-passed={g.passed}>
            <td>{g.name || metricLabel(g.metric)}</td>
            <td className="right mono">{num(g.value)}</td>
            <td className="right mono">≥ {num(g.threshold)}</td>
            <td>
              <span className={`badge ${g.passed ? 'pass' : 'fail'}`}>{g.passed ? 'pass' : 'fail'}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
