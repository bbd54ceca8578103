/**
 * Draws a chart scene (charts.ts) on a pdfkit page as vector graphics: the same geometry the HTML
 * report's SVG shows, scaled to the space given. Built-in Helvetica only, all text through pdfSafe.
 */
import type { Chart } from './charts';
import { pdfSafe } from './pdf-text';

export function drawChart(
  doc: PDFKit.PDFDocument,
  chart: Chart,
  x: number,
  y: number,
  width: number,
): number {
  const s = width / chart.width;
  const X = (v: number) => x + v * s;
  const Y = (v: number) => y + v * s;
  doc.save();
  for (const p of chart.prims) {
    switch (p.t) {
      case 'rect':
        if (p.w > 0 && p.h > 0) doc.rect(X(p.x), Y(p.y), p.w * s, p.h * s).fill(p.fill);
        break;
      case 'line':
        doc.save();
        doc.lineWidth(p.width * s).strokeColor(p.stroke);
        if (p.dash) doc.dash(p.dash[0] * s, { space: p.dash[1] * s });
        doc.moveTo(X(p.x1), Y(p.y1)).lineTo(X(p.x2), Y(p.y2)).stroke();
        doc.restore();
        break;
      case 'poly': {
        if (p.points.length < 2) break;
        doc.save();
        doc
          .lineWidth(p.width * s)
          .strokeColor(p.stroke)
          .lineJoin('round')
          .lineCap('round');
        const [first, ...rest] = p.points;
        doc.moveTo(X(first![0]), Y(first![1]));
        for (const [px, py] of rest) doc.lineTo(X(px), Y(py));
        doc.stroke();
        doc.restore();
        break;
      }
      case 'circle':
        doc.save();
        doc.circle(X(p.cx), Y(p.cy), p.r * s);
        if (p.stroke) doc.lineWidth(1.5 * s).fillAndStroke(p.fill, p.stroke);
        else doc.fill(p.fill);
        doc.restore();
        break;
      case 'text': {
        const text = pdfSafe(p.text);
        doc
          .font(p.bold ? 'Helvetica-Bold' : 'Helvetica')
          .fontSize(p.size * s)
          .fillColor(p.fill);
        const w = doc.widthOfString(text);
        const dx = p.anchor === 'middle' ? -w / 2 : p.anchor === 'end' ? -w : 0;
        if (p.vertical) {
          doc.save();
          doc.rotate(-90, { origin: [X(p.x), Y(p.y)] });
          doc.text(text, X(p.x) + dx, Y(p.y), { baseline: 'alphabetic', lineBreak: false });
          doc.restore();
        } else {
          doc.text(text, X(p.x) + dx, Y(p.y), { baseline: 'alphabetic', lineBreak: false });
        }
        break;
      }
    }
  }
  doc.restore();
  return chart.height * s;
}
