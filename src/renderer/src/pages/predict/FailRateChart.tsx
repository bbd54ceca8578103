/**
 * The fail rate over time: wafers predicted per bucket (bars, right axis) and the share predicted faulty
 * and in an unfamiliar regime (lines, left axis, drawn above the bars). Buckets without predictions are
 * filled in, and a short history is padded back to a week (or a day of hours), so one busy day reads as
 * one bar among days rather than a bar filling the chart.
 */
import { useCallback, useMemo } from 'react';
import { PlotlyChart, type ChartTheme } from '../../charts/PlotlyChart';

export type Bucket = 'hour' | 'day' | 'week';

export interface FailRatePoint {
  bucket: string;
  rows: number;
  faulty: number;
  unfamiliar: number;
}

const STEP: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
const MIN_BUCKETS: Record<Bucket, number> = { hour: 24, day: 7, week: 8 };
const MAX_FILLED = 400;

/** The server's bucket keys are UTC: 'YYYY-MM-DDTHH:00:00Z' (hour) or 'YYYY-MM-DD' (day, week's Monday). */
function parse(key: string): number {
  return Date.parse(key.length === 10 ? `${key}T00:00:00Z` : key);
}

function keyOf(ms: number, bucket: Bucket): string {
  const iso = new Date(ms).toISOString();
  return bucket === 'hour' ? `${iso.slice(0, 13)}:00:00Z` : iso.slice(0, 10);
}

function labelOf(ms: number, bucket: Bucket): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  if (bucket === 'hour') return `${day} ${d.toISOString().slice(11, 16)}`;
  return bucket === 'week' ? `wk ${day}` : day;
}

/** Consecutive buckets from the first (or MIN back from the last) to the last, zeros where none. */
export function fillBuckets(points: FailRatePoint[], bucket: Bucket): (FailRatePoint & { label: string })[] {
  const times = points.map((p) => parse(p.bucket));
  if (points.length === 0 || times.some(Number.isNaN)) return points.map((p) => ({ ...p, label: p.bucket }));
  const step = STEP[bucket];
  const last = Math.max(...times);
  const first = Math.min(Math.min(...times), last - (MIN_BUCKETS[bucket] - 1) * step);
  if ((last - first) / step + 1 > MAX_FILLED)
    return points.map((p, i) => ({ ...p, label: labelOf(times[i]!, bucket) }));
  const byKey = new Map(points.map((p, i) => [keyOf(times[i]!, bucket), p]));
  const out: (FailRatePoint & { label: string })[] = [];
  for (let t = first; t <= last + step / 2; t += step) {
    const key = keyOf(t, bucket);
    const p = byKey.get(key);
    out.push({
      bucket: key,
      rows: p?.rows ?? 0,
      faulty: p?.faulty ?? 0,
      unfamiliar: p?.unfamiliar ?? 0,
      label: labelOf(t, bucket),
    });
  }
  return out;
}

export function FailRateChart({
  points,
  bucket,
  height = 230,
}: {
  points: FailRatePoint[];
  bucket: Bucket;
  height?: number;
}) {
  const filled = useMemo(() => fillBuckets(points, bucket), [points, bucket]);
  const data = useCallback(
    (t: ChartTheme) => {
      const x = filled.map((p) => p.label);
      const share = (n: (p: FailRatePoint) => number) =>
        filled.map((p) => (p.rows > 0 ? (n(p) / p.rows) * 100 : null));
      return [
        {
          type: 'bar',
          name: 'wafers predicted',
          x,
          y: filled.map((p) => p.rows),
          yaxis: 'y',
          marker: { color: t.border },
          hovertemplate: '%{y:,} wafers<extra></extra>',
        },
        {
          type: 'scatter',
          mode: 'lines+markers',
          name: 'fail rate',
          x,
          y: share((p) => p.faulty),
          yaxis: 'y2',
          customdata: filled.map((p) => [p.faulty, p.rows]),
          connectgaps: true,
          line: { color: t.bad, width: 2 },
          marker: { color: t.bad, size: 7 },
          hovertemplate: 'fail rate %{y:.1f}% (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>',
        },
        {
          type: 'scatter',
          mode: 'lines+markers',
          name: 'unfamiliar regime',
          x,
          y: share((p) => p.unfamiliar),
          yaxis: 'y2',
          connectgaps: true,
          line: { color: t.warn, width: 1.5, dash: 'dot' },
          marker: { color: t.warn, size: 5 },
          hovertemplate: 'unfamiliar %{y:.1f}%<extra></extra>',
        },
      ];
    },
    [filled],
  );
  const layout = useCallback(
    (t: ChartTheme) => ({
      showlegend: true,
      legend: { orientation: 'h', x: 0, y: 1.16, font: { color: t.muted } },
      margin: { l: 56, r: 56, t: 26, b: 44 },
      bargap: 0.45,
      hovermode: 'x unified',
      xaxis: { type: 'category', tickangle: 0, automargin: true },
      yaxis: {
        title: { text: 'wafers', font: { color: t.muted, size: 12 } },
        side: 'right',
        rangemode: 'tozero',
        showgrid: false,
      },
      yaxis2: {
        overlaying: 'y',
        side: 'left',
        rangemode: 'tozero',
        ticksuffix: '%',
        gridcolor: t.border,
        zerolinecolor: t.border,
        tickfont: { color: t.muted },
        title: { text: 'share of wafers', font: { color: t.muted, size: 12 } },
      },
    }),
    [],
  );
  return (
    <PlotlyChart
      data={data}
      layout={layout}
      height={height}
      ariaLabel={`Fail rate per ${bucket}, ${points.length} ${bucket}${points.length === 1 ? '' : 's'} with predictions`}
      testId="fail-rate-chart"
    />
  );
}
