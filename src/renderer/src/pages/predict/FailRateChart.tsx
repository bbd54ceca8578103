/** The fail rate over time: wafers predicted per bucket (bars) and the share predicted faulty (line). */
import { useCallback } from 'react';
import { PlotlyChart, type ChartTheme } from '../../charts/PlotlyChart';

export interface FailRatePoint {
  bucket: string;
  rows: number;
  faulty: number;
  unfamiliar: number;
}

export function FailRateChart({ points, height = 240 }: { points: FailRatePoint[]; height?: number }) {
  const data = useCallback(
    (t: ChartTheme) => {
      const x = points.map((p) => p.bucket);
      return [
        {
          type: 'bar',
          name: 'wafers predicted',
          x,
          y: points.map((p) => p.rows),
          yaxis: 'y2',
          marker: { color: t.border },
          hovertemplate: '%{x}<br>%{y:,} wafers<extra></extra>',
        },
        {
          type: 'scatter',
          mode: 'lines+markers',
          name: 'fail rate',
          x,
          y: points.map((p) => (p.rows > 0 ? (p.faulty / p.rows) * 100 : null)),
          customdata: points.map((p) => [p.faulty, p.rows]),
          line: { color: t.bad, width: 2 },
          marker: { color: t.bad, size: 6 },
          hovertemplate:
            '%{x}<br>fail rate %{y:.1f}%<br>%{customdata[0]:,} of %{customdata[1]:,} faulty<extra></extra>',
        },
        {
          type: 'scatter',
          mode: 'lines',
          name: 'unfamiliar regime',
          x,
          y: points.map((p) => (p.rows > 0 ? (p.unfamiliar / p.rows) * 100 : null)),
          line: { color: t.warn, width: 1.5, dash: 'dot' },
          hovertemplate: '%{x}<br>unfamiliar %{y:.1f}%<extra></extra>',
        },
      ];
    },
    [points],
  );
  const layout = useCallback(
    (t: ChartTheme) => ({
      showlegend: true,
      legend: { orientation: 'h', x: 0, y: 1.14, font: { color: t.muted } },
      margin: { l: 52, r: 56, t: 24, b: 40 },
      bargap: 0.35,
      hovermode: 'x unified',
      xaxis: {
        type: points.length > 0 && /^\d{4}-\d{2}-\d{2}/.test(points[0]!.bucket) ? 'date' : 'category',
      },
      yaxis: { title: { text: '% of wafers' }, rangemode: 'tozero', ticksuffix: '%' },
      yaxis2: {
        overlaying: 'y',
        side: 'right',
        rangemode: 'tozero',
        showgrid: false,
        tickfont: { color: t.muted },
        title: { text: 'wafers', font: { color: t.muted, size: 12 } },
      },
    }),
    [points],
  );
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={height}
      ariaLabel={`Fail rate over time, ${points.length} buckets`}
      testId="fail-rate-chart"
    />
  );
}
