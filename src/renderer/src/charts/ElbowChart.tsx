/**
 * The k-means elbow: within-cluster sum of squares against k, the detected knee drawn as a distinct
 * marker with an annotation, and the k in use highlighted. Clicking a point picks that k.
 */
import { useCallback } from 'react';
import type { ElbowAnalysis } from '../../../shared/contract/training';
import { PlotlyChart, type ChartTheme } from './PlotlyChart';

export function ElbowChart({
  elbow,
  selectedK,
  onPick,
  height = 300,
}: {
  elbow: ElbowAnalysis;
  selectedK?: number | null;
  onPick?: (k: number) => void;
  height?: number;
}) {
  const chosen = selectedK ?? elbow.k;
  const data = useCallback(
    (t: ChartTheme) => {
      const traces: Record<string, unknown>[] = [
        {
          type: 'scatter',
          mode: 'lines+markers',
          name: 'WCSS',
          x: elbow.ks,
          y: elbow.wcss,
          line: { color: t.accent, width: 2 },
          marker: { size: 8, color: t.accent },
          hovertemplate: 'k = %{x}<br>WCSS = %{y:.4g}<extra></extra>',
        },
      ];
      const kneeIdx = elbow.knee === null ? -1 : elbow.ks.indexOf(elbow.knee);
      if (kneeIdx >= 0) {
        traces.push({
          type: 'scatter',
          mode: 'markers',
          name: 'knee',
          x: [elbow.knee],
          y: [elbow.wcss[kneeIdx]],
          marker: { size: 16, symbol: 'diamond', color: t.bad, line: { color: t.panel, width: 2 } },
          hovertemplate: 'knee k = %{x}<extra></extra>',
        });
      }
      const chosenIdx = elbow.ks.indexOf(chosen);
      if (chosenIdx >= 0 && chosen !== elbow.knee) {
        traces.push({
          type: 'scatter',
          mode: 'markers',
          name: 'chosen',
          x: [chosen],
          y: [elbow.wcss[chosenIdx]],
          marker: { size: 16, symbol: 'circle-open', color: t.good, line: { color: t.good, width: 3 } },
          hovertemplate: 'chosen k = %{x}<extra></extra>',
        });
      }
      return traces;
    },
    [elbow, chosen],
  );
  const layout = useCallback(
    (t: ChartTheme) => {
      const kneeIdx = elbow.knee === null ? -1 : elbow.ks.indexOf(elbow.knee);
      return {
        xaxis: { title: { text: 'clusters k' }, dtick: 1 },
        yaxis: { title: { text: height < 260 ? 'WCSS' : 'within-cluster sum of squares' } },
        annotations:
          kneeIdx >= 0
            ? [
                {
                  x: elbow.knee,
                  y: elbow.wcss[kneeIdx],
                  text: `knee k = ${elbow.knee}`,
                  showarrow: true,
                  arrowhead: 2,
                  arrowcolor: t.bad,
                  ax: 40,
                  ay: -36,
                  font: { color: t.bad, size: 12 },
                  bgcolor: t.panel,
                  bordercolor: t.bad,
                  borderpad: 3,
                },
              ]
            : [],
        hovermode: 'closest',
      };
    },
    [elbow, height],
  );
  const onPointClick = useCallback(
    (x: unknown) => {
      if (typeof x === 'number' && onPick) onPick(x);
    },
    [onPick],
  );
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={height}
      onPointClick={onPick ? onPointClick : undefined}
      ariaLabel={`Elbow chart: WCSS for k ${elbow.ks[0]} to ${elbow.ks[elbow.ks.length - 1]}${elbow.knee !== null ? `, knee at k = ${elbow.knee}` : ', no knee found'}`}
      testId="elbow-chart"
    />
  );
}
