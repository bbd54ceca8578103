/**
 * A small React wrapper over Plotly: loads the library on first use (it is ~4.8 MB, so the app shell
 * never waits for it), redraws with Plotly.react when data or layout change, follows the app theme
 * (colours come from the CSS variables, re-read when <html data-theme> flips) and purges on unmount.
 * Only SVG traces (scatter, bar) are used: the gl traces need eval, which the renderer's CSP forbids.
 */
import { useEffect, useRef, useState } from 'react';
import type { Datum, PlotlyStatic } from 'plotly.js-dist-min';

let plotlyPromise: Promise<PlotlyStatic> | null = null;
function loadPlotly(): Promise<PlotlyStatic> {
  plotlyPromise ??= import('plotly.js-dist-min').then((m) => m.default);
  return plotlyPromise;
}

export interface ChartTheme {
  text: string;
  muted: string;
  border: string;
  panel: string;
  accent: string;
  good: string;
  bad: string;
  warn: string;
}

export function readTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b2430'),
    muted: v('--muted', '#5d6b7a'),
    border: v('--border', '#d9e0e7'),
    panel: v('--panel', '#ffffff'),
    accent: v('--accent', '#1769aa'),
    good: v('--good', '#1d7d4f'),
    bad: v('--bad', '#c0392b'),
    warn: v('--warn', '#a86400'),
  };
}

/** Re-renders when the app switches between light and dark themes. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((n) => n + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return version;
}

export interface PlotlyChartProps {
  /** Builds traces from the current theme, so colours always match it. */
  data: (theme: ChartTheme) => Datum[];
  layout?: (theme: ChartTheme) => Datum;
  height?: number;
  /** Called with the clicked point's x value (scatter / bar). */
  onPointClick?: (x: unknown, curveNumber: number) => void;
  ariaLabel: string;
  testId?: string;
}

export function PlotlyChart({
  data,
  layout,
  height = 300,
  onPointClick,
  ariaLabel,
  testId,
}: PlotlyChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const themeVersion = useThemeVersion();
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;

  useEffect(() => {
    let alive = true;
    const el = ref.current;
    if (!el) return;
    loadPlotly().then(
      async (Plotly) => {
        if (!alive) return;
        const theme = readTheme();
        const base: Datum = {
          height,
          autosize: true,
          margin: { l: 56, r: 18, t: 18, b: 46 },
          paper_bgcolor: 'rgba(0,0,0,0)',
          plot_bgcolor: 'rgba(0,0,0,0)',
          font: { family: 'Inter, Segoe UI, system-ui, sans-serif', size: 12, color: theme.text },
          hoverlabel: { bgcolor: theme.panel, bordercolor: theme.border, font: { color: theme.text } },
          legend: { orientation: 'h', y: -0.22, font: { color: theme.muted } },
          showlegend: false,
        };
        const own = layout?.(theme) ?? {};
        const axis = (extra: unknown): Datum => ({
          gridcolor: theme.border,
          zerolinecolor: theme.border,
          linecolor: theme.border,
          tickfont: { color: theme.muted },
          title: { font: { color: theme.muted, size: 12 } },
          ...(extra as Datum | undefined),
        });
        const merged: Datum = { ...base, ...own, xaxis: axis(own.xaxis), yaxis: axis(own.yaxis) };
        await Plotly.react(el, data(theme), merged, {
          displaylogo: false,
          responsive: true,
          displayModeBar: 'hover',
        });
        if (!alive) return;
        setError(null);
        // Plotly attaches its event API to the element itself; re-binding replaces the previous handler.
        const plotEl = el as HTMLDivElement & {
          removeAllListeners?: (name: string) => void;
          on?: (name: string, fn: (ev: { points: { x: unknown; curveNumber: number }[] }) => void) => void;
        };
        plotEl.removeAllListeners?.('plotly_click');
        plotEl.on?.('plotly_click', (ev) => {
          const p = ev.points[0];
          if (p) clickRef.current?.(p.x, p.curveNumber);
        });
      },
      (e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [data, layout, height, themeVersion]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el && plotlyPromise) void plotlyPromise.then((Plotly) => Plotly.purge(el));
    };
  }, []);

  return (
    <div className="ch-chart" role="img" aria-label={ariaLabel} data-testid={testId}>
      {error && <div className="callout error">The chart could not be drawn: {error}</div>}
      <div ref={ref} style={{ minHeight: height }} />
    </div>
  );
}
