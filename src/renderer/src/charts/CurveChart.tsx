/** ROC and precision-recall curves from a MetricSet, with the operating threshold marked. */
import { useCallback } from 'react';
import type { MetricSet } from '../../../shared/contract/training';
import { PlotlyChart, type ChartTheme } from './PlotlyChart';

export function CurveChart({
  metrics,
  kind,
  height = 280,
}: {
  metrics: MetricSet;
  kind: 'roc' | 'pr';
  height?: number;
}) {
  const data = useCallback(
    (t: ChartTheme) => {
      const curve = kind === 'roc' ? metrics.rocCurve : metrics.prCurve;
      const c = metrics.confusion;
      // The operating point at the chosen threshold, from the confusion matrix so it is exact.
      const tpr = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
      const fpr = c.fp + c.tn > 0 ? c.fp / (c.fp + c.tn) : 0;
      const prec = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 1;
      const point = kind === 'roc' ? { x: fpr, y: tpr } : { x: tpr, y: prec };
      const traces: Record<string, unknown>[] = [
        {
          type: 'scatter',
          mode: 'lines',
          x: curve.map((p) => p.x),
          y: curve.map((p) => p.y),
          customdata: curve.map((p) => p.threshold),
          line: { color: t.accent, width: 2, shape: kind === 'roc' ? 'linear' : 'hv' },
          fill: kind === 'roc' ? 'tozeroy' : undefined,
          fillcolor: kind === 'roc' ? 'rgba(74,163,236,0.10)' : undefined,
          hovertemplate:
            (kind === 'roc' ? 'FPR %{x:.3f}<br>TPR %{y:.3f}' : 'recall %{x:.3f}<br>precision %{y:.3f}') +
            '<br>threshold %{customdata:.3f}<extra></extra>',
        },
        {
          type: 'scatter',
          mode: 'markers',
          x: [point.x],
          y: [point.y],
          marker: { size: 11, color: t.bad, symbol: 'x' },
          hovertemplate: `threshold ${metrics.threshold.toFixed(3)}<extra></extra>`,
        },
      ];
      if (kind === 'roc') {
        traces.unshift({
          type: 'scatter',
          mode: 'lines',
          x: [0, 1],
          y: [0, 1],
          line: { color: t.muted, dash: 'dot', width: 1 },
          hoverinfo: 'skip',
        });
      } else {
        traces.unshift({
          type: 'scatter',
          mode: 'lines',
          x: [0, 1],
          y: [metrics.failRateActual, metrics.failRateActual],
          line: { color: t.muted, dash: 'dot', width: 1 },
          hoverinfo: 'skip',
        });
      }
      return traces;
    },
    [metrics, kind],
  );
  const layout = useCallback(
    () => ({
      xaxis: { title: { text: kind === 'roc' ? 'false positive rate' : 'recall' }, range: [0, 1.02] },
      yaxis: { title: { text: kind === 'roc' ? 'true positive rate' : 'precision' }, range: [0, 1.05] },
      hovermode: 'closest',
    }),
    [kind],
  );
  const auc = kind === 'roc' ? metrics.rocAuc : metrics.prAuc;
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={height}
      ariaLabel={`${kind === 'roc' ? 'ROC' : 'Precision-recall'} curve${auc !== null ? `, area ${auc.toFixed(3)}` : ''}`}
      testId={`${kind}-chart`}
    />
  );
}
