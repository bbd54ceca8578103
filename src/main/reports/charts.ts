/**
 * Chart geometry for the reports, computed once and drawn twice: each chart is a small scene of
 * primitives (rects, lines, polylines, circles, text with a baseline and an anchor) in its own
 * coordinate space, which svg.ts turns into inline SVG for the HTML report and pdf-chart.ts draws with
 * pdfkit's vector primitives. Hand-written because the reports are static, offline and reproducible:
 * no plotting library, no browser, no scripts; only bars, lines, axes and labels.
 */
import type { BatchReportData } from '../../shared/contract/predict';
import type { MetricSet } from '../../shared/contract/training';
import { fmtInt, fmtPct, fmtProb } from './format';

export const COLORS = {
  faulty: '#c2410c',
  good: '#94a3b8',
  accent: '#1d4ed8',
  axis: '#475569',
  grid: '#e2e8f0',
  text: '#0f172a',
  muted: '#64748b',
  threshold: '#111827',
  unfamiliar: '#a16207',
} as const;

export type Anchor = 'start' | 'middle' | 'end';

export type Prim =
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | {
      t: 'line';
      x1: number;
      y1: number;
      x2: number;
      y2: number;
      stroke: string;
      width: number;
      dash?: [number, number];
    }
  | { t: 'poly'; points: [number, number][]; stroke: string; width: number }
  | { t: 'circle'; cx: number; cy: number; r: number; fill: string; stroke?: string }
  | {
      t: 'text';
      x: number;
      /** Baseline. */
      y: number;
      text: string;
      size: number;
      anchor: Anchor;
      fill: string;
      bold?: boolean;
      /** Rotated -90 degrees around (x, y), reading upwards (a y-axis title). */
      vertical?: boolean;
    };

export interface Chart {
  id: string;
  title: string;
  /** One sentence for screen readers and the alt text. */
  description: string;
  width: number;
  height: number;
  prims: Prim[];
}

/** Every chart is laid out in this width; the SVG scales with its container, the PDF scales to fit. */
export const CHART_WIDTH = 500;

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Approximate Helvetica advance widths (per 1000 em), enough to fit labels without a font engine. */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) {
    if (/[0-9]/.test(ch)) w += 556;
    else if (/[ijlI.,:;'|!]/.test(ch)) w += 250;
    else if (/[ frt()\-[\]]/.test(ch)) w += 320;
    else if (/[mwMW]/.test(ch)) w += 850;
    else if (/[A-Z]/.test(ch)) w += 680;
    else w += 540;
  }
  return (w / 1000) * size;
}

/** Cut text to fit a width, ending with an ellipsis when cut. */
export function fitText(text: string, size: number, maxWidth: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(chars.slice(0, mid).join('') + '…', size) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + '…';
}

/** Round axis ticks from 0 to at least max: 1, 2, 2.5 or 5 times a power of ten. */
export function niceTicks(max: number, target = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const raw = max / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const stepInt = max >= 1 && step < 1 ? 1 : step;
  const ticks: number[] = [];
  for (let v = 0; v < max + stepInt * 0.999; v += stepInt) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function tickLabel(v: number): string {
  if (Number.isInteger(v)) return fmtInt(v);
  return String(Number(v.toPrecision(3)));
}

export type TextPrim = Extract<Prim, { t: 'text' }>;

function text(
  x: number,
  y: number,
  s: string,
  size: number,
  anchor: Anchor = 'start',
  extra: Partial<Pick<TextPrim, 'fill' | 'bold' | 'vertical'>> = {},
): TextPrim {
  return { t: 'text', x, y, text: s, size, anchor, fill: COLORS.text, ...extra };
}

function legend(prims: Prim[], x: number, y: number, items: { label: string; color: string }[]): void {
  let cx = x;
  for (const item of items) {
    prims.push({ t: 'rect', x: cx, y: y - 8, w: 10, h: 10, fill: item.color });
    prims.push(text(cx + 14, y, item.label, 10, 'start', { fill: COLORS.muted }));
    cx += 14 + textWidth(item.label, 9) + 16;
  }
}

interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function emptyChart(id: string, title: string, message: string): Chart {
  return {
    id,
    title,
    description: message,
    width: CHART_WIDTH,
    height: 120,
    prims: [
      { t: 'rect', x: 0.5, y: 0.5, w: CHART_WIDTH - 1, h: 119, fill: '#f8fafc' },
      text(CHART_WIDTH / 2, 64, message, 11, 'middle', { fill: COLORS.muted }),
    ],
  };
}

/** Horizontal grid lines and left-axis labels for a count scale. */
/** The left and bottom axis lines of a chart frame. */
function axisLines(prims: Prim[], f: Frame): void {
  prims.push({ t: 'line', x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, stroke: COLORS.axis, width: 1 });
  prims.push({ t: 'line', x1: f.left, y1: f.bottom, x2: f.right, y2: f.bottom, stroke: COLORS.axis, width: 1 });
}

function yAxis(prims: Prim[], f: Frame, ticks: number[], scale: (v: number) => number, title: string): void {
  for (const v of ticks) {
    const y = scale(v);
    prims.push({ t: 'line', x1: f.left, y1: y, x2: f.right, y2: y, stroke: COLORS.grid, width: 0.75 });
    prims.push(text(f.left - 6, y + 3, tickLabel(v), 9, 'end', { fill: COLORS.muted }));
  }
  axisLines(prims, f);
  const mid = (f.top + f.bottom) / 2;
  prims.push(text(12, mid, title, 10, 'middle', { fill: COLORS.muted, vertical: true }));
}

// ---------------------------------------------------------------------------------------------------------
// Charts

/**
 * Probability histogram, faulty and good stacked, with the decision threshold. When one bin dwarfs the
 * rest (usual: most wafers are clearly good) the count axis is square-root, and says so.
 */
export function probabilityHistogram(data: BatchReportData): Chart {
  const id = 'chart-probability';
  const title = 'Probability of faulty';
  const bins = data.histogram;
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (bins.length === 0 || total === 0) return emptyChart(id, title, 'No predictions in this batch.');
  const height = 250;
  const f: Frame = { left: 52, top: 34, right: CHART_WIDTH - 14, bottom: height - 40 };
  const prims: Prim[] = [];
  const maxCount = Math.max(...bins.map((b) => b.count));
  const nonZero = bins
    .map((b) => b.count)
    .filter((c) => c > 0)
    .sort((a, b) => a - b);
  const median = nonZero[Math.floor(nonZero.length / 2)] ?? 1;
  const sqrt = maxCount / Math.max(1, median) > 20;
  const ticks = sqrt ? sqrtTicks(maxCount) : niceTicks(maxCount);
  const top = ticks[ticks.length - 1]!;
  const tf = (v: number) => (sqrt ? Math.sqrt(v) : v);
  const sy = (v: number) => f.bottom - (tf(v) / tf(top)) * (f.bottom - f.top);
  const x0 = Math.min(...bins.map((b) => b.from));
  const x1 = Math.max(...bins.map((b) => b.to));
  const sx = (v: number) => f.left + ((v - x0) / (x1 - x0 || 1)) * (f.right - f.left);

  yAxis(prims, f, ticks, sy, sqrt ? 'Wafers (square-root scale)' : 'Wafers');
  for (const b of bins) {
    if (b.count <= 0) continue;
    const bx = sx(b.from) + 1;
    const bw = Math.max(1, sx(b.to) - sx(b.from) - 2);
    const yTop = sy(b.count);
    const hTotal = f.bottom - yTop;
    const hFaulty = hTotal * (Math.min(b.faulty, b.count) / b.count);
    if (hTotal - hFaulty > 0)
      prims.push({ t: 'rect', x: bx, y: yTop, w: bw, h: hTotal - hFaulty, fill: COLORS.good });
    if (hFaulty > 0)
      prims.push({ t: 'rect', x: bx, y: f.bottom - hFaulty, w: bw, h: hFaulty, fill: COLORS.faulty });
  }
  for (let v = 0; v <= 1.0001; v += 0.2) {
    const x = sx(v);
    prims.push({ t: 'line', x1: x, y1: f.bottom, x2: x, y2: f.bottom + 4, stroke: COLORS.axis, width: 1 });
    prims.push(text(x, f.bottom + 14, v.toFixed(1), 9, 'middle', { fill: COLORS.muted }));
  }
  prims.push(
    text((f.left + f.right) / 2, height - 8, 'Predicted probability of faulty', 10, 'middle', {
      fill: COLORS.muted,
    }),
  );
  const t = data.batch.threshold;
  if (Number.isFinite(t) && t >= x0 && t <= x1) {
    const x = sx(t);
    prims.push({
      t: 'line',
      x1: x,
      y1: f.top - 6,
      x2: x,
      y2: f.bottom,
      stroke: COLORS.threshold,
      width: 1.25,
      dash: [4, 3],
    });
    const label = `threshold ${fmtProb(t)}`;
    const anchor: Anchor = x > f.right - textWidth(label, 9) - 4 ? 'end' : 'start';
    prims.push(text(anchor === 'end' ? x - 4 : x + 4, f.top - 2, label, 9, anchor, { bold: true }));
  }
  legend(prims, f.left, 14, [
    { label: 'good', color: COLORS.good },
    { label: 'faulty', color: COLORS.faulty },
  ]);
  const faulty = bins.reduce((s, b) => s + b.faulty, 0);
  return {
    id,
    title,
    description: `Histogram of ${fmtInt(total)} predicted probabilities in ${bins.length} bins; ${fmtInt(faulty)} at or above the threshold ${fmtProb(t)} are faulty.`,
    width: CHART_WIDTH,
    height,
    prims,
  };
}

function sqrtTicks(max: number): number[] {
  // Ticks that read naturally on a square-root axis: 0, then squares of nice roots.
  return niceTicks(Math.sqrt(max), 4).map((r) => r * r);
}

/** Rows per regime, faulty and good stacked, each bar's fail rate on top. */
export function regimeChart(data: BatchReportData): Chart {
  const id = 'chart-regimes';
  const title = 'Faulty by regime';
  const groups = [...data.byCluster].sort((a, b) => a.cluster - b.cluster);
  if (groups.length === 0) return emptyChart(id, title, 'No regimes: the batch has no predictions.');
  const height = 230;
  const f: Frame = { left: 52, top: 34, right: CHART_WIDTH - 14, bottom: height - 40 };
  const prims: Prim[] = [];
  const ticks = niceTicks(Math.max(...groups.map((g) => g.rows)));
  const top = ticks[ticks.length - 1]!;
  const sy = (v: number) => f.bottom - (v / top) * (f.bottom - f.top);
  yAxis(prims, f, ticks, sy, 'Wafers');
  const band = (f.right - f.left) / groups.length;
  const bw = Math.min(44, band * 0.7);
  const labelSize = band < 22 ? 7 : 9;
  groups.forEach((g, i) => {
    const cx = f.left + band * (i + 0.5);
    const good = Math.max(0, g.rows - g.faulty);
    const yFaulty = sy(g.faulty);
    if (good > 0)
      prims.push({
        t: 'rect',
        x: cx - bw / 2,
        y: sy(g.rows),
        w: bw,
        h: yFaulty - sy(g.rows),
        fill: COLORS.good,
      });
    if (g.faulty > 0)
      prims.push({
        t: 'rect',
        x: cx - bw / 2,
        y: yFaulty,
        w: bw,
        h: f.bottom - yFaulty,
        fill: COLORS.faulty,
      });
    const name = band >= 48 ? `Regime ${g.cluster}` : String(g.cluster);
    prims.push(text(cx, f.bottom + 13, name, labelSize, 'middle', { fill: COLORS.muted }));
    if (band >= 26 && g.rows > 0) {
      prims.push(
        text(cx, sy(g.rows) - 4, fmtPct(g.faulty / g.rows, band >= 40 ? 1 : 0), labelSize, 'middle', {
          bold: true,
        }),
      );
    }
  });
  prims.push(
    text(
      (f.left + f.right) / 2,
      height - 8,
      band >= 48 ? 'Operating regime (k-means cluster)' : 'Regime',
      10,
      'middle',
      { fill: COLORS.muted },
    ),
  );
  legend(prims, f.left, 14, [
    { label: 'good', color: COLORS.good },
    { label: 'faulty', color: COLORS.faulty },
  ]);
  return {
    id,
    title,
    description: groups.map((g) => `regime ${g.cluster}: ${g.faulty} of ${g.rows} faulty`).join('; '),
    width: CHART_WIDTH,
    height,
    prims,
  };
}

/** Files with the most faulty wafers, as horizontal stacked bars (at most `limit` files). */
export function fileChart(data: BatchReportData, limit = 15): Chart {
  const id = 'chart-files';
  const title = 'Faulty per file';
  const all = [...data.byFile].sort(
    (a, b) => b.faulty - a.faulty || b.rows - a.rows || a.fileName.localeCompare(b.fileName),
  );
  if (all.length === 0) return emptyChart(id, title, 'No file produced predictions.');
  const files = all.slice(0, limit);
  const rowH = 18;
  const top = 34;
  const height = top + files.length * rowH + (all.length > files.length ? 44 : 30);
  const labelW = 170;
  const f: Frame = { left: labelW + 10, top, right: CHART_WIDTH - 64, bottom: top + files.length * rowH };
  const prims: Prim[] = [];
  const ticks = niceTicks(Math.max(...files.map((g) => g.rows)), 4);
  const maxV = ticks[ticks.length - 1]!;
  const sx = (v: number) => f.left + (v / maxV) * (f.right - f.left);
  for (const v of ticks) {
    const x = sx(v);
    prims.push({ t: 'line', x1: x, y1: f.top, x2: x, y2: f.bottom, stroke: COLORS.grid, width: 0.75 });
    prims.push(text(x, f.bottom + 12, tickLabel(v), 9, 'middle', { fill: COLORS.muted }));
  }
  prims.push({ t: 'line', x1: f.left, y1: f.top, x2: f.left, y2: f.bottom, stroke: COLORS.axis, width: 1 });
  files.forEach((g, i) => {
    const y = f.top + i * rowH + 3;
    const h = rowH - 6;
    const good = Math.max(0, g.rows - g.faulty);
    if (g.faulty > 0)
      prims.push({ t: 'rect', x: f.left, y, w: sx(g.faulty) - f.left, h, fill: COLORS.faulty });
    if (good > 0)
      prims.push({ t: 'rect', x: sx(g.faulty), y, w: sx(g.rows) - sx(g.faulty), h, fill: COLORS.good });
    prims.push(text(f.left - 6, y + h - 3, fitText(g.fileName, 9, labelW - 4), 9, 'end'));
    prims.push(
      text(sx(g.rows) + 4, y + h - 3, `${fmtInt(g.faulty)} / ${fmtInt(g.rows)}`, 9, 'start', {
        fill: COLORS.muted,
      }),
    );
  });
  legend(prims, f.left, 14, [
    { label: 'faulty', color: COLORS.faulty },
    { label: 'good', color: COLORS.good },
  ]);
  if (all.length > files.length) {
    prims.push(
      text(
        f.left,
        height - 8,
        `The ${files.length} files with the most faulty wafers, of ${fmtInt(all.length)}.`,
        9,
        'start',
        {
          fill: COLORS.muted,
        },
      ),
    );
  }
  return {
    id,
    title,
    description: files.map((g) => `${g.fileName}: ${g.faulty} of ${g.rows} faulty`).join('; '),
    width: CHART_WIDTH,
    height,
    prims,
  };
}

/** Thin a curve to at most n points, keeping both ends (ROC curves are monotone; nothing is lost). */
function thin<T>(points: T[], n: number): T[] {
  if (points.length <= n) return points;
  const step = (points.length - 1) / (n - 1);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

/** The model's held-out ROC curve with the chance diagonal and its operating point; null without a curve. */
export function rocChart(metrics: MetricSet | null, threshold: number): Chart | null {
  if (!metrics || metrics.rocCurve.length < 2) return null;
  const height = 280;
  const size = 220;
  const f: Frame = { left: 52, top: 22, right: 52 + size, bottom: 22 + size };
  const prims: Prim[] = [];
  const sx = (v: number) => f.left + v * size;
  const sy = (v: number) => f.bottom - v * size;
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    prims.push({
      t: 'line',
      x1: sx(v),
      y1: f.top,
      x2: sx(v),
      y2: f.bottom,
      stroke: COLORS.grid,
      width: 0.75,
    });
    prims.push({
      t: 'line',
      x1: f.left,
      y1: sy(v),
      x2: f.right,
      y2: sy(v),
      stroke: COLORS.grid,
      width: 0.75,
    });
    prims.push(text(sx(v), f.bottom + 13, v.toFixed(1), 9, 'middle', { fill: COLORS.muted }));
    prims.push(text(f.left - 6, sy(v) + 3, v.toFixed(1), 9, 'end', { fill: COLORS.muted }));
  }
  prims.push({
    t: 'line',
    x1: f.left,
    y1: f.bottom,
    x2: f.right,
    y2: f.top,
    stroke: COLORS.good,
    width: 1,
    dash: [3, 3],
  });
  axisLines(prims, f);
  const curve = [...metrics.rocCurve]
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  prims.push({
    t: 'poly',
    points: thin(curve, 400).map((p) => [sx(p.x), sy(p.y)] as [number, number]),
    stroke: COLORS.accent,
    width: 1.75,
  });
  prims.push(
    text((f.left + f.right) / 2, f.bottom + 28, 'False positive rate', 10, 'middle', { fill: COLORS.muted }),
  );
  prims.push(
    text(12, (f.top + f.bottom) / 2, 'True positive rate (recall)', 10, 'middle', {
      fill: COLORS.muted,
      vertical: true,
    }),
  );

  let op = curve[0]!;
  for (const p of curve) if (Math.abs(p.threshold - threshold) < Math.abs(op.threshold - threshold)) op = p;
  prims.push({ t: 'circle', cx: sx(op.x), cy: sy(op.y), r: 4, fill: COLORS.faulty, stroke: '#ffffff' });

  const ix = f.right + 24;
  prims.push(
    text(
      ix,
      f.top + 12,
      `ROC AUC ${metrics.rocAuc === null ? 'n/a' : metrics.rocAuc.toFixed(3)}`,
      12,
      'start',
      { bold: true },
    ),
  );
  prims.push(
    text(ix, f.top + 30, `held-out rows: ${fmtInt(metrics.n)}`, 10, 'start', { fill: COLORS.muted }),
  );
  prims.push({ t: 'circle', cx: ix + 4, cy: f.top + 55, r: 4, fill: COLORS.faulty, stroke: '#ffffff' });
  prims.push(text(ix + 14, f.top + 58, `operating point (threshold ${fmtProb(threshold)})`, 10, 'start'));
  prims.push(
    text(
      ix + 14,
      f.top + 72,
      `recall ${op.y.toFixed(3)}, false positive rate ${op.x.toFixed(3)}`,
      9,
      'start',
      { fill: COLORS.muted },
    ),
  );
  prims.push({
    t: 'line',
    x1: ix,
    y1: f.top + 92,
    x2: ix + 10,
    y2: f.top + 92,
    stroke: COLORS.accent,
    width: 1.75,
  });
  prims.push(text(ix + 14, f.top + 95, 'model', 10, 'start'));
  prims.push({
    t: 'line',
    x1: ix,
    y1: f.top + 110,
    x2: ix + 10,
    y2: f.top + 110,
    stroke: COLORS.good,
    width: 1,
    dash: [3, 3],
  });
  prims.push(text(ix + 14, f.top + 113, 'chance', 10, 'start'));
  return {
    id: 'chart-roc',
    title: 'Model ROC curve (held-out rows)',
    description: `ROC curve of model on held-out rows, AUC ${metrics.rocAuc === null ? 'n/a' : metrics.rocAuc.toFixed(3)}; at threshold ${fmtProb(threshold)} recall is ${op.y.toFixed(3)} at a false positive rate of ${op.x.toFixed(3)}.`,
    width: CHART_WIDTH,
    height,
    prims,
  };
}

/** Every chart of a report, in reading order. */
export function reportCharts(data: BatchReportData): Chart[] {
  const charts = [probabilityHistogram(data), regimeChart(data), fileChart(data)];
  const roc = rocChart(data.model.metrics, data.model.threshold);
  if (roc) charts.push(roc);
  return charts;
}
