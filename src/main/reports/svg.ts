/**
 * Draws a chart scene (charts.ts) as inline SVG markup for the HTML report: static, no scripts, no
 * external references, every text escaped. Scales with its container through the viewBox.
 */
import type { Chart, Prim } from './charts';
import { escapeHtml } from './html-escape';

const n = (v: number): string => String(Math.round(v * 100) / 100);

function prim(p: Prim): string {
  switch (p.t) {
    case 'rect':
      return `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(Math.max(0, p.w))}" height="${n(Math.max(0, p.h))}" fill="${p.fill}"/>`;
    case 'line':
      return `<line x1="${n(p.x1)}" y1="${n(p.y1)}" x2="${n(p.x2)}" y2="${n(p.y2)}" stroke="${p.stroke}" stroke-width="${n(p.width)}"${
        p.dash ? ` stroke-dasharray="${p.dash.join(' ')}"` : ''
      }/>`;
    case 'poly':
      return `<polyline points="${p.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${p.stroke}" stroke-width="${n(p.width)}" stroke-linejoin="round"/>`;
    case 'circle':
      return `<circle cx="${n(p.cx)}" cy="${n(p.cy)}" r="${n(p.r)}" fill="${p.fill}"${p.stroke ? ` stroke="${p.stroke}" stroke-width="1.5"` : ''}/>`;
    case 'text': {
      const anchor = p.anchor === 'start' ? '' : ` text-anchor="${p.anchor}"`;
      const weight = p.bold ? ' font-weight="bold"' : '';
      const rotate = p.vertical ? ` transform="rotate(-90 ${n(p.x)} ${n(p.y)})"` : '';
      return `<text x="${n(p.x)}" y="${n(p.y)}" font-size="${n(p.size)}" fill="${p.fill}"${anchor}${weight}${rotate}>${escapeHtml(p.text)}</text>`;
    }
  }
}

export function chartToSvg(chart: Chart): string {
  const id = escapeHtml(chart.id);
  return [
    `<svg class="chart" viewBox="0 0 ${chart.width} ${chart.height}" width="${chart.width}" height="${chart.height}" role="img" aria-labelledby="${id}-t ${id}-d" font-family="Helvetica, Arial, sans-serif">`,
    `<title id="${id}-t">${escapeHtml(chart.title)}</title>`,
    `<desc id="${id}-d">${escapeHtml(chart.description)}</desc>`,
    ...chart.prims.map(prim),
    '</svg>',
  ].join('\n');
}
