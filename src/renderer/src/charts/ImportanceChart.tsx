/** Feature importance (gain), the top features as a horizontal bar chart, largest at the top. */
import { useCallback } from 'react';
import { PlotlyChart, type ChartTheme } from './PlotlyChart';

export function ImportanceChart({
  items,
  top = 15,
}: {
  items: { feature: string; gain: number }[];
  top?: number;
}) {
  const shown = [...items].sort((a, b) => b.gain - a.gain).slice(0, top);
  const key = JSON.stringify(shown);
  const data = useCallback(
    (t: ChartTheme) => {
      const rows = (JSON.parse(key) as typeof shown).reverse();
      return [
        {
          type: 'bar',
          orientation: 'h',
          x: rows.map((r) => r.gain),
          y: rows.map((r) => r.feature),
          marker: { color: t.accent },
          hovertemplate: '%{y}: %{x:.4g}<extra></extra>',
        },
      ];
    },
    [key],
  );
  const layout = useCallback(
    () => ({
      margin: { l: 110, r: 18, t: 10, b: 40 },
      xaxis: { title: { text: 'share of gain' } },
      yaxis: { automargin: true, type: 'category' },
    }),
    [],
  );
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={Math.max(200, 22 * shown.length + 60)}
      ariaLabel={`Feature importance, top ${shown.length}: ${shown
        .slice(0, 5)
        .map((r) => r.feature)
        .join(', ')}`}
      testId="importance-chart"
    />
  );
}
