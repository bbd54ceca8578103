/**
 * The batch report as a PDF with pdfkit: the same sections and charts as the HTML report, drawn as
 * vector graphics (pdf-chart.ts), tables that continue across pages with their header row repeated,
 * page numbers in the footer, bookmarks per section, and metadata whose dates come from
 * data.generatedAt so the same data gives the same bytes. Offline: pdfkit's built-in Helvetica only
 * (no font files), every string through pdfSafe. The layout (a cursor that moves down the page and
 * breaks pages itself) is hand-written because pdfkit's own flow would break pages mid-row.
 */
import { createWriteStream } from 'node:fs';
import { PREDICTION_SOURCE_LABEL, type BatchReportData } from '../../shared/contract/predict';
import { COLORS, fileChart, probabilityHistogram, regimeChart, rocChart, type Chart } from './charts';
import {
  APP_TITLE,
  cappedNote,
  driftSummary,
  faultyRows,
  fileStatusText,
  fmtEffect,
  fmtInt,
  fmtPct,
  fmtProb,
  fmtTime,
  fmtValue,
  gateComparison,
  maxRows,
  metricLines,
  modelFacts,
  outOfRange,
  reasonLocation,
  reportTitle,
  summarize,
  topTowardsFaulty,
  unfamiliarRows,
  type ReportOptions,
  type ReportRow,
} from './format';
import { drawChart } from './pdf-chart';
import { pdfSafe } from './pdf-text';

const PAGE = { width: 595.28, height: 841.89 }; // A4
const MARGIN = { top: 48, bottom: 54, left: 46, right: 46 };
const INK = COLORS.text;
const MUTED = COLORS.muted;
const LINE = '#e2e8f0';
const SOFT = '#f8fafc';
const MAX_REASONS = 50;

type Align = 'left' | 'right' | 'center';

/** One line of a table cell; a cell is one or more such lines. */
interface CellLine {
  text: string;
  color?: string;
  bold?: boolean;
  mono?: boolean;
  size?: number;
}
type Cell = string | CellLine[];

interface Column {
  header: string;
  width: number;
  align?: Align;
  mono?: boolean;
}

interface TableStyle {
  size: number;
  pad: number;
}

class PdfLayout {
  readonly left = MARGIN.left;
  readonly width = PAGE.width - MARGIN.left - MARGIN.right;
  readonly bottom = PAGE.height - MARGIN.bottom;
  y = MARGIN.top;

  constructor(readonly doc: PDFKit.PDFDocument) {}

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  /** Start a new page unless h points still fit on this one. */
  ensure(h: number): void {
    if (this.y + h > this.bottom) this.newPage();
  }

  font(bold: boolean, size: number, mono = false): this {
    this.doc
      .font(mono ? (bold ? 'Courier-Bold' : 'Courier') : bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(size);
    return this;
  }

  heightOf(text: string, width: number, size: number, bold = false, mono = false): number {
    this.font(bold, size, mono);
    return this.measure(pdfSafe(text), width);
  }

  /** Height of already-safe text in the current font; a line that fits skips pdfkit's line wrapper. */
  private measure(safe: string, width: number): number {
    if (safe.length > 0 && !safe.includes('\n') && this.doc.widthOfString(safe) <= width) {
      return this.doc.currentLineHeight(true) + 1;
    }
    return this.doc.heightOfString(safe, { width, lineGap: 1 });
  }

  /** Wrapped text at the cursor (the caller has made room, or it is short). */
  textAt(
    text: string,
    x: number,
    y: number,
    width: number,
    o: { size: number; color?: string; bold?: boolean; mono?: boolean; align?: Align },
  ): number {
    this.font(o.bold ?? false, o.size, o.mono ?? false);
    const safe = pdfSafe(text);
    this.doc.fillColor(o.color ?? INK).text(safe, x, y, { width, align: o.align ?? 'left', lineGap: 1 });
    return this.measure(safe, width);
  }

  paragraph(text: string, size = 9.5, color: string = INK): void {
    const h = this.heightOf(text, this.width, size);
    this.ensure(h);
    this.textAt(text, this.left, this.y, this.width, { size, color });
    this.y += h + 6;
  }

  note(text: string): void {
    this.paragraph(text, 8, MUTED);
  }

  /** A section title with a rule; keeps at least `keep` points of what follows on the same page. */
  section(title: string, keep = 120): void {
    this.y += this.y > MARGIN.top + 1 ? 14 : 0;
    this.ensure(30 + keep);
    this.doc.outline.addItem(pdfSafe(title));
    this.textAt(title, this.left, this.y, this.width, { size: 15, bold: true });
    this.y += 21;
    this.rule(1.5, INK);
    this.y += 10;
  }

  subheading(title: string, keep = 60): void {
    this.y += 6;
    this.ensure(18 + keep);
    this.textAt(title, this.left, this.y, this.width, { size: 11, bold: true });
    this.y += 17;
  }

  /** A chart at 420 points wide (its text stays at a readable size), centred, with its title. */
  chart(chart: Chart, title?: string): void {
    const w = Math.min(this.width, 420);
    const h = chart.height * (w / chart.width);
    this.ensure(h + (title ? 18 : 0));
    if (title) {
      this.textAt(title, this.left, this.y, this.width, { size: 10, bold: true });
      this.y += 15;
    }
    drawChart(this.doc, chart, this.left + (this.width - w) / 2, this.y, w);
    this.y += h + 8;
  }

  private cellLines(cell: Cell, col: Column): CellLine[] {
    return typeof cell === 'string' ? [{ text: cell, mono: col.mono }] : cell;
  }

  private cellHeight(cell: Cell, col: Column, style: TableStyle): number {
    const inner = col.width - 2 * style.pad;
    return this.cellLines(cell, col).reduce(
      (h, l) => h + this.heightOf(l.text, inner, l.size ?? style.size, l.bold ?? false, l.mono ?? false),
      0,
    );
  }

  private header(columns: Column[], style: TableStyle): void {
    const h = style.size + 2 * style.pad + 2;
    this.doc.rect(this.left, this.y, this.width, h).fill(SOFT);
    let x = this.left;
    for (const c of columns) {
      this.textAt(c.header.toUpperCase(), x + style.pad, this.y + style.pad + 1, c.width - 2 * style.pad, {
        size: style.size - 1.5,
        bold: true,
        color: MUTED,
        align: c.align,
      });
      x += c.width;
    }
    this.y += h;
    this.rule(0.75, '#cbd5e1');
  }

  /** A full-width horizontal rule at the current position. */
  private rule(width: number, color: string): void {
    this.doc.moveTo(this.left, this.y).lineTo(this.left + this.width, this.y).lineWidth(width).strokeColor(color).stroke();
  }

  /** A table that breaks between rows and repeats its header row on every page it reaches. */
  table(columns: Column[], rows: Cell[][], style: TableStyle = { size: 8, pad: 4 }): void {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const cols = columns.map((c) => ({ ...c, width: (c.width / total) * this.width }));
    const headerH = style.size + 2 * style.pad + 2;
    const firstH = rows.length
      ? Math.max(...cols.map((c, i) => this.cellHeight(rows[0]![i] ?? '', c, style))) + 2 * style.pad
      : 0;
    this.ensure(headerH + firstH);
    this.header(cols, style);
    rows.forEach((row, r) => {
      const h = Math.max(...cols.map((c, i) => this.cellHeight(row[i] ?? '', c, style))) + 2 * style.pad;
      if (this.y + h > this.bottom) {
        this.newPage();
        this.header(cols, style);
      }
      if (r % 2 === 1) this.doc.rect(this.left, this.y, this.width, h).fill('#fbfcfe');
      let x = this.left;
      cols.forEach((c, i) => {
        let ly = this.y + style.pad;
        for (const l of this.cellLines(row[i] ?? '', c)) {
          ly += this.textAt(l.text, x + style.pad, ly, c.width - 2 * style.pad, {
            size: l.size ?? style.size,
            color: l.color,
            bold: l.bold,
            mono: l.mono,
            align: c.align,
          });
        }
        x += c.width;
      });
      this.y += h;
      this.rule(0.5, LINE);
    });
    this.y += 6;
  }

  /** Summary tiles in one row. */
  tiles(items: { label: string; value: string; sub: string; tone?: 'faulty' | 'warn' }[]): void {
    const gap = 10;
    const w = (this.width - gap * (items.length - 1)) / items.length;
    const h = 66;
    this.ensure(h + 8);
    items.forEach((t, i) => {
      const x = this.left + i * (w + gap);
      const bg = t.tone === 'faulty' ? '#fff1e8' : t.tone === 'warn' ? '#fefce8' : SOFT;
      const border = t.tone === 'faulty' ? '#fed7aa' : t.tone === 'warn' ? '#fde68a' : LINE;
      const fg = t.tone === 'faulty' ? COLORS.faulty : t.tone === 'warn' ? COLORS.unfamiliar : INK;
      this.doc.roundedRect(x, this.y, w, h, 5).lineWidth(0.75).fillAndStroke(bg, border);
      this.textAt(t.label.toUpperCase(), x + 9, this.y + 8, w - 18, { size: 6.5, bold: true, color: MUTED });
      this.textAt(t.value, x + 9, this.y + 19, w - 18, { size: 17, bold: true, color: fg });
      this.textAt(t.sub, x + 9, this.y + 44, w - 18, { size: 7, color: MUTED });
    });
    this.y += h + 10;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sections

function masthead(l: PdfLayout, data: BatchReportData): void {
  const doc = l.doc;
  const b = data.batch;
  const h = 128;
  doc.rect(0, 0, PAGE.width, h).fill('#0f172a');
  l.textAt(APP_TITLE.toUpperCase(), l.left, 26, l.width, { size: 8, bold: true, color: '#93c5fd' });
  l.textAt(reportTitle(data), l.left, 38, l.width, { size: 20, bold: true, color: '#ffffff' });
  const meta: [string, string][] = [
    ['Batch', `#${b.id} (${b.status}, source: ${PREDICTION_SOURCE_LABEL[b.source]})`],
    ['Predicted', fmtTime(b.createdAt)],
    [
      'Model',
      `v${data.model.version}${data.model.stages.length ? ` (${data.model.stages.join(', ')})` : ''}`,
    ],
    ['Report generated', fmtTime(data.generatedAt)],
    ['App version', `${APP_TITLE} ${data.appVersion}`],
    ['Workspace', data.workspace],
  ];
  const colW = l.width / 3;
  meta.forEach(([k, v], i) => {
    const x = l.left + (i % 3) * colW;
    const y = 70 + Math.floor(i / 3) * 26;
    l.textAt(k.toUpperCase(), x, y, colW - 10, { size: 6.5, bold: true, color: '#94a3b8' });
    doc.font('Helvetica').fontSize(8.5).fillColor('#e2e8f0');
    doc.text(pdfSafe(v), x, y + 9, { width: colW - 10, lineBreak: false, ellipsis: true, height: 10 });
  });
  l.y = h + 8;
}

function summarySection(l: PdfLayout, data: BatchReportData): void {
  const s = summarize(data);
  const files = s.filesGood + s.filesQuarantined + s.filesDuplicate;
  l.section('Summary', 90);
  l.tiles([
    {
      label: 'Files good',
      value: `${fmtInt(s.filesGood)} / ${fmtInt(files)}`,
      sub: `${fmtInt(s.filesQuarantined)} quarantined${s.filesDuplicate ? `, ${fmtInt(s.filesDuplicate)} already imported` : ''}`,
      tone: s.filesQuarantined > 0 ? 'warn' : undefined,
    },
    { label: 'Wafers predicted', value: fmtInt(s.rows), sub: `from ${fmtInt(data.byFile.length)} files` },
    {
      label: 'Predicted faulty',
      value: fmtInt(s.faulty),
      sub: `fail rate ${fmtPct(s.failRate)}`,
      tone: s.faulty > 0 ? 'faulty' : undefined,
    },
    {
      label: 'Unfamiliar regime',
      value: fmtInt(s.unfamiliar),
      sub: `${fmtPct(s.rows ? s.unfamiliar / s.rows : null)} of wafers`,
      tone: s.unfamiliar > 0 ? 'warn' : undefined,
    },
  ]);
  l.paragraph(
    s.rows === 0
      ? 'No wafer was predicted in this batch.'
      : `${fmtInt(s.faulty)} of ${fmtInt(s.rows)} wafers are predicted faulty (${fmtPct(s.failRate)}) by model v${data.model.version} at threshold ${fmtProb(data.batch.threshold)}.` +
          (s.unfamiliar > 0
            ? ` ${fmtInt(s.unfamiliar)} wafers lie outside the regimes the model was trained on; treat their predictions with care.`
            : ''),
  );
}

function chartsSection(l: PdfLayout, data: BatchReportData): void {
  l.section('Predictions at a glance', 260);
  l.chart(probabilityHistogram(data), 'Probability of faulty');
  l.chart(regimeChart(data), 'Faulty by regime');
  l.chart(fileChart(data), 'Faulty per file');
  l.subheading('By regime');
  l.table(
    [
      { header: 'Regime', width: 1 },
      { header: 'Wafers', width: 1, align: 'right' },
      { header: 'Faulty', width: 1, align: 'right' },
      { header: 'Fail rate', width: 1, align: 'right' },
      { header: 'Unfamiliar', width: 1, align: 'right' },
    ],
    [...data.byCluster]
      .sort((a, b) => a.cluster - b.cluster)
      .map((g) => [
        String(g.cluster),
        fmtInt(g.rows),
        fmtInt(g.faulty),
        fmtPct(g.rows ? g.faulty / g.rows : null),
        fmtInt(g.unfamiliar),
      ]),
  );
}

function filesSection(l: PdfLayout, data: BatchReportData, limit: number): void {
  const s = summarize(data);
  const order: Record<string, number> = { bad: 0, duplicate: 1, good: 2 };
  const files = [...data.batch.fileResults].sort(
    (a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3) || a.name.localeCompare(b.name),
  );
  const shown = files.slice(0, Math.max(limit, files.filter((f) => f.status !== 'good').length));
  l.section('Batch files');
  l.paragraph(
    `${fmtInt(files.length)} files: ${fmtInt(s.filesGood)} good, ${fmtInt(s.filesQuarantined)} quarantined${
      s.filesDuplicate ? `, ${fmtInt(s.filesDuplicate)} already imported` : ''
    }. Quarantined files are kept whole in the workspace and can be exported, fixed and imported again.`,
  );
  if (files.length === 0) return l.note('No files.');
  l.table(
    [
      { header: 'File', width: 150, mono: true },
      { header: 'Status', width: 62 },
      { header: 'Rows', width: 36, align: 'right' },
      { header: 'Reasons', width: 250 },
    ],
    shown.map((f) => {
      const reasons: CellLine[] = f.reasons.slice(0, MAX_REASONS).flatMap((r) => {
        const loc = reasonLocation(r);
        return [
          { text: r.code, bold: true, size: 7.5 },
          { text: `${r.message}${loc ? ` (${loc})` : ''}`, size: 7.5, color: INK },
        ];
      });
      if (f.reasons.length > MAX_REASONS)
        reasons.push({ text: `and ${fmtInt(f.reasons.length - MAX_REASONS)} more reasons`, color: MUTED });
      const tone = f.status === 'good' ? '#15803d' : f.status === 'bad' ? COLORS.faulty : COLORS.unfamiliar;
      return [
        [{ text: f.name, mono: true, size: 7.5 }],
        [{ text: fileStatusText(f.status), bold: true, color: tone }],
        fmtInt(f.rows),
        reasons.length ? reasons : [{ text: '-', color: MUTED }],
      ];
    }),
  );
  const note = cappedNote(shown.length, files.length, 'files');
  if (note) l.note(note);
}

function modelSection(l: PdfLayout, data: BatchReportData): void {
  const m = data.model;
  l.section(`Model version v${m.version}`, 200);
  const top = l.y;
  const half = (l.width - 18) / 2;
  // Facts on the left, metrics on the right; drawn as two tables side by side.
  const facts = modelFacts(data);
  let y = top;
  l.textAt('Version', l.left, y, half, { size: 11, bold: true });
  y += 17;
  for (const [k, v] of facts) {
    l.textAt(k, l.left, y, 100, { size: 8.5, color: MUTED });
    y += l.textAt(v, l.left + 104, y, half - 104, { size: 8.5 }) + 3;
  }
  const c = m.metrics?.confusion;
  if (c) {
    y += 8;
    l.textAt('Confusion matrix (held-out rows)', l.left, y, half, { size: 11, bold: true });
    y += 17;
    const cw = [86, 70, 70];
    const cells = [
      ['', 'Predicted faulty', 'Predicted good'],
      ['Actually faulty', fmtInt(c.tp), fmtInt(c.fn)],
      ['Actually good', fmtInt(c.fp), fmtInt(c.tn)],
    ];
    cells.forEach((row, r) => {
      let x = l.left;
      row.forEach((t, i) => {
        const hit = (r === 1 && i === 1) || (r === 2 && i === 2);
        const miss = (r === 1 && i === 2) || (r === 2 && i === 1);
        if (hit || miss) l.doc.rect(x, y, cw[i]!, 18).fill(hit ? '#ecfdf3' : '#fff1e8');
        else if (r === 0 || i === 0) l.doc.rect(x, y, cw[i]!, 18).fill(SOFT);
        l.textAt(t, x + 3, y + 5, cw[i]! - 6, {
          size: r === 0 || i === 0 ? 6.5 : 8.5,
          bold: r === 0 || i === 0 || hit || miss,
          color: r === 0 || i === 0 ? MUTED : INK,
          align: 'center',
        });
        x += cw[i]!;
      });
      y += 18;
    });
  }
  let ry = top;
  const rx = l.left + half + 18;
  l.textAt('Held-out metrics', rx, ry, half, { size: 11, bold: true });
  ry += 17;
  const lines = metricLines(data);
  if (lines.length === 0) {
    l.textAt('This model version has no held-out metrics.', rx, ry, half, { size: 8.5, color: MUTED });
    ry += 14;
  }
  for (const line of lines) {
    l.textAt(line.label, rx, ry, 88, { size: 8.5, color: MUTED });
    l.textAt(line.value, rx + 88, ry, 44, { size: 8.5, bold: true, align: 'right' });
    const h = line.note ? l.textAt(line.note, rx + 140, ry + 0.5, half - 140, { size: 7, color: MUTED }) : 10;
    ry += Math.max(12, h) + 3;
  }
  l.y = Math.max(y, ry) + 10;

  l.subheading('Quality gates', 40);
  if (m.gates.length === 0) l.note('No quality gates were set for this version.');
  else
    l.table(
      [
        { header: 'Gate', width: 200 },
        { header: 'Result', width: 80 },
        { header: 'Value vs threshold', width: 140, align: 'right' },
      ],
      m.gates.map((g) => [
        g.name,
        [{ text: g.passed ? 'pass' : 'fail', bold: true, color: g.passed ? '#15803d' : COLORS.faulty }],
        gateComparison(g),
      ]),
    );
  const roc = rocChart(m.metrics, m.threshold);
  if (roc) l.chart(roc, 'ROC curve');
}

function sensorLines(row: ReportRow): CellLine[] {
  const top = topTowardsFaulty(row.explanation);
  if (top.length === 0) return [{ text: 'no explanation', color: MUTED }];
  return top.map((s) => {
    const oor = outOfRange(s);
    return {
      text: `${s.sensor} ${fmtEffect(s.effect)}: ${fmtValue(s.value)} (range ${fmtValue(s.low)} – ${fmtValue(s.high)})${oor ? ' outside' : ''}`,
      color: oor ? COLORS.faulty : INK,
    };
  });
}

function fileLines(row: ReportRow): CellLine[] {
  if (!row.fileName) return [{ text: '-', color: MUTED }];
  const lines: CellLine[] = [{ text: row.fileName, mono: true, size: 7 }];
  if (row.rowNo !== null) lines.push({ text: `row ${fmtInt(row.rowNo)}`, color: MUTED, size: 7 });
  return lines;
}

function faultySection(l: PdfLayout, data: BatchReportData, limit: number): void {
  const all = faultyRows(data);
  const shown = all.slice(0, limit);
  l.section('Predicted faulty wafers');
  l.paragraph(
    `${fmtInt(all.length)} wafers at or above the threshold ${fmtProb(data.batch.threshold)}, most likely first. Top sensors are those that pushed the prediction most towards faulty: effect, the wafer's value, and the 5th–95th percentile of the sensor among the regime's training rows.`,
    8.5,
  );
  if (shown.length === 0) return l.note('No wafer is predicted faulty.');
  l.table(
    [
      { header: 'Wafer', width: 84, mono: true },
      { header: 'File', width: 124 },
      { header: 'Prob.', width: 34, align: 'right' },
      { header: 'Regime', width: 34, align: 'right' },
      { header: 'Unfam.', width: 34 },
      { header: 'Top sensors towards faulty', width: 190 },
    ],
    shown.map((r) => [
      [{ text: r.wafer, mono: true, size: 7.5 }],
      fileLines(r),
      fmtProb(r.probability),
      String(r.cluster),
      [
        {
          text: r.unfamiliar ? 'yes' : 'no',
          color: r.unfamiliar ? COLORS.unfamiliar : MUTED,
          bold: r.unfamiliar,
        },
      ],
      sensorLines(r),
    ]),
    { size: 7.5, pad: 3.5 },
  );
  const note = cappedNote(shown.length, all.length, 'faulty wafers');
  if (note) l.note(note);
}

function unfamiliarSection(l: PdfLayout, data: BatchReportData, limit: number): void {
  const all = unfamiliarRows(data);
  const shown = all.slice(0, limit);
  l.section('Unfamiliar-regime wafers', 80);
  l.paragraph(
    'Wafers far from every operating regime seen in training. Their predictions extrapolate: check them by hand.',
    8.5,
  );
  if (shown.length === 0) return l.note('No wafer is outside the known regimes.');
  l.table(
    [
      { header: 'Wafer', width: 110, mono: true },
      { header: 'File', width: 140 },
      { header: 'Nearest regime', width: 60, align: 'right' },
      { header: 'Distance', width: 56, align: 'right' },
      { header: 'Probability', width: 56, align: 'right' },
      { header: 'Prediction', width: 70 },
    ],
    shown.map((r) => [
      [{ text: r.wafer, mono: true, size: 7.5 }],
      fileLines(r),
      String(r.cluster),
      fmtValue(r.distance),
      fmtProb(r.probability),
      [
        {
          text: `${String(r.label)} ${r.faulty ? 'faulty' : 'good'}`,
          bold: true,
          color: r.faulty ? COLORS.faulty : '#15803d',
        },
      ],
    ]),
    { size: 7.5, pad: 3.5 },
  );
  const note = cappedNote(shown.length, all.length, 'unfamiliar wafers');
  if (note) l.note(note);
}

function driftSection(l: PdfLayout, data: BatchReportData): void {
  const d = driftSummary(data);
  l.section('Sensor drift', 80);
  l.paragraph(d.lede, 8.5);
  if (d.note) l.note(d.note);
  if (d.rows.length === 0) return;
  const color = { drifted: COLORS.faulty, moving: COLORS.unfamiliar, stable: '#15803d' } as const;
  l.table(
    [
      { header: 'Sensor', width: 130, mono: true },
      { header: 'PSI', width: 60, align: 'right' },
      { header: 'Median: training -> batch', width: 160, align: 'right' },
      { header: 'Missing: training -> batch', width: 140, align: 'right' },
    ],
    d.rows.map((r) => [
      [{ text: r.sensor, mono: true, size: 7.5 }],
      [{ text: r.psi, bold: r.level !== 'stable', color: color[r.level] }],
      r.median,
      r.missing,
    ]),
    { size: 7.5, pad: 3.5 },
  );
}

function footers(doc: PDFKit.PDFDocument, data: BatchReportData): number {
  const range = doc.bufferedPageRange();
  const left = pdfSafe(
    `${APP_TITLE} ${data.appVersion}  ·  batch ${data.batch.id}  ·  generated ${fmtTime(data.generatedAt)}`,
  );
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit start a new page: lift the margin while we write.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE.height - 32;
    doc
      .moveTo(MARGIN.left, y - 6)
      .lineTo(PAGE.width - MARGIN.right, y - 6)
      .lineWidth(0.5)
      .strokeColor(LINE)
      .stroke();
    doc.font('Helvetica').fontSize(7.5).fillColor(MUTED);
    doc.text(left, MARGIN.left, y, { lineBreak: false });
    const pageText = `Page ${i - range.start + 1} of ${range.count}`;
    doc.text(pageText, PAGE.width - MARGIN.right - doc.widthOfString(pageText), y, { lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  return range.count;
}

/** Lay the report out on a fresh document; returns the page count. */
export function buildPdfReport(
  doc: PDFKit.PDFDocument,
  data: BatchReportData,
  options?: ReportOptions,
): number {
  const limit = maxRows(options);
  const l = new PdfLayout(doc);
  masthead(l, data);
  summarySection(l, data);
  chartsSection(l, data);
  filesSection(l, data, limit);
  modelSection(l, data);
  faultySection(l, data, limit);
  unfamiliarSection(l, data, limit);
  driftSection(l, data);
  return footers(doc, data);
}

/**
 * pdfkit (with fontkit and its tables) is loaded when the first PDF is written, not when the app or a
 * CLI command starts: loading it cost ~0.15 s of every start, PDF or not.
 */
type PdfDocumentClass = new (options?: PDFKit.PDFDocumentOptions) => PDFKit.PDFDocument;

export async function createReportDocument(data: BatchReportData): Promise<PDFKit.PDFDocument> {
  const { default: PDFDocument } = (await import('pdfkit')) as unknown as { default: PdfDocumentClass };
  const generated = new Date(data.generatedAt);
  const when = Number.isNaN(generated.getTime()) ? new Date(0) : generated;
  return new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: pdfSafe(reportTitle(data)),
      Author: APP_TITLE,
      Subject: pdfSafe(`Wafer fault predictions of batch ${data.batch.id} with model v${data.model.version}`),
      Keywords: 'wafer, fault detection, predictions, report',
      Creator: pdfSafe(`${APP_TITLE} ${data.appVersion}`),
      Producer: pdfSafe(`${APP_TITLE} ${data.appVersion} (PDFKit)`),
      CreationDate: when,
      ModDate: when,
    },
  });
}

export async function writePdfReport(
  data: BatchReportData,
  path: string,
  options?: ReportOptions,
): Promise<{ bytes: number; pages: number }> {
  const doc = await createReportDocument(data);
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  let pages: number;
  try {
    pages = buildPdfReport(doc, data, options);
  } finally {
    doc.end();
  }
  await done;
  return { bytes: out.bytesWritten, pages };
}
